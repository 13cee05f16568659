"""Handing the terminal to a child process (the system `ssh`) and taking it back.

The child runs while the app is suspended (Textual gives the terminal back as it was before the
app started). The event loop keeps running meanwhile — open port forwards keep serving and the
in-process simulated account keeps answering — but nothing may paint over the child, so repaints
are held with `batch_update()` and the background refresh and polling are paused (Background.paused).

The process runner is injectable: `App.suspend()` raises SuspendNotSupported under `run_test`, so
tests hand in a runner that runs the same argv without a terminal.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
from collections.abc import Awaitable, Callable
from typing import NamedTuple

from textual.app import App

STDERR_TAIL = 4096  # bytes of the child's stderr kept to explain a failure after the TUI is back


class Handoff(NamedTuple):
    """How the child ended: its exit status and the end of what it wrote on stderr."""

    returncode: int
    stderr: str = ""

    def failure_line(self) -> str:
        """The line that explains a failure: our proxy's `sm-spaces: …` line when there is one (ssh's
        own complaint about the closed connection follows it), else the last line."""
        lines = [line.strip() for line in self.stderr.splitlines() if line.strip()]
        ours = [line for line in lines if line.startswith("sm-spaces:")]
        return (ours or lines or [""])[-1]


Runner = Callable[[list[str], dict[str, str]], Awaitable[Handoff]]


class HandoffError(Exception):
    """The terminal could not be handed over; one line for the user."""


def _keep_running(signum: int, frame: object) -> None:
    """SIGINT while the terminal is handed over belongs to the child. A handler (not SIG_IGN) so
    that the child, after exec, gets the default disposition and ssh installs its own."""


async def run_in_terminal(app: App[int], argv: list[str], env: dict[str, str], banner: str = "") -> Handoff:
    """The default runner: suspend the app, run `argv` on the real terminal, come back when it exits.

    The child's stderr is passed through to the terminal as it arrives and its end kept, so a
    failure (StartSession refused, ssh missing a host) can be told again once the TUI is back."""
    from textual.app import SuspendNotSupported

    try:
        with app.batch_update(), app.suspend():
            if banner:
                os.write(2, banner.encode("utf-8", "replace"))
            main_thread = threading.current_thread() is threading.main_thread()
            previous = signal.signal(signal.SIGINT, _keep_running) if main_thread else None
            try:
                proc = await asyncio.create_subprocess_exec(*argv, env=env, stderr=asyncio.subprocess.PIPE)
                tail = await _tee(proc.stderr)
                returncode = await proc.wait()
            finally:
                if main_thread:
                    signal.signal(signal.SIGINT, previous)
    except SuspendNotSupported:
        raise HandoffError(
            "this terminal cannot be handed over to ssh (suspending the app is not "
            "supported here); connect with `sm-spaces connect SPACE` instead"
        ) from None
    except FileNotFoundError as err:
        raise HandoffError(f"cannot run {argv[0]}: {err.strerror}") from None
    return Handoff(returncode, tail.decode("utf-8", "replace"))


async def _tee(stream: asyncio.StreamReader | None) -> bytes:
    """Copy `stream` to our stderr (the terminal) until EOF; return its last STDERR_TAIL bytes."""
    tail = b""
    if stream is None:
        return tail
    while chunk := await stream.read(4096):
        with contextlib.suppress(OSError):
            os.write(2, chunk)
        tail = (tail + chunk)[-STDERR_TAIL:]
    return tail
