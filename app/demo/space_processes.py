"""Shell and exec sessions on the simulated space: real `bash` processes in the space's home.

With a PTY the child gets a real pseudo-terminal (so `ssh -t`, editors and job control work);
without one, plain pipes keep stdout and stderr apart. Output is pumped to EOF before the exit
status is reported, so a client never loses the tail of a command's output.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import pty
import signal
import struct
import termios
from pathlib import Path

import asyncssh

READ_SIZE = 64 * 1024


def minimal_environment(home: Path, user: str, term: str | None) -> dict[str, str]:
    """What a login on the space sees: no variables (credentials!) leak from the demo process."""
    env = {
        "HOME": str(home),
        "USER": user,
        "LOGNAME": user,
        "SHELL": "/bin/bash",
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        # tmux on the space (connect --persist) keeps its server's socket in the space's home, not
        # in the /tmp of the machine the simulator shares with the user's own tmux.
        "TMUX_TMPDIR": str(home),
    }
    if term:
        env["TERM"] = term
        # The prompt a Studio space shows; --norc below keeps the host's bashrc from replacing it.
        env["PS1"] = rf"{user}@{home.name.split('-', 1)[-1]}:\w$ "
    return env


async def run_process(process: asyncssh.SSHServerProcess, home: Path, user: str) -> None:
    command = process.command
    term = process.get_terminal_type()
    env = minimal_environment(home, user, term)
    try:
        if term:
            argv = ["bash", "-c", command] if command else ["bash", "--norc", "-i"]
            code = await _run_with_pty(process, argv, env, home)
        else:
            argv = ["bash", "-c", command] if command else ["bash"]
            code = await _run_with_pipes(process, argv, env, home)
    except (asyncssh.Error, ConnectionError, BrokenPipeError):
        return
    process.exit(code)


async def _run_with_pipes(
    process: asyncssh.SSHServerProcess, argv: list[str], env: dict[str, str], home: Path
) -> int:
    child = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=home,
        env=env,
        start_new_session=True,
    )
    assert child.stdin and child.stdout and child.stderr
    feeder = asyncio.create_task(_feed_stdin(process, child.stdin))
    try:
        await asyncio.gather(_copy_out(child.stdout, process.stdout), _copy_out(child.stderr, process.stderr))
        return await child.wait()
    finally:
        feeder.cancel()
        await _stop(child)


async def _feed_stdin(process: asyncssh.SSHServerProcess, stdin: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, BrokenPipeError, asyncssh.Error):
        while data := await process.stdin.read(READ_SIZE):
            stdin.write(data)
            await stdin.drain()
        stdin.close()


async def _copy_out(source: asyncio.StreamReader, target: asyncssh.SSHWriter) -> None:
    while data := await source.read(READ_SIZE):
        target.write(data)
        await target.drain()


async def _run_with_pty(
    process: asyncssh.SSHServerProcess, argv: list[str], env: dict[str, str], home: Path
) -> int:
    master, slave = pty.openpty()
    _set_size(master, process.get_terminal_size())
    try:
        child = await asyncio.create_subprocess_exec(
            *argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=home,
            env=env,
            start_new_session=True,
            preexec_fn=_take_controlling_terminal,
        )
    finally:
        os.close(slave)
    os.set_blocking(master, False)
    feeder = asyncio.create_task(_feed_pty(process, master))
    try:
        await _copy_pty_out(master, process.stdout)
        return await child.wait()
    finally:
        feeder.cancel()
        with contextlib.suppress(BaseException):
            await feeder
        os.close(master)
        await _stop(child)


def _take_controlling_terminal() -> None:
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _set_size(fd: int, size: tuple[int, int, int, int]) -> None:
    width, height, pixwidth, pixheight = size
    if width and height:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, pixwidth, pixheight))


async def _wait_fd(fd: int, writable: bool) -> None:
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()
    add, remove = (loop.add_writer, loop.remove_writer) if writable else (loop.add_reader, loop.remove_reader)

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    add(fd, wake)
    try:
        await ready
    finally:
        remove(fd)


async def _copy_pty_out(master: int, target: asyncssh.SSHWriter) -> None:
    while True:
        try:
            data = os.read(master, READ_SIZE)
        except BlockingIOError:
            await _wait_fd(master, writable=False)
            continue
        except OSError:
            return  # EIO: every process holding the terminal has gone
        if not data:
            return
        target.write(data)
        await target.drain()


async def _feed_pty(process: asyncssh.SSHServerProcess, master: int) -> None:
    while True:
        try:
            data = await process.stdin.read(READ_SIZE)
        except asyncssh.TerminalSizeChanged as change:
            _set_size(master, (change.width, change.height, change.pixwidth, change.pixheight))
            continue
        except (asyncssh.Error, ConnectionError):
            return
        if not data:
            data = b"\x04"  # EOF from the client: what Ctrl-D does on a terminal
        view = memoryview(data)
        while view:
            try:
                written = os.write(master, view)
            except BlockingIOError:
                await _wait_fd(master, writable=True)
                continue
            except OSError:
                return
            view = view[written:]
        if data == b"\x04" and process.stdin.at_eof():
            return


async def _stop(child: asyncio.subprocess.Process) -> None:
    if child.returncode is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, signal.SIGHUP)
    # Reap it, so its transport is closed while the loop still runs (a demo server stopping with a
    # session still open, as one waiting to be resumed, would otherwise leave it to the collector).
    with contextlib.suppress(BaseException):
        async with asyncio.timeout(5):
            await child.wait()
