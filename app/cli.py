"""Command-line dispatch. The parser is in app.cli_parser and the work in app.commands; nothing heavy
is imported here so `--version` and the TUI's first paint stay fast."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    import argparse

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _main(argv)
        # Flushed here, not at exit, so that a closed pipe is seen while we can act on it (an
        # in-process ssh session may have closed stdout already: then there is nothing to flush).
        if not sys.stdout.closed:
            sys.stdout.flush()
        return code
    except KeyboardInterrupt:  # Ctrl-C at any point, even while modules are still loading
        print("sm-spaces: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        if not _stdout_gone():
            raise
        # Python's documented recipe (the signal module's note on SIGPIPE): point stdout at
        # /dev/null so the interpreter's final flush fails no more. The reader chose to stop
        # (`list | head -1`): that is no failure of ours, so a `set -o pipefail` script goes on.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


def _stdout_gone() -> bool:
    """Whether stdout is a pipe whose reader has gone (`sm-spaces list | head -1`), as opposed to
    a broken pipe somewhere else, which is a failure worth its one line."""
    import select

    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):
        return True
    if not hasattr(select, "poll"):
        return True
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    return any(mask & (select.POLLERR | select.POLLHUP) for _, mask in poller.poll(0))


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """The options. `sm-spaces` alone opens the TUI with every default: that commonest start
    skips argparse's import (its first frame waits for whatever we import; tests compare these
    defaults with the parser's)."""
    words = list(sys.argv[1:] if argv is None else argv)
    if not words:
        defaults = SimpleNamespace(
            readonly=False,
            all_accounts=False,
            profile=None,
            region=None,
            endpoint_url=None,
            demo=False,
            size=None,
            debug=False,
            command=None,
        )
        return cast("argparse.Namespace", defaults)
    from .cli_parser import parse

    return parse(words)


def _debug_log() -> None:
    """--debug also shows our own debug lines on stderr (never stdout: for ssh-proxy that is the
    SSH stream). Only this package's loggers: a dependency's debug output can carry request
    headers. Not for the TUI, whose screen stderr would garble."""
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("sm-spaces: debug: %(message)s"))
    ours = logging.getLogger(__name__.partition(".")[0])  # sm_spaces
    ours.addHandler(handler)
    ours.setLevel(logging.DEBUG)


def _check_endpoints(args: argparse.Namespace) -> None:
    """Every command: refuse an endpoint URL botocore or aiohttp would choke on, in one line."""
    import os

    from .commands.common import UsageError
    from .endpoint_url import ENDPOINT_VARIABLES, check_endpoint_url

    given = [("--endpoint-url", getattr(args, "endpoint_url", None))]
    if not getattr(args, "demo", False):  # the simulated account sets its own endpoint
        given += [(name, os.environ.get(name) or None) for name in ENDPOINT_VARIABLES]
    for what, url in given:
        if url is not None:
            try:
                check_endpoint_url(url, what)
            except ValueError as problem:
                raise UsageError(str(problem)) from None


def _check_size(args: argparse.Namespace) -> None:
    """--size, read into (domains, spaces per domain), only where a simulated account is made."""
    from .commands.common import UsageError, parse_size

    text = getattr(args, "size", None)
    if text is None:
        return
    if not (getattr(args, "demo", False) or getattr(args, "command", None) == "demo"):
        raise UsageError("--size sets the simulated account's size: add --demo, or use `demo serve --size`")
    args.size = parse_size(text)


def _main(argv: Sequence[str] | None) -> int:
    from .commands.common import Interrupted, UsageError

    args = parse_arguments(argv)
    if getattr(args, "debug", False) and args.command is not None:
        _debug_log()
    try:
        _check_endpoints(args)
        _check_size(args)
        if args.command is None:
            from .commands.tui import tui_command

            return tui_command(args)
        return args.run(args)
    except BrokenPipeError:
        raise  # main() tells a closed stdout from other broken pipes
    except UsageError as exc:
        from .commands.common import describe_failure

        print(f"sm-spaces: {describe_failure(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except Interrupted as exc:  # Ctrl-C during a change: what it left behind, and how to finish
        print(f"sm-spaces: {exc}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # the last line of defence: one line, never a traceback
        if getattr(args, "debug", False):
            raise
        from .commands.common import describe_failure

        print(f"sm-spaces: {describe_failure(exc)}", file=sys.stderr)
        return int(getattr(exc, "exit_status", EXIT_FAILED))  # 255 for a lost session, as ssh
