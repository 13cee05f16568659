"""`connect --vscode`: the space's alias installed in ~/.ssh/config (with consent), then the editor run
with exactly `--remote ssh-remote+<alias> /home/sagemaker-user`. The editor is a stand-in script on
PATH that records its argv; everything else is real (simulated account on a thread, subprocess CLI)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.cli_run import run_argv

SM = [sys.executable, "-m", "sm_spaces"]
EXPECTED_TAIL = ["--remote", "ssh-remote+sm-fraud-detection", "/home/sagemaker-user"]

STAND_IN = """#!{python}
import json, os, sys
with open(os.environ["EDITOR_ARGV_LOG"], "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
"""


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


def _env(
    demo_env: dict[str, str], home: Path, tmp_path: Path, editors: tuple[str, ...] = ("code",)
) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name in editors:
        script = bin_dir / name
        script.write_text(STAND_IN.format(python=sys.executable))
        script.chmod(0o755)
    env = dict(demo_env, HOME=str(home), EDITOR_ARGV_LOG=str(tmp_path / "argv.log"))
    env["PATH"] = os.pathsep.join([str(bin_dir), "/usr/bin", "/bin"])
    env.pop("XDG_CONFIG_HOME", None)
    return env


def _calls(tmp_path: Path) -> list[list[str]]:
    log = tmp_path / "argv.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_vscode_installs_the_alias_and_runs_code_with_exact_arguments(demo_env, home, tmp_path):
    env = _env(demo_env, home, tmp_path)
    proc = run_argv([*SM, "connect", "fraud-detection", "--vscode", "--yes"], env)
    assert proc.returncode == 0, proc.stderr
    assert _calls(tmp_path) == [EXPECTED_TAIL]
    config = (home / ".ssh" / "config").read_text()
    assert "Host sm-fraud-detection\n" in config
    assert (home / ".ssh" / "config").stat().st_mode & 0o777 == 0o600
    assert "+Host sm-fraud-detection" in proc.stdout  # the diff was shown
    assert "remote.SSH.serverInstallPath" in proc.stderr  # the tip, as settings do not have it yet

    # Second time: the block is current (no diff, no consent needed) and the tip is gone once set.
    settings = home / ".config" / "Code" / "User" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text(
        '{\n  // mine\n  "remote.SSH.serverInstallPath": {"sm-fraud-detection": "/home/sagemaker-user"}\n}\n'
    )
    again = run_argv([*SM, "connect", "fraud-detection", "--vscode"], env)
    assert again.returncode == 0, again.stderr
    assert _calls(tmp_path) == [EXPECTED_TAIL, EXPECTED_TAIL]
    assert "+Host" not in again.stdout and "serverInstallPath" not in again.stderr


def test_cursor_when_asked(demo_env, home, tmp_path):
    env = _env(demo_env, home, tmp_path, editors=("cursor",))
    proc = run_argv([*SM, "connect", "fraud-detection", "--editor", "cursor", "--yes"], env)
    assert proc.returncode == 0, proc.stderr
    assert _calls(tmp_path) == [EXPECTED_TAIL]


def test_without_consent_nothing_is_written_and_no_editor_runs(demo_env, home, tmp_path):
    env = _env(demo_env, home, tmp_path)
    proc = run_argv([*SM, "connect", "fraud-detection", "--vscode"], env)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith("sm-spaces: changing ")
    assert "--yes" in proc.stderr
    assert not (home / ".ssh" / "config").exists()
    assert _calls(tmp_path) == []


def test_declining_on_the_prompt_leaves_the_config_alone(demo_env, home, tmp_path):
    """A terminal that answers 'n' (script(1) gives the child a real tty)."""
    import shutil

    if shutil.which("script") is None:
        pytest.fail("util-linux `script` is needed to give the command a terminal")
    env = _env(demo_env, home, tmp_path)
    (home / ".ssh").mkdir(mode=0o700)
    (home / ".ssh" / "config").write_text("Host mine\n  User me\n")
    command = " ".join([*SM, "connect", "fraud-detection", "--vscode"])
    proc = run_argv(["script", "-qec", command, "/dev/null"], env, input="n\n", stdin=None)
    assert _calls(tmp_path) == []
    assert (home / ".ssh" / "config").read_text() == "Host mine\n  User me\n"
    assert "was not changed" in proc.stdout


def test_missing_editor_says_how_to_install_it(demo_env, home, tmp_path):
    env = _env(demo_env, home, tmp_path, editors=())
    proc = run_argv([*SM, "connect", "fraud-detection", "--vscode", "--yes"], env)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Shell Command: Install 'code' command in PATH" in lines[0]
    assert not (home / ".ssh" / "config").exists()  # refused before any change


def test_vscode_refuses_a_command_and_the_demo(demo_env, home, tmp_path):
    env = _env(demo_env, home, tmp_path)
    proc = run_argv([*SM, "connect", "fraud-detection", "--vscode", "--", "ls"], env)
    assert proc.returncode == 2 and "takes no command" in proc.stderr
    proc = run_argv([*SM, "--demo", "connect", "fraud-detection", "--vscode"], env)
    assert proc.returncode == 2 and "cannot use --demo" in proc.stderr
    assert _calls(tmp_path) == []


def test_a_user_host_claiming_the_alias_is_reported_not_overwritten(demo_env, home, tmp_path):
    env = _env(demo_env, home, tmp_path)
    (home / ".ssh").mkdir(mode=0o700)
    mine = "Host sm-fraud-detection\n  HostName example.org\n"
    (home / ".ssh" / "config").write_text(mine)
    proc = run_argv([*SM, "connect", "fraud-detection", "--vscode", "--yes"], env)
    assert proc.returncode == 1
    assert len(proc.stderr.strip().splitlines()) == 1 and "sm-fraud-detection" in proc.stderr
    assert (home / ".ssh" / "config").read_text() == mine
    assert _calls(tmp_path) == []
