"""SSH to a space inside this process with asyncssh, over our own data channel.

A command runs with its output streamed and its exit status returned; without a command, an
interactive shell with the local terminal in raw mode and window-size changes forwarded.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ..model import REMOTE_USER

if TYPE_CHECKING:
    from ..ssm.channel import DataChannel


@contextlib.asynccontextmanager
async def ssh_connection(open_channel: Callable[[], Awaitable[DataChannel]], host: str) -> AsyncIterator[Any]:
    """An asyncssh connection whose transport is a fresh data channel."""
    import asyncssh

    from ..ssm.tunnel import ChannelTunnel

    tunnel = ChannelTunnel(open_channel)
    # SSM authenticates the session; the space's sshd accepts sagemaker-user without keys.
    async with asyncssh.connect(
        host,
        tunnel=tunnel,
        username=REMOTE_USER,
        known_hosts=None,
        client_keys=None,
        agent_path=None,
        config=None,
        keepalive_interval=30,
    ) as conn:
        yield conn


async def run_command(conn: Any, command: list[str]) -> int:
    import asyncssh

    stdin: Any = sys.stdin.buffer if _is_stream(sys.stdin.fileno()) else asyncssh.DEVNULL
    process = await conn.create_process(
        " ".join(command), stdin=stdin, stdout=sys.stdout.buffer, stderr=sys.stderr.buffer, encoding=None
    )
    result = await process.wait()
    return _status(result.exit_status, result.exit_signal)


async def run_shell(conn: Any) -> int:
    """An interactive login shell on the local terminal."""
    import termios
    import tty

    fd = sys.stdin.fileno()
    size = os.get_terminal_size(fd)
    process = await conn.create_process(
        term_type=os.environ.get("TERM", "xterm-256color"),
        term_size=(size.columns, size.lines),
        stdin=sys.stdin.buffer,
        stdout=sys.stdout.buffer,
        stderr=sys.stderr.buffer,
        encoding=None,
    )
    loop = asyncio.get_running_loop()

    def resized() -> None:
        new = os.get_terminal_size(fd)
        process.change_terminal_size(new.columns, new.lines)

    saved = termios.tcgetattr(fd)
    loop.add_signal_handler(signal.SIGWINCH, resized)
    try:
        tty.setraw(fd)
        result = await process.wait()
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        loop.remove_signal_handler(signal.SIGWINCH)
    return _status(result.exit_status, result.exit_signal)


def _is_stream(fd: int) -> bool:
    """Whether local stdin is something to forward: a pipe, a socket or a regular file (like ssh,
    minus the terminal: a command gets no terminal input)."""
    import stat

    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISREG(mode)


def _status(exit_status: int | None, exit_signal: Any) -> int:
    if exit_status is not None and exit_status >= 0:
        return exit_status
    return 255 if exit_signal else 0
