"""What every sub-command shares: the AWS context (real or simulated), prompts and failures."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from ..safe_text import safe_text

if TYPE_CHECKING:
    from ..aws.service import SpacesService
    from ..demo.server import DemoServer


class UsageError(Exception):
    """Bad input from the user: exit code 2."""


def describe_failure(exc: BaseException) -> str:
    """One line for any failure that reached the top, safe for a terminal whatever an endpoint (or
    a library quoting it) put in the message."""
    from ..aws.errors import AwsError
    from ..file_checks import FileRefused

    if isinstance(exc, (AwsError, UsageError, FileRefused)):
        return safe_text(str(exc))
    text = safe_text(" ".join(str(exc).split()))
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def profile_of(args: argparse.Namespace) -> str | None:
    return getattr(args, "profile", None) or os.environ.get("AWS_PROFILE") or None


@asynccontextmanager
async def aws_context(
    args: argparse.Namespace,
    *,
    demo_delay: float = 1.0,
    connect_timeout: float | None = None,
    read_timeout: float | None = None,
) -> AsyncIterator[tuple[SpacesService, DemoServer | None]]:
    """A SpacesService for the arguments; with --demo, backed by a simulated account in this process."""
    from ..aws.service import SpacesService

    if getattr(args, "demo", False):
        from ..demo.server import DemoServer

        async with DemoServer(transition_delay=demo_delay) as server:
            creds = server.credentials
            svc = SpacesService(
                region=getattr(args, "region", None) or server.region,
                endpoint_url=server.endpoint_url,
                credentials=(creds.access_key, creds.secret_key, creds.token),
                poll_interval=min(0.5, max(demo_delay / 4, 0.01)),
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
            )
            async with svc:
                yield svc, server
        return
    svc = SpacesService(
        profile=profile_of(args),
        region=getattr(args, "region", None),
        endpoint_url=getattr(args, "endpoint_url", None),
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
    )
    async with svc:
        yield svc, None


def confirm(question: str, *, assume_yes: bool, what_flag: str = "--yes", action: str = "this") -> bool:
    """Ask on a terminal; without one, only an explicit --yes agrees."""
    if assume_yes:
        return True
    if not sys.stdin.isatty():
        raise UsageError(f"{action} needs confirmation; pass {what_flag} when not on a terminal")
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def progress_printer(quiet: bool = False):
    def show(space) -> None:
        if not quiet:
            print(f"{space.name}: {space.status.value}", file=sys.stderr, flush=True)

    return show
