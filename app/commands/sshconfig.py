"""`ssh-config install|show|remove`: the managed block in ~/.ssh/config."""

from __future__ import annotations

import argparse


def add_parser(command) -> None:  # type: ignore[no-untyped-def]
    p = command("ssh-config", "manage the sm-spaces block in ~/.ssh/config")
    p.set_defaults(run=_not_ready)


def _not_ready(args: argparse.Namespace) -> int:
    from app.commands.common import UsageError

    raise UsageError("ssh-config is not available yet")
