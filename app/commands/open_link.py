"""`open URI`: connect with the session a Studio "Open in VS Code" deep link carries.

The link is untrusted: it is validated field by field (app.connect.deeplink) before anything touches
a file, a process or the network, and a refusal names the field, never its value. No StartSession
call is made — the link already holds one session (stream URL + token), which works once.

By default the session runs in-process (asyncssh). `--with ssh` hands it to the system ssh: the
session travels to our ProxyCommand (`ssh-proxy --session-env VAR`) in an environment variable of
the child processes, as the official plugin receives it, so the token is on no command line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
from urllib.parse import urlsplit

from .common import UsageError, with_trailing_command

SESSION_ENV = "SM_SPACES_LINK_SESSION"
_ENV_NAME_RE = re.compile(r"[A-Z_][A-Z0-9_]{0,63}")
MAX_LINK_READ = 40_000  # above the parser's own limit, so an overlong link is refused by it
EXPIRED_HINT = "a Studio link's session works once and expires within minutes: open a fresh link"


def add_parser(command) -> None:
    p = command("open", 'connect with a Studio "Open in VS Code" deep link (no StartSession call)')
    p.add_argument(
        "uri",
        nargs="?",
        default="-",
        help="the vscode://amazonwebservices.aws-toolkit-vscode/connect/sagemaker?… link (quote it); "
        "- or nothing: read it from stdin (hidden on a terminal), keeping its token off "
        "this command line",
    )
    p.add_argument(
        "--with",
        dest="with_",
        choices=("asyncssh", "ssh"),
        default="asyncssh",
        help="in-process asyncssh (default) or the system ssh",
    )
    p.set_defaults(run=open_command, cmd=[])
    p.epilog = "Anything after -- is run on the space instead of a shell: open 'vscode://…' -- ls -la"
    with_trailing_command(p)


def allowed_local_endpoint(endpoint_url: str | None) -> str | None:
    """The websocket origin of a loopback SageMaker endpoint (the simulated account), else None:
    only then may a link's stream URL point at this machine."""
    if not endpoint_url:
        return None
    try:
        url = urlsplit(endpoint_url)
        port = url.port
    except ValueError:
        return None
    if url.scheme not in ("http", "https") or url.hostname not in ("127.0.0.1", "localhost"):
        return None
    secure = url.scheme == "https"
    return f"{'wss' if secure else 'ws'}://{url.hostname}:{port or (443 if secure else 80)}"


def open_command(args: argparse.Namespace) -> int:
    from ..connect.deeplink import DeepLinkError, parse_deep_link
    from ..connect.ssh_block import effective_endpoint

    allowed = allowed_local_endpoint(effective_endpoint(getattr(args, "endpoint_url", None)))
    try:
        link = parse_deep_link(_read_uri(args.uri).strip(), allowed_local_endpoint=allowed)
    except DeepLinkError as err:
        raise UsageError(str(err)) from None  # names the field, never its value
    if getattr(args, "demo", False):
        raise UsageError(
            "open cannot use --demo: a link carries a session of a running account; "
            "run `sm-spaces demo serve` and use its environment"
        )
    command = list(args.cmd)
    if not command and not sys.stdin.isatty():
        raise UsageError("an interactive shell needs a terminal; pass a command after --")
    from ..aws.service import SessionInfo
    from ..model import alias_for

    session = SessionInfo(link.session_id, link.stream_url, link.token)
    alias = alias_for(link.space_arn.space_name)
    print(
        f"connecting to {link.space_arn.space_name} with the link's session {link.session_id}",
        file=sys.stderr,
    )
    if args.with_ == "ssh":
        return _system_ssh(session, alias, command)
    return asyncio.run(_inprocess(session, alias, command))


def _read_uri(uri: str) -> str:
    """The link as given, or from stdin for `-`: a process list shows every argument, and a link
    carries a live token."""
    if uri != "-":
        return uri
    if sys.stdin.isatty():
        import getpass

        try:
            return getpass.getpass("Studio link (hidden): ")
        except EOFError:
            return ""
    return sys.stdin.readline(MAX_LINK_READ)


async def _inprocess(session, alias: str, command: list[str]) -> int:
    from ..aws.errors import AwsError
    from ..connect.inprocess import SessionLost, run_command, run_shell, ssh_connection
    from ..connect.session import open_session_channel

    try:
        async with ssh_connection(lambda: open_session_channel(session), alias) as conn:
            return await (run_command(conn, command) if command else run_shell(conn))
    except SessionLost as lost:
        reason = RuntimeError(_scrub(str(lost.reason), session)) if lost.reason else None
        raise SessionLost(alias, reason) from None
    except AwsError as err:
        raise AwsError(f"{_scrub(str(err), session)}; {EXPIRED_HINT}", kind=err.kind) from None


def _system_ssh(session, alias: str, command: list[str]) -> int:
    import shutil

    from ..connect.handoff import SSH_OPTIONS
    from ..connect.ssh_block import self_command
    from ..connect.ssh_config import _proxy_word

    ssh = shutil.which("ssh")
    if ssh is None:
        raise UsageError("ssh is not installed; install OpenSSH or use the default --with asyncssh")
    proxy = " ".join(_proxy_word(w) for w in [*self_command(), "ssh-proxy", "--session-env", SESSION_ENV])
    argv = [ssh, "-o", f"ProxyCommand={proxy}"]
    for option in SSH_OPTIONS:
        argv += ["-o", option]
    argv += [*(["-t"] if not command else []), "--", alias, *command]
    env = dict(os.environ)
    env[SESSION_ENV] = json.dumps(
        {"SessionId": session.session_id, "StreamUrl": session.stream_url, "TokenValue": session.token}
    )
    from ..connect.children import run_in_foreground

    return asyncio.run(run_in_foreground(argv, env))  # SIGTERM, SIGHUP, SIGINT end ssh and its proxy too


# --- the ProxyCommand side (`ssh-proxy --session-env VAR`) ------------------------------------


def session_proxy(variable: str) -> int:
    """Bridge stdin/stdout to the session found in environment variable `variable`."""
    from ..aws.errors import AwsError
    from ..aws.service import SessionInfo
    from ..connect.session import bridge_stdio

    if not _ENV_NAME_RE.fullmatch(variable):
        raise UsageError("--session-env takes an environment variable name (A-Z, 0-9, _)")
    raw = os.environ.pop(variable, None)  # our own children need not see it
    if not raw:
        raise UsageError(
            f"no session in ${variable}; ssh-proxy --session-env is run by `sm-spaces open --with ssh`"
        )
    try:
        data = json.loads(raw)
        session = SessionInfo(str(data["SessionId"]), str(data["StreamUrl"]), str(data["TokenValue"]))
    except (ValueError, KeyError, TypeError):
        raise UsageError(f"${variable} does not hold a session (SessionId, StreamUrl, TokenValue)") from None
    if urlsplit(session.stream_url).scheme not in ("ws", "wss"):
        raise UsageError(f"${variable}: the stream URL is not a websocket URL")
    try:
        return asyncio.run(bridge_stdio(session))
    except AwsError as err:
        raise AwsError(f"{_scrub(str(err), session)}; {EXPIRED_HINT}", kind=err.kind) from None


def _scrub(message: str, session) -> str:
    """A link's stream URL is signed, so as secret as its token: keep both out of messages."""
    for secret in (session.token, session.stream_url, session.stream_url.partition("?")[2]):
        if secret:
            message = message.replace(secret, "…")
    return message.replace("; start a new session", "")  # the hint that follows says how
