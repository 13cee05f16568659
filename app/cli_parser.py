"""The command line's parser: top-level options, and each command's sub-parser from its module.

Kept apart from app.cli so that `sm-spaces` with no argument, the TUI's commonest start, does not
import argparse at all (app.cli.parse_arguments).
"""

from __future__ import annotations

import argparse
from typing import NoReturn

from . import __version__


def _global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # Sub-commands accept the same options after their name; SUPPRESS keeps a value given
    # before the sub-command from being reset by the sub-parser's default.
    default = None if top else argparse.SUPPRESS
    group = parser.add_argument_group("AWS context")
    group.add_argument(
        "--profile",
        action=_Profiles,
        default=default,
        help="AWS profile (default: AWS_PROFILE or the default chain); list and the TUI take several",
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
        "--size",
        default=default,
        metavar="DOMAINSxSPACES",
        help="with --demo or demo serve: a generated account of DOMAINS domains with SPACES spaces each "
        "(e.g. 50x40, 1x10000) instead of the seeded one",
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="show tracebacks on errors, and debug lines on stderr",
    )


class _Profiles(argparse.Action):
    """--profile, which may be given more than once: `profile` is the first, `profiles` all."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        profiles = [*(getattr(namespace, "profiles", None) or []), str(values)]
        namespace.profiles, namespace.profile = profiles, profiles[0]


def _top_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action="version", version=f"sm-spaces {__version__}")
    parser.add_argument("--readonly", action="store_true", help="TUI without start, stop or update")
    parser.add_argument(
        "--all-accounts",
        action="store_true",
        help="every account your IAM Identity Center login (aws sso login) reaches, side by side",
    )
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
COMMANDS = (
    "spaces",
    "space_admin",
    "remote_access",
    "connect",
    "sshconfig",
    "doctor",
    "demo",
    "forward",
    "open_link",
)


def _command_modules() -> list:
    import importlib

    return [importlib.import_module(f".commands.{name}", __package__) for name in COMMANDS]


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


def parse(words: list[str]) -> argparse.Namespace:
    """The options and command in `words` (the arguments after the program's name)."""
    # Everything after the first `--` is the remote command (argparse's REMAINDER would also
    # swallow options given after the space name).
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
