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

import itertools
import os
import re
import shlex
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
        self._tmux("kill-server")

    def __enter__(self) -> TerminalSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
