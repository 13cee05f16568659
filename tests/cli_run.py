"""Running `python -m sm_spaces` as a user does, for the command-line tests."""

from __future__ import annotations

import shlex
import subprocess
import sys
from collections.abc import Iterable
from typing import Any

SM = [sys.executable, "-m", "sm_spaces"]


def run(env: dict[str, str], *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SM, *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, env=env
    )


def run_argv(argv: list[str], env: dict[str, str], **kw: Any) -> subprocess.CompletedProcess[str]:
    """`argv` (any program) as `run` runs ours: text, captured, no stdin unless `stdin=` is given."""
    return subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        stdin=kw.pop("stdin", subprocess.DEVNULL),
        **kw,
    )


def serve_exports(lines: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """What `sm-spaces demo serve` prints before it serves (app/demo/serve_cli.py), read up to its
    "# Ctrl-C" line: the environment its `export NAME=value` lines set, and its comment lines."""
    exports: dict[str, str] = {}
    comments: list[str] = []
    for line in lines:
        if line.startswith("# Ctrl-C"):
            break
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").strip().partition("=")
            exports[name] = "".join(shlex.split(value))  # the server shlex.quote's each value
        elif line.startswith("#"):
            comments.append(line.strip())
    return exports, comments


def one_line(proc: subprocess.CompletedProcess[str]) -> str:
    """The single line a failure prints on stderr (never a traceback)."""
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]
