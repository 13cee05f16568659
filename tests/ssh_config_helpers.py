"""Shared helpers for the ssh_config tests: run the real OpenSSH client on a config file."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SSH = shutil.which("ssh") or "/usr/bin/ssh"
ARN_FOO = "arn:aws:sagemaker:us-east-1:123456789012:space/d-abc123/foo"
ARN_BAR = "arn:aws:sagemaker:eu-west-1:123456789012:space/d-xyz789/bar"


def ssh_g(config: Path, host: str) -> dict[str, str]:
    """`ssh -G -F config host` as {option: value}; fails the test if ssh rejects the file."""
    result = subprocess.run(
        [SSH, "-G", "-F", str(config), host],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    options: dict[str, str] = {}
    for line in result.stdout.decode(errors="replace").splitlines():
        key, _, value = line.partition(" ")
        options.setdefault(key, value)
    return options


def ssh_g_raw(config: Path, host: str) -> tuple[int, bytes]:
    result = subprocess.run(
        [SSH, "-G", "-F", str(config), host],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=30,
    )
    return result.returncode, result.stdout
