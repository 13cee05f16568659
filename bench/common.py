"""Helpers shared by the benchmarks: process timing, statistics, where the venv's programs are."""

from __future__ import annotations

import atexit
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SM_SPACES = str(Path(sys.executable).with_name("sm-spaces"))

# Every child runs from compiled bytecode, as after a pip install, baselines and ours alike: this
# machine sets PYTHONDONTWRITEBYTECODE, which left our editable install compiling ~4000 lines from
# source on every start (~20 ms) while Textual's site-packages came precompiled. A private cache
# directory, filled by each measurement's warm-up run, keeps the checkout free of __pycache__.
PYCACHE = tempfile.mkdtemp(prefix="sm-spaces-bench-pyc-")
atexit.register(shutil.rmtree, PYCACHE, True)


def sm_spaces() -> list[str]:
    """The console script beside our interpreter, as a user runs it (else `python -m sm_spaces`)."""
    if os.access(SM_SPACES, os.X_OK):
        return [SM_SPACES]
    return [PYTHON, "-m", "sm_spaces"]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def time_process(argv: list[str], *, runs: int, env: dict[str, str] | None = None) -> list[float]:
    """Wall seconds from spawn to exit, `runs` times (after one unmeasured warm-up run)."""
    times: list[float] = []
    env = env if env is not None else child_env()
    for i in range(runs + 1):
        start = time.perf_counter()
        done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed: {done.stderr.decode(errors='replace')[-400:]}")
        if i:
            times.append(elapsed)
    return times


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = PYCACHE
    env.update(extra)
    return env
