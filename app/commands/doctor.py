"""`doctor`: a preflight checklist."""

from __future__ import annotations

import argparse


def add_parser(command) -> None:  # type: ignore[no-untyped-def]
    p = command("doctor", "check ssh, credentials, permissions, endpoints and the ssh config")
    p.set_defaults(run=_not_ready)


def _not_ready(args: argparse.Namespace) -> int:
    from app.commands.common import UsageError

    raise UsageError("doctor is not available yet")
