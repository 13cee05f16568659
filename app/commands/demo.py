"""`demo serve`: the simulated account in the foreground, for any AWS client to use."""

from __future__ import annotations

import argparse


def demo_command(args: argparse.Namespace) -> int:
    from app.demo.serve_cli import serve

    return serve(port=args.port or None, transition_delay=args.delay)
