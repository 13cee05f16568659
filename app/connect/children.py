"""Ending with our children: signals sent to `connect` (or `ssh-proxy --plugin`) reach the program
it runs, and we exit the way the signal asks.

ssh runs in the foreground in our own process group, so it keeps the terminal (it reads from it
and sets raw mode there) and a Ctrl-C typed there reaches it directly. What reaches only us —
`kill`, `timeout`, a supervisor's SIGTERM, a hang-up — is passed on; ssh, as it exits, ends its
ProxyCommand (our ssh-proxy) with SIGHUP, and ssh-proxy ends the session-manager-plugin it runs
the same way. A child that outlives the signal by GRACE_SECONDS is killed. Nothing is then left
holding our caller's pipes. SIGINT becomes KeyboardInterrupt once the child is gone (the command
line prints one "interrupted" and exits 130); SIGTERM and SIGHUP exit 128 + N, silently, as a
shell reports a process they ended.

The in-process paths (asyncssh, app/connect/inprocess.py) have no child: there the same signals
close the session, so an interactive one restores the terminal from raw mode on the way out.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Callable, Iterator

FORWARDED = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
GRACE_SECONDS = 5.0
PARENT_CHECK_SECONDS = 0.5


def exit_status_for(signum: int) -> int:
    """How we end after `signum`: KeyboardInterrupt for SIGINT, else the status 128 + N."""
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    return 128 + signum


@contextlib.contextmanager
def handling(signals: tuple[signal.Signals, ...], handler: Callable[[int], None]) -> Iterator[None]:
    loop = asyncio.get_running_loop()
    for signum in signals:
        loop.add_signal_handler(signum, handler, signum)
    try:
        yield
    finally:
        for signum in signals:
            loop.remove_signal_handler(signum)


async def run_in_foreground(
    argv: list[str], env: dict[str, str] | None = None, *, end_with_parent: bool = False
) -> int:
    """Run `argv` on our stdin, stdout and stderr; its exit status, or ours after a signal.

    `end_with_parent` (ssh-proxy, whose parent is ssh): a parent that dies without a word — ssh
    killed by SIGTERM while still connecting has no handler yet to end its ProxyCommand — counts
    as a SIGHUP, checked every PARENT_CHECK_SECONDS."""
    child = await asyncio.create_subprocess_exec(*argv, env=env)
    received: list[int] = []
    signalled = asyncio.Event()

    def forward(signum: int) -> None:
        received.append(signum)
        signalled.set()
        with contextlib.suppress(ProcessLookupError):
            child.send_signal(signum)

    with handling(FORWARDED, forward):
        ended = asyncio.ensure_future(child.wait())
        told = asyncio.ensure_future(signalled.wait())
        orphaned = asyncio.ensure_future(_parent_gone() if end_with_parent else asyncio.Event().wait())
        await asyncio.wait([ended, told, orphaned], return_when=asyncio.FIRST_COMPLETED)
        if orphaned.done() and not received:
            forward(signal.SIGHUP)
        told.cancel()
        orphaned.cancel()
        if not ended.done():
            try:
                await asyncio.wait_for(asyncio.shield(ended), GRACE_SECONDS)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    child.kill()
                await ended
        status = ended.result()
    return exit_status_for(received[0]) if received else status


async def _parent_gone() -> None:
    parent = os.getppid()
    # Nothing signals a parent's death portably (PR_SET_PDEATHSIG is Linux's alone), so look: a
    # dead parent's orphans are adopted by init or a subreaper.
    while os.getppid() == parent:  # noqa: ASYNC110
        await asyncio.sleep(PARENT_CHECK_SECONDS)
