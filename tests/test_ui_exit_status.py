"""The TUI's exit status tells the truth: `sm-spaces --demo` run the way a user runs it, on a
pseudo-terminal, ended by q, by Ctrl-C, by SIGINT from outside, and by a crash."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time

import pytest

FIRST_FRAME = b" spaces"  # the header counts the spaces: the app has painted and reads keys
# A fault planted in the child: `g` (group) raises, as any bug in a handler would.
CRASH_ON_G = (
    "import sm_spaces.ui.app as ui_app\n"
    "def broken(self): raise ZeroDivisionError('planted')\n"
    "ui_app.SpacesApp.action_toggle_group = broken\n"
    "from sm_spaces.cli import main\n"
    "raise SystemExit(main(['--demo']))\n"
)


class Terminal:
    """A program on a pseudo-terminal of 140x40: what it wrote, keys typed into it, its end."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 140, 0, 0))
        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
        )
        os.close(slave)
        self.output = b""

    def read_until(self, marker: bytes, timeout: float = 60.0) -> bool:
        deadline = time.monotonic() + timeout
        while marker not in self.output and time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # the program ended and closed the terminal
                    return marker in self.output
                if not chunk:
                    break
                self.output += chunk
            elif self.proc.poll() is not None:
                break
        return marker in self.output

    def type(self, data: bytes) -> None:
        os.write(self.master, data)

    def wait(self, timeout: float = 60.0) -> int:
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self.read_until(b"\0never\0", timeout=0.2)
        self.read_until(b"\0never\0", timeout=0.2)  # what it wrote last
        return self.proc.wait(timeout=1)

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        os.close(self.master)


@pytest.fixture
def terminal():
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        TERM="xterm-256color",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    opened: list[Terminal] = []

    def start(*argv: str) -> Terminal:
        term = Terminal([sys.executable, *argv], env)
        opened.append(term)
        assert term.read_until(FIRST_FRAME), term.output[-500:]
        return term

    yield start
    for term in opened:
        term.close()


def test_q_exits_0(terminal):
    term = terminal("-m", "sm_spaces", "--demo")
    term.type(b"q")
    assert term.wait() == 0
    assert b"interrupted" not in term.output


@pytest.mark.parametrize("how", ["ctrl+c", "SIGINT"])
def test_interrupt_exits_130_with_one_line(terminal, how):
    term = terminal("-m", "sm_spaces", "--demo")
    if how == "ctrl+c":
        term.type(b"\x03")  # the terminal is raw: Ctrl-C arrives as a key
    else:
        os.kill(term.proc.pid, signal.SIGINT)  # kill -INT, a supervisor, timeout -s INT
    assert term.wait() == 130
    assert term.output.count(b"interrupted") == 1
    assert b"Traceback" not in term.output and b"Unclosed" not in term.output


def test_a_crash_exits_non_zero(terminal):
    term = terminal("-c", CRASH_ON_G)
    term.type(b"g")
    assert term.wait() == 1
    assert b"planted" in term.output  # Textual shows what went wrong
