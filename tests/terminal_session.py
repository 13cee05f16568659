"""sm-spaces on a real terminal, for tests: tmux gives it a pseudo-terminal of a fixed size (its own
tmux server, so nothing else is disturbed) and `script` records every byte it writes there.

    with TerminalSession([*SM, "--endpoint-url", url], env, tmp_path) as term:
        assert term.wait_for("fraud-detection")
        term.keys("q")
        assert term.wait_exit()
    term.output()       # the bytes the program wrote to its terminal
    term.exit_code      # its exit status, as `script` recorded it
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shlex
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

_numbers = itertools.count()


class TerminalSession:
    def __init__(
        self, argv: list[str], env: dict[str, str], tmp: Path, size: tuple[int, int] = (120, 40)
    ) -> None:
        self.socket = f"sm-spaces-test-{os.getpid()}-{next(_numbers)}"
        self.record = tmp / f"typescript-{self.socket}"
        inner = shlex.join(argv)
        command = shlex.join(["script", "-q", "-f", "-e", "-c", inner, str(self.record)])
        self._tmux(
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            str(size[0]),
            "-y",
            str(size[1]),
            command,
            env=env,
        )

    def _tmux(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, env=env, timeout=30
        )

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "t").stdout

    def wait_for(self, text: str, timeout: float = 90) -> bool:
        """Whether `text` appears on the screen before `timeout` seconds pass."""
        return self.wait_until(lambda screen: text in screen, timeout)

    def wait_until(self, holds: Callable[[str], bool], timeout: float = 90) -> bool:
        """Whether the screen satisfies `holds` before `timeout` seconds pass."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if holds(self.screen()):
                return True
            if not self.alive():
                return False
            time.sleep(0.2)
        return holds(self.screen())

    def keys(self, *keys: str) -> None:
        """Keys by tmux's names: "Enter", "Escape", "C-c", "q"."""
        self._tmux("send-keys", "-t", "t", *keys)

    def type(self, text: str) -> None:
        """`text`, character for character."""
        self._tmux("send-keys", "-t", "t", "-l", text)

    def alive(self) -> bool:
        return self._tmux("has-session", "-t", "t").returncode == 0

    def wait_exit(self, timeout: float = 60) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                return True
            time.sleep(0.2)
        return not self.alive()

    def raw(self) -> bytes:
        return self.record.read_bytes() if self.record.exists() else b""

    def output(self) -> bytes:
        """What the program wrote, without the header and footer lines `script` adds."""
        data = self.raw()
        body = data.split(b"\n", 1)[1] if b"\n" in data else b""
        done = body.rfind(b"\nScript done on ")
        return body[:done] if done >= 0 else body

    @property
    def exit_code(self) -> int | None:
        found = re.search(rb'COMMAND_EXIT_CODE="(\d+)"', self.raw())
        return int(found.group(1)) if found else None

    def close(self) -> None:
        """End the terminal and everything that ran in it. A test that failed midway leaves the
        program running: `script` runs it in a session (and process group) of its own, which the
        hang-up of tmux's kill-server may not end, so each process group under the pane is killed."""
        under = self._processes()
        self._tmux("kill-server")
        groups = set()
        for pid in under:
            with contextlib.suppress(OSError):
                groups.add(os.getpgid(pid))
        groups.discard(os.getpgrp())  # never the test runner's own
        for group in groups:
            with contextlib.suppress(OSError):
                os.killpg(group, signal.SIGKILL)

    def _processes(self) -> list[int]:
        """The pane's process (`script`) and all its descendants, from /proc."""
        panes = self._tmux("list-panes", "-a", "-F", "#{pane_pid}").stdout.split()
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
        found: list[int] = []
        todo = [int(pane) for pane in panes if pane.isdigit()]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo += children.get(pid, [])
        return found

    def __enter__(self) -> TerminalSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
