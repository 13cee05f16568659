"""`connect --persist`: a shell on the space that outlives its connection, kept in tmux.

The shell runs inside a tmux session on the space, attached if it exists and created if not (`tmux
new-session -A`), so whatever runs there carries on while no one is connected. When the connection
is lost and cannot be resumed (ResumeSession refused, the session timed out, the space's agent
restarted), ssh exits 255; `connect` then starts a new session and attaches to the same tmux
session, a bounded number of times. In-process asyncssh (`--with asyncssh`) does the same over a
new connection each time; the TUI's persist setting runs the system ssh's loop
(app/ui/connecting.py). Where tmux is missing the space gets a plain login shell, and says that it
will not outlive the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

TMUX_SESSION = "sm-spaces"
# One shell word for ssh's remote command (run by the space's shell).
REMOTE_COMMAND = (
    f"if command -v tmux >/dev/null 2>&1; then exec tmux new-session -A -s {TMUX_SESSION}; else "
    "echo 'sm-spaces: tmux is not installed on the space: a plain shell, which ends with the "
    'connection\' >&2; exec "${SHELL:-/bin/bash}" -l; fi'
)
CONNECTION_LOST = 255  # ssh's exit status when the connection failed or was lost
RECONNECTS = 5


async def run_persistent(
    connect: Callable[[], Awaitable[int]], space: str, tell: Callable[[str], None], *, pause: float = 1.0
) -> int:
    """Run `connect` (an ssh to the space's tmux session) again each time its connection is lost,
    at most RECONNECTS times in a row; the exit status of the last run."""
    lost = 0
    while True:
        status = await connect()
        if status != CONNECTION_LOST:
            return status
        if lost >= RECONNECTS:
            tell(f"the connection to {space} was lost {lost + 1} times in a row; giving up")
            return status
        lost += 1
        tell(
            f"the connection to {space} was lost; starting a new session and attaching to tmux "
            f"session {TMUX_SESSION!r} ({lost}/{RECONNECTS})"
        )
        await asyncio.sleep(pause * lost)


async def persistent_inprocess(
    connection: Callable[[], contextlib.AbstractAsyncContextManager[Any]],
    space: str,
    tell: Callable[[str], None],
    *,
    pause: float = 1.0,
) -> int:
    """run_persistent for in-process asyncssh: each try opens `connection()` (a new session) and
    runs the tmux command on a remote terminal; a connection lost under it, or lost while it was
    being made, counts as ssh's 255 and is told in one line."""
    import asyncssh

    from .inprocess import SessionLost, run_shell

    async def once() -> int:
        try:
            async with connection() as conn:
                return await run_shell(conn, REMOTE_COMMAND)
        except (SessionLost, asyncssh.Error) as lost:
            tell(str(lost) or type(lost).__name__)
            return CONNECTION_LOST

    return await run_persistent(once, space, tell, pause=pause)
