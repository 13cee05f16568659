"""The terminal the TUI tests drive (tests/terminal_session.py) leaves nothing running when it is
closed, even when the test failed before the program ended and the program ignores hang-ups."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from tests.terminal_session import TerminalSession

STUCK = (
    "import signal, time; signal.signal(signal.SIGHUP, signal.SIG_IGN); "
    "signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); time.sleep(600)"
)


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_closing_ends_a_program_that_ignores_hangups(tmp_path: Path) -> None:
    with TerminalSession([sys.executable, "-c", STUCK], dict(os.environ), tmp_path) as term:
        assert term.wait_for("up"), term.screen()
        under = term._processes()
        assert len(under) >= 2  # script, and the program it runs in a session of its own
    for _ in range(100):  # a hang guard, not a timing claim
        if not any(_running(pid) for pid in under):
            break
        time.sleep(0.05)
    assert not any(_running(pid) for pid in under)
