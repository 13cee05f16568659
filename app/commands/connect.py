"""`connect` (system ssh, in-process asyncssh, or the official plugin) and `ssh-proxy`."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable

from .changes import add_start_options
from .common import UsageError, add_space_argument, aws_context, refuse_unusable, with_trailing_command

WITH = ("ssh", "asyncssh", "plugin")
EDITORS = ("code", "cursor")  # app.connect.editor.EDITORS, named here so parsing stays import-free


def add_parser(command) -> None:
    p = command("connect", "open a shell on a space, or run a command (starts the space if needed)")
    add_space_argument(p)
    p.add_argument(
        "--with",
        dest="with_",
        choices=WITH,
        default="ssh",
        help="system ssh (default), in-process asyncssh, or the official session-manager-plugin",
    )
    add_start_options(p, yes_also=" (and, with --vscode, accept the ssh config change)")
    p.add_argument(
        "--vscode",
        action="store_true",
        help="open the space in VS Code Remote-SSH (installs its ssh alias first, with consent)",
    )
    p.add_argument(
        "--persist",
        action="store_true",
        help="keep the shell in a tmux session on the space and reconnect to it when the "
        "connection is lost for good (a plain shell where tmux is missing)",
    )
    p.add_argument(
        "--editor",
        choices=EDITORS,
        default=None,
        help="the editor for --vscode: code (default) or cursor; implies --vscode",
    )
    p.set_defaults(run=connect_command, cmd=[])
    p.epilog = "Anything after -- is run on the space instead of a shell: connect SPACE -- ls -la"
    with_trailing_command(p)

    p = command("ssh-proxy", "OpenSSH ProxyCommand: bridge stdin/stdout to a space (TARGET: ARN or alias)")
    p.add_argument("target", nargs="?", help="space ARN or sm-<space> alias (not with --session-env)")
    p.add_argument("--plugin", action="store_true", help="hand the session to session-manager-plugin")
    p.add_argument(
        "--session-env",
        metavar="VAR",
        help="use the session in environment variable VAR instead of StartSession "
        "(how `sm-spaces open --with ssh` passes a deep link's session)",
    )
    p.set_defaults(run=ssh_proxy_command)


def ssh_proxy_command(args: argparse.Namespace) -> int:
    from ..connect.proxy import run_plugin_proxy, run_proxy
    from ..names import SpaceArn, is_space_arn

    if args.session_env:
        from .open_link import session_proxy

        if args.plugin:
            raise UsageError("--session-env and --plugin do not go together")
        return quiet_on_interrupt(lambda: session_proxy(args.session_env))
    if not args.target:
        raise UsageError("ssh-proxy needs a TARGET: a space ARN or an sm-<space> alias")
    if args.demo:
        raise UsageError("ssh-proxy cannot use --demo: point it at `sm-spaces demo serve` instead")
    if is_space_arn(args.target) and not args.region:
        args.region = SpaceArn.parse(args.target).region  # the ARN says where the space lives

    async def run() -> int:
        # No region check: it would load botocore's endpoint data on every ssh connect.
        async with aws_context(args, known_region=False) as (svc, _):
            return await (run_plugin_proxy if args.plugin else run_proxy)(svc, args.target)

    return quiet_on_interrupt(lambda: asyncio.run(run()))


def quiet_on_interrupt(proxy: Callable[[], int]) -> int:
    """ssh-proxy runs under ssh, in the same process group: a Ctrl-C reaches ssh and whoever runs
    ssh too, and they report it. The proxy just ends (130), without a line of its own."""
    try:
        return proxy()
    except KeyboardInterrupt:
        return 130


async def running_space(svc, args: argparse.Namespace, purpose: str):
    """The space named by args.space/args.domain, started first (after consent: it costs money)
    unless it runs with remote access. Shared by connect, connect --vscode and forward, whose
    `purpose` ("connect", "forward a port") the question names."""
    from ..model import SpaceStatus, space_problem
    from .changes import (
        again,
        consent_to_start,
        refuse_type_for_running,
        reported_if_interrupted,
        start_with_consent,
    )
    from .lookup import find_space

    space = await find_space(svc, args.space, args.domain)
    refuse_type_for_running(space, args.instance_type)
    if space.status is SpaceStatus.RUNNING and space.remote_access:
        return space
    if space.status is SpaceStatus.RUNNING:
        raise UsageError(
            f"{space.name} runs without remote access; enable it with "
            f"{again(args, 'remote-access', space.name, '--enable')} (it restarts the space)"
        )
    await refuse_unusable(svc, space, space_problem)
    instance_type = args.instance_type
    if space.status in (SpaceStatus.STOPPED, SpaceStatus.FAILED):
        instance_type = await consent_to_start(svc, space, args, purpose)
    async with reported_if_interrupted(svc, space, args, "start"):
        return await start_with_consent(svc, space, instance_type=instance_type, yes=True)


async def _connect(args: argparse.Namespace) -> int:
    from ..connect.children import run_in_foreground
    from ..connect.handoff import AwsTarget, system_ssh_argv

    command = list(args.cmd)
    async with aws_context(args) as (svc, server):
        space = await running_space(svc, args, "connect")
        if args.persist:
            if command:
                raise UsageError("--persist is for an interactive shell; drop it or the command after --")
            if not sys.stdin.isatty():
                raise UsageError("--persist needs a terminal")
        if args.with_ == "asyncssh":
            return await _inprocess(svc, space, command, persist=args.persist)
        env = dict(os.environ)
        if server is not None:
            # The simulated account lives in this process: its per-run keys reach the child
            # ssh-proxy through the environment, never its command line.
            env.update(server.env())
        target = AwsTarget(svc.profile, svc.region, svc.endpoint_url)
        extra = ["-t"] if not command and sys.stdin.isatty() else []
        if args.persist:
            from ..connect.persist import REMOTE_COMMAND, run_persistent
            from ..connect.session import notice_on_stderr

            command = [REMOTE_COMMAND]
        argv = system_ssh_argv(
            space.alias, space.arn, target, command, plugin=args.with_ == "plugin", extra=extra
        )
        if args.persist:
            return await run_persistent(lambda: run_in_foreground(argv, env), space.name, notice_on_stderr)
        return await run_in_foreground(argv, env)  # SIGTERM, SIGHUP, SIGINT end ssh and its proxy too


async def _inprocess(svc, space, command: list[str], *, persist: bool = False) -> int:
    from ..connect.inprocess import run_command, run_shell, ssh_connection
    from ..connect.session import notice_on_stderr, open_channel

    def connection():
        return ssh_connection(lambda: open_channel(svc, space.arn, on_wait=notice_on_stderr), space.alias)

    if persist:
        from ..connect.persist import persistent_inprocess

        return await persistent_inprocess(connection, space.name, notice_on_stderr)
    async with connection() as conn:
        if command:
            return await run_command(conn, command)
        if not sys.stdin.isatty():
            raise UsageError("an interactive shell needs a terminal; pass a command after --")
        return await run_shell(conn)


def connect_command(args: argparse.Namespace) -> int:
    from .changes import checked_instance_type

    checked_instance_type(args)
    if args.vscode or args.editor:
        from .vscode import vscode_command

        args.editor = args.editor or "code"
        return vscode_command(args)
    return asyncio.run(_connect(args))
