"""The TUI: with --demo, a simulated account on a background thread beside Textual's loop."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .common import profiles_of

if TYPE_CHECKING:
    import argparse


def tui_command(args: argparse.Namespace) -> int:
    from ..ui.run import run_tui

    regions = [args.region] if args.region else None
    all_accounts = bool(getattr(args, "all_accounts", False))
    if not args.demo:
        profiles = profiles_of(args)
        return run_tui(
            profile=profiles[0],
            regions=regions,
            endpoint_url=args.endpoint_url,
            credentials=None,
            readonly=args.readonly,
            profiles=profiles,
            all_accounts=all_accounts,
        )
    from ..demo.server import DemoServer
    from .common import demo_account

    handle = DemoServer(demo_account(args), transition_delay=3.0).start_in_thread()
    try:
        server = handle.server
        creds = server.credentials
        return run_tui(
            profile=None,
            regions=regions or [server.region],
            endpoint_url=server.endpoint_url,
            credentials=(creds.access_key, creds.secret_key, creds.token),
            readonly=args.readonly,
            demo_server=server,
            all_accounts=all_accounts,
        )
    finally:
        handle.stop()
