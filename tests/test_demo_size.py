"""`--size DOMAINSxSPACES`: a generated simulated account (DemoAccount.generate) for `demo serve`, the
TUI's and every command's `--demo`; bad input is one line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_run import SM, one_line, run, serve_exports


def _env() -> dict[str, str]:
    """The test's environment (its own settings and cache: conftest) without the user's AWS_*."""
    return {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}


def test_demo_list_at_a_given_size() -> None:
    proc = run(_env(), "--demo", "--size", "7x30", "list", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert len(rows) == 210
    assert len({r["domain_id"] for r in rows}) == 7


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("--demo", "--size", "50by40", "list"),
            "sm-spaces: --size '50by40': expected DOMAINSxSPACES, e.g. 50x40 or 1x10000",
        ),
        (
            ("--demo", "--size", "0x10", "list"),
            "sm-spaces: --size '0x10': from 1 to 1000 domains and 1 to 100,000 spaces in all",
        ),
        (
            ("--demo", "--size", "400x400", "list"),
            "sm-spaces: --size '400x400': from 1 to 1000 domains and 1 to 100,000 spaces in all",
        ),
        (
            ("--size", "5x5", "list"),
            "sm-spaces: --size sets the simulated account's size: add --demo, or use `demo serve --size`",
        ),
        (
            ("demo", "serve", "--size", "1x0"),
            "sm-spaces: --size '1x0': from 1 to 1000 domains and 1 to 100,000 spaces in all",
        ),
    ],
)
def test_bad_sizes_are_one_line(args: tuple[str, ...], line: str) -> None:
    proc = run(_env(), *args)
    assert proc.returncode == 2
    assert one_line(proc) == line


def test_demo_serve_at_size_serves_a_foreign_client(tmp_path: Path) -> None:
    env = _env()
    proc = subprocess.Popen(
        [*SM, "demo", "serve", "--size", "1x2500", "--delay", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        exports, comments = serve_exports(proc.stdout)  # type: ignore[arg-type]
        (header,) = [line for line in comments if line.startswith("# sm-spaces demo account")]
        assert "2,500 spaces" in header
        env |= exports | {
            "AWS_CONFIG_FILE": str(tmp_path / "none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        }
        probe = (
            "import botocore.session as b\n"
            "sm = b.Session().create_client('sagemaker')\n"
            "pages = sm.get_paginator('list_spaces').paginate(PaginationConfig={'PageSize': 100})\n"
            "print(sum(len(p['Spaces']) for p in pages))\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120
        )
        assert out.stdout.strip() == "2500", out.stderr
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
