"""SSH to a space inside this process with asyncssh, over our own data channel.

A command runs with its output streamed and its exit status returned; without a command, an
interactive shell with the local terminal in raw mode and window-size changes forwarded. A
connection lost before the command ends is SessionLost (exit status 255 and a line, as ssh gives),
never a silent 0. asyncssh closes the files it forwards to when the session ends, so it gets
duplicates of our stdin, stdout and stderr, never sys.stdout and sys.stderr themselves (closing
those lost every later message: "I/O operation on closed file ... lost sys.stderr").
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ..aws.errors import AwsError
from ..model import REMOTE_USER

if TYPE_CHECKING:
    import asyncssh

    from ..ssm.channel import DataChannel


class _Watched:
    """Why a connection ended, kept past asyncssh's own clean-up (it drops its client object)."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.lost: BaseException | None = None

    def client(self) -> asyncssh.SSHClient:
        import asyncssh  # imported when a connection is made, not with this module

        watched = self

        class Client(asyncssh.SSHClient):
            def connection_lost(self, exc: Exception | None) -> None:
                watched.lost = exc

        return Client()


_WATCHED: weakref.WeakKeyDictionary[Any, _Watched] = weakref.WeakKeyDictionary()


class SessionLost(AwsError):
    """The connection to the space ended before the remote command or shell did."""

    exit_status = 255  # what ssh exits with when it loses the connection

    def __init__(self, host: str, reason: BaseException | None) -> None:
        self.reason = reason
        why = f" ({reason})" if reason and str(reason) else ""
        super().__init__(f"the connection to {host} was lost before the session ended{why}", kind="endpoint")


@contextlib.asynccontextmanager
async def ssh_connection(open_channel: Callable[[], Awaitable[DataChannel]], host: str) -> AsyncIterator[Any]:
    """An asyncssh connection whose transport is a fresh data channel."""
    import asyncssh

    from ..ssm.tunnel import ChannelTunnel
    from .ssh_config import SERVER_ALIVE_COUNT_MAX, SERVER_ALIVE_INTERVAL_S

    watched = _Watched(host)
    tunnel = ChannelTunnel(open_channel)
    # SSM authenticates the session; the space's sshd accepts sagemaker-user without keys.
    async with asyncssh.connect(
        host,
        client_factory=watched.client,
        tunnel=tunnel,
        username=REMOTE_USER,
        known_hosts=None,
        client_keys=None,
        agent_path=None,
        config=None,
        # As the system ssh's ServerAliveInterval/CountMax (app/connect/ssh_config.py).
        keepalive_interval=SERVER_ALIVE_INTERVAL_S,
        keepalive_count_max=SERVER_ALIVE_COUNT_MAX,
    ) as conn:
        _WATCHED[conn] = watched
        yield conn


async def run_command(conn: Any, command: list[str]) -> int:
    import asyncssh

    stdin: Any = _own(sys.stdin, "rb") if _is_stream(sys.stdin.fileno()) else asyncssh.DEVNULL
    return await _run(
        conn,
        conn.create_process(
            " ".join(command), stdin=stdin, stdout=_own(sys.stdout), stderr=_own(sys.stderr), encoding=None
        ),
    )


async def run_shell(conn: Any, command: str | None = None) -> int:
    """An interactive login shell on the local terminal (or `command` on a remote terminal, as
    `ssh -t HOST COMMAND`)."""
    import termios
    import tty

    fd = sys.stdin.fileno()
    size = os.get_terminal_size(fd)
    loop = asyncio.get_running_loop()
    saved = termios.tcgetattr(fd)
    opened: list[Any] = []

    def resized() -> None:
        if opened:
            new = os.get_terminal_size(fd)
            opened[0].change_terminal_size(new.columns, new.lines)

    def started(process: Any) -> None:
        opened.append(process)
        loop.add_signal_handler(signal.SIGWINCH, resized)
        tty.setraw(fd)

    try:
        return await _run(
            conn,
            conn.create_process(
                command,
                term_type=os.environ.get("TERM", "xterm-256color"),
                term_size=(size.columns, size.lines),
                stdin=_own(sys.stdin, "rb"),
                stdout=_own(sys.stdout),
                stderr=_own(sys.stderr),
                encoding=None,
            ),
            started,
        )
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        loop.remove_signal_handler(signal.SIGWINCH)


async def _run(conn: Any, opening: Awaitable[Any], started: Callable[[Any], None] | None = None) -> int:
    """Open the session (`opening`, asyncssh's create_process) and return the remote exit status.
    SIGTERM, SIGHUP and SIGINT are handled from before the session opens (asyncssh may already
    have written the command's first output when create_process returns): the session is then
    closed (letting asyncssh finish its own clean-up) and we end the way the signal asks."""
    from .children import FORWARDED, exit_status_for, handling

    received: list[int] = []
    opened: list[Any] = []

    def stop(signum: int) -> None:
        received.append(signum)
        if opened:
            opened[0].close()

    with handling(FORWARDED, stop):
        process = await opening
        opened.append(process)
        if received:  # a signal came while the session was opening
            process.close()
        elif started is not None:
            started(process)
        result = await process.wait()
    if received:
        return exit_status_for(received[0])
    return _status(conn, result.exit_status, result.exit_signal)


def _own(stream: Any, mode: str = "wb") -> Any:
    """An unbuffered duplicate of a standard stream's descriptor, for asyncssh to close when done."""
    sys.stdout.flush()
    sys.stderr.flush()
    return os.fdopen(os.dup(stream.fileno()), mode, buffering=0)


def _is_stream(fd: int) -> bool:
    """Whether local stdin is something to forward: a pipe, a socket or a regular file (like ssh,
    minus the terminal: a command gets no terminal input)."""
    import stat

    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISREG(mode)


def _status(conn: Any, exit_status: int | None, exit_signal: Any) -> int:
    if exit_status is not None and exit_status >= 0:
        return exit_status
    if exit_signal:  # the remote command was killed by a signal: ssh exits 255 then too
        return 255
    # Neither a status nor a signal: the connection ended under the session.
    watched = _WATCHED.get(conn)
    raise SessionLost(watched.host if watched else "the space", watched.lost if watched else None)
