"""What every sub-command shares: the AWS context (real or simulated), prompts and failures."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from ..safe_text import safe_text

if TYPE_CHECKING:
    import argparse

    from ..aws.service import SpacesService
    from ..demo.account import DemoAccount
    from ..demo.server import DemoServer
    from ..model import Space


class UsageError(Exception):
    """Bad input from the user: exit code 2."""


class Interrupted(Exception):
    """Ctrl-C ended a command; the message says what it left behind: exit code 130."""


def with_trailing_command(parser: argparse.ArgumentParser) -> None:
    """Show `[-- COMMAND ...]` in the usage of a sub-command that runs one (app.cli cuts it off
    before argparse sees it, so argparse cannot show it). Call once all options are added."""
    usage = parser.format_usage().strip().removeprefix("usage: ")
    parser.usage = f"{usage} [-- COMMAND ...]"


def describe_failure(exc: BaseException) -> str:
    """One line for any failure that reached the top, safe for a terminal whatever an endpoint (or
    a library quoting it) put in the message."""
    from ..aws.errors import AwsError
    from ..file_checks import FileRefused

    if isinstance(exc, (AwsError, UsageError, FileRefused)):
        return safe_text(str(exc))
    text = safe_text(" ".join(str(exc).split()))
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


async def refuse_unusable(
    svc: SpacesService, space: Space, problem_of: Callable[[Space], str | None]
) -> None:
    """Raise the one line saying what `space` needs when its own state (being created, failed)
    stands in the way, before anything is asked or tried; with the FailureReason, which only
    DescribeSpace has."""
    from ..aws.errors import AwsError

    if problem_of(space) is None:
        return
    problem = problem_of(await svc.describe_space(space.domain_id, space.name))
    if problem is not None:
        raise AwsError(problem, kind="validation")  # an operation that cannot succeed: exit 1


# A generated account's bounds: enough to try the listing and the filter at scale, small enough to
# build in seconds.
MAX_DOMAINS, MAX_SPACES = 1000, 100_000


def parse_size(text: str) -> tuple[int, int]:
    """'50x40' -> (50, 40): domains, and spaces in each. UsageError, in one line, for anything else."""
    domains, sep, spaces = text.strip().lower().partition("x")
    if not (sep and domains.isdigit() and spaces.isdigit()):
        raise UsageError(f"--size {text!r}: expected DOMAINSxSPACES, e.g. 50x40 or 1x10000")
    d, s = int(domains), int(spaces)
    if not (1 <= d <= MAX_DOMAINS and s >= 1 and d * s <= MAX_SPACES):
        raise UsageError(
            f"--size {text!r}: from 1 to {MAX_DOMAINS} domains and 1 to {MAX_SPACES:,} spaces in all"
        )
    return d, s


def demo_account(args: argparse.Namespace) -> DemoAccount:
    """The simulated account for the arguments: the seeded one, or a generated one of --size."""
    from ..demo.account import DemoAccount

    size = getattr(args, "size", None)
    return DemoAccount.generate(*size) if size else DemoAccount.seeded()


def profile_of(args: argparse.Namespace) -> str | None:
    """The one profile a command works in; --profile given twice is for `list` and the TUI only."""
    one_account(args)
    return getattr(args, "profile", None) or os.environ.get("AWS_PROFILE") or None


def one_account(args: argparse.Namespace) -> None:
    """Refuse what only `list` and the TUI take: several accounts."""
    if len(getattr(args, "profiles", None) or []) > 1:
        raise UsageError("--profile was given more than once; only `list` and the TUI show several accounts")
    if getattr(args, "all_accounts", False):
        raise UsageError("--all-accounts is for `list` and the TUI; other commands work in one account")


def profiles_of(args: argparse.Namespace) -> list[str | None]:
    """Every profile given (AWS_PROFILE or the default chain when none), first one first."""
    given = list(dict.fromkeys(getattr(args, "profiles", None) or []))
    return list(given) if given else [os.environ.get("AWS_PROFILE") or None]


def region_origin(args: argparse.Namespace) -> str:
    """Where the region in use came from, as the user set it."""
    if getattr(args, "region", None):
        return "--region"
    for variable in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if os.environ.get(variable):
            return variable
    return "the simulated account" if getattr(args, "demo", False) else "the AWS profile's region"


def check_known_region(svc: SpacesService, args: argparse.Namespace) -> None:
    """A mistyped region is an error, not an empty account (SageMaker answers nothing there)."""
    from ..aws.errors import AwsError
    from ..aws.known_values import check_region

    try:
        check_region(svc.region, region_origin(args))
    except ValueError as err:
        raise AwsError(str(err), kind="validation") from None


@asynccontextmanager
async def aws_context(
    args: argparse.Namespace,
    *,
    demo_delay: float = 1.0,
    connect_timeout: float | None = None,
    read_timeout: float | None = None,
    known_region: bool = True,
) -> AsyncIterator[tuple[SpacesService, DemoServer | None]]:
    """A SpacesService for the arguments; with --demo, backed by a simulated account in this process.
    With `known_region`, a region SageMaker is not offered in is refused before any call."""
    from ..aws.service import SpacesService

    one_account(args)
    if getattr(args, "demo", False):
        from ..demo.server import DemoServer

        async with DemoServer(demo_account(args), transition_delay=demo_delay) as server:
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
                if known_region:
                    check_known_region(svc, args)
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
        if known_region:
            check_known_region(svc, args)
        yield svc, None


def add_space_argument(p: argparse.ArgumentParser) -> None:
    """SPACE and --domain, as find_space (commands/lookup.py) takes them."""
    p.add_argument("space", metavar="SPACE")
    p.add_argument("--domain", help="domain id or name, when the space name is ambiguous")


def terminal_answer(prompt: str, *, refusal: str) -> str | None:
    """What the user types at `prompt` (None at end of input); without a terminal, UsageError(refusal)."""
    if not sys.stdin.isatty():
        raise UsageError(refusal)
    try:
        return input(prompt)
    except EOFError:
        return None


def confirm(question: str, *, assume_yes: bool, what_flag: str = "--yes", action: str = "this") -> bool:
    """Ask on a terminal; without one, only an explicit --yes agrees."""
    if assume_yes:
        return True
    answer = terminal_answer(
        f"{question} [y/N] ", refusal=f"{action} needs confirmation; pass {what_flag} when not on a terminal"
    )
    return answer is not None and answer.strip().lower() in ("y", "yes")


def progress_printer(quiet: bool = False):
    def show(space) -> None:
        if not quiet:
            print(f"{space.name}: {space.status.value}", file=sys.stderr, flush=True)

    return show
