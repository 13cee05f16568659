"""`demo serve`: the simulated account in the foreground, for any AWS client to use."""

from __future__ import annotations

import argparse
import math


def add_parser(command) -> None:
    demo = command("demo", "the simulated account")
    actions = demo.add_subparsers(dest="demo_command", metavar="ACTION", required=True)
    serve = actions.add_parser("serve", help="serve the simulated account and print its environment")
    serve.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    serve.add_argument(
        "--delay", type=float, default=3.0, metavar="S", help="seconds each state change takes (default 3)"
    )
    serve.add_argument(
        "--sso-user",
        metavar="USER",
        help="act as this Identity Center user (try maria.garcia: 'my spaces' by default)",
    )
    serve.add_argument(
        "--size",
        default=argparse.SUPPRESS,  # also taken before `serve`, as the other global options
        metavar="DOMAINSxSPACES",
        help="a generated account of DOMAINS domains with SPACES spaces each (e.g. 50x40, 1x10000)",
    )
    serve.add_argument(
        "--hostile",
        action="store_true",
        help="also serve a domain of hostile names and error messages (terminal escapes, line breaks, "
        "markup), as a non-AWS endpoint could, to see that clients show them inert",
    )
    demo.set_defaults(run=demo_command)


MAX_DELAY_S = 3600.0


def demo_command(args: argparse.Namespace) -> int:
    from ..demo.serve_cli import serve
    from .common import UsageError

    if not 0 <= args.port <= 65535:
        raise UsageError("--port must be from 1 to 65535 (or 0 for a free one)")
    # NaN compares false with everything: a state change delayed by NaN seconds never settles.
    if not (math.isfinite(args.delay) and 0 <= args.delay <= MAX_DELAY_S):
        raise UsageError(f"--delay must be a number of seconds from 0 to {MAX_DELAY_S:g}")

    return serve(
        port=args.port or None,
        transition_delay=args.delay,
        sso_user=args.sso_user,
        hostile=args.hostile,
        size=getattr(args, "size", None),
    )
