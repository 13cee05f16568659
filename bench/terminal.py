"""A program on a pseudo-terminal, as a user runs it: keys go in, what it draws comes out.

The benchmarks that time or watch the TUI start it this way (not under Textual's `run_test`), so
they see its real start-up, driver and screen updates.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import termios
import time

# Textual moves the cursor before each changed span of a line; any other escape sequence (styles,
# modes, OSC) carries no text.
_MOVE = re.compile(r"\x1b\[\d+;\d+H")
_OTHER_ESCAPE = re.compile(r"\x1b\[[0-9;?<=>]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


class PtyProgram:
    """`argv` on a fresh pseudo-terminal of `columns` × `rows`, in a session of its own."""

    def __init__(self, argv: list[str], env: dict[str, str], *, columns: int = 120, rows: int = 40) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
        )
        os.close(slave)
        self._pending = ""  # a span not ended yet: the next read may continue it

    @property
    def pid(self) -> int:
        return self.proc.pid

    def read(self, timeout: float) -> bytes:
        """What the program wrote within `timeout` seconds (b"" if nothing; EOFError once it ended)."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            if self.proc.poll() is not None:
                raise EOFError(f"the program exited with status {self.proc.returncode}")
            return b""
        try:
            chunk = os.read(self.master, 65536)
        except OSError:
            chunk = b""
        if not chunk:
            raise EOFError("the program closed its terminal")
        return chunk

    def spans(self, timeout: float) -> list[str]:
        """The text of each span of a line the program redrew within `timeout` seconds, escapes removed.

        A span is what follows one cursor move; the last one is held back until the next move
        shows it ended."""
        text = self._pending + self.read(timeout).decode(errors="replace")
        parts = _MOVE.split(text)
        self._pending = parts.pop()
        return [_OTHER_ESCAPE.sub("", part) for part in parts]

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        os.close(self.master)

    def __enter__(self) -> PtyProgram:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def wait_for(program: PtyProgram, marker: bytes, timeout: float = 30.0) -> None:
    """Return once `marker` shows in the program's output (RuntimeError if it never does)."""
    start = time.perf_counter()
    seen = b""
    try:
        while time.perf_counter() - start < timeout:
            seen += program.read(0.5)
            if marker in seen:
                return
    except EOFError:
        pass
    raise RuntimeError(f"{marker.decode()} never appeared on screen; output ended with {seen[-300:]!r}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time process `pid` has used so far (its threads included)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """Resident memory of process `pid`, in MB (2**20 bytes)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")
