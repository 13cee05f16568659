"""Running `python -m sm_spaces` as a user does, for the command-line tests."""

from __future__ import annotations

import subprocess
import sys

SM = [sys.executable, "-m", "sm_spaces"]


def run(env: dict[str, str], *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SM, *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, env=env
    )


def one_line(proc: subprocess.CompletedProcess[str]) -> str:
    """The single line a failure prints on stderr (never a traceback)."""
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]
