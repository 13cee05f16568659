"""Command-line parsing and dispatch. The work happens in app.commands; nothing heavy is imported
here so `--version` and the TUI's first paint stay fast."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from . import __version__

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # Sub-commands accept the same options after their name; SUPPRESS keeps a value given
    # before the sub-command from being reset by the sub-parser's default.
    default = None if top else argparse.SUPPRESS
    group = parser.add_argument_group("AWS context")
    group.add_argument(
        "--profile", default=default, help="AWS profile (default: AWS_PROFILE or the default chain)"
    )
    group.add_argument(
        "--region", default=default, help="AWS region (default: AWS_REGION or the AWS profile's region)"
    )
    group.add_argument(
        "--endpoint-url",
        default=default,
        metavar="URL",
        help="SageMaker endpoint URL (default: AWS_ENDPOINT_URL_SAGEMAKER or AWS's)",
    )
    group.add_argument(
        "--demo",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="use a simulated account that runs in-process (no AWS needed)",
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="show tracebacks on errors, and debug lines on stderr",
    )


def _top_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action="version", version=f"sm-spaces {__version__}")
    parser.add_argument("--readonly", action="store_true", help="TUI without start, stop or update")
    _global_options(parser, top=True)


class _Parser(argparse.ArgumentParser):
    """The top-level parser, which knows its sub-commands' parsers: a mistake in a sub-command's
    options is reported with that sub-command's usage, not the top level's."""

    commands: dict[str, argparse.ArgumentParser]


def build_parser() -> _Parser:
    parser = _Parser(
        prog="sm-spaces",
        description="Amazon SageMaker Studio spaces from a terminal. Without a command, opens the TUI.",
    )
    _top_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    parser.commands = {}

    def command(name: str, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        _global_options(p, top=False)
        parser.commands[name] = p
        return p

    for module in _command_modules():
        module.add_parser(command)
    return parser


# Each module defines add_parser(command), which sets `run` on its sub-parser; importing them must stay cheap (no
# botocore, textual or asyncssh at module level) because the parser is built on every start.
COMMANDS = ("spaces", "remote_access", "connect", "sshconfig", "doctor", "demo", "forward", "open_link")


def _command_modules() -> list:
    import importlib

    return [importlib.import_module(f".commands.{name}", __package__) for name in COMMANDS]


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


class _NotJustTheTui(Exception):
    """The quick parse met something only the full parser handles (a command, -h, an error)."""


class _TuiParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _NotJustTheTui(message)


def _tui_only(words: list[str]) -> argparse.Namespace | None:
    """The arguments when they only open the TUI, else None.

    Building every sub-parser imports every command module, which the TUI's first paint would
    wait for (BENCHMARKS.md, "First paint", says what start-up costs). Top-level options alone need none of them; anything else (a command, -h, an
    error to report) goes to the full parser, so help and error messages stay exactly its own.
    """
    parser = _TuiParser(prog="sm-spaces", add_help=False)
    _top_options(parser)
    try:
        args, extras = parser.parse_known_args(words)
    except _NotJustTheTui:
        return None
    if extras:  # a command (or anything else positional) was given
        return None
    args.command = None
    return args


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    # Everything after the first `--` is the remote command (argparse's REMAINDER would also
    # swallow options given after the space name).
    words = list(sys.argv[1:] if argv is None else argv)
    trailing: list[str] | None = None
    if "--" in words:
        cut = words.index("--")
        words, trailing = words[:cut], words[cut + 1 :]
    elif (args := _tui_only(words)) is not None:
        return args
    parser = build_parser()
    args, extras = parser.parse_known_args(words)
    if extras:
        sub = parser.commands.get(getattr(args, "command", None) or "", parser)
        sub.error(f"unrecognized arguments: {' '.join(extras)}")
    if trailing is not None:
        if not hasattr(args, "cmd"):
            parser.error("only connect takes a command after --")
        args.cmd = trailing
    return args


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


def _main(argv: Sequence[str] | None) -> int:
    from .commands.common import Interrupted, UsageError

    args = _parse(argv)
    if getattr(args, "debug", False) and args.command is not None:
        _debug_log()
    try:
        _check_endpoints(args)
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
