"""Through the alias, end to end: `ssh-config install --yes` into a temporary HOME, then the real
OpenSSH client (ssh, scp, sftp) and rsync reach the simulated space by name, via our ProxyCommand,
real websockets, the simulated agent and the space's SSH host — all on 127.0.0.1."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sm_spaces.demo.server import DemoServer

SM = [sys.executable, "-m", "sm_spaces"]
ALIAS = "sm-fraud-detection"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A simulated account on a thread, and a HOME whose ~/.ssh/config has our block."""
    home = tmp_path_factory.mktemp("home")
    handle = DemoServer(transition_delay=0.0).start_in_thread()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(handle.server.env())
    env.update(
        HOME=str(home),
        AWS_CONFIG_FILE=str(home / "absent-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "absent-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    try:
        proc = run([*SM, "ssh-config", "install", "--yes"], env)
        assert proc.returncode == 0, proc.stderr
        yield home, env
    finally:
        handle.stop()


def run(argv, env, **kw):
    return subprocess.run(
        argv, capture_output=True, timeout=120, env=env, stdin=kw.pop("stdin", subprocess.DEVNULL), **kw
    )


def ssh_config(home: Path) -> str:
    return str(home / ".ssh" / "config")


def test_the_block_is_installed_with_the_alias(installed):
    home, _ = installed
    text = Path(ssh_config(home)).read_text()
    assert f"Host {ALIAS}\n" in text
    assert (home / ".ssh" / "config").stat().st_mode & 0o777 == 0o600


def test_ssh_alias_echo_ok(installed):
    # OpenSSH finds ~/.ssh/config through the password database, not $HOME: hence -F everywhere.
    home, env = installed
    proc = run(["ssh", "-F", ssh_config(home), ALIAS, "echo ok"], env)
    assert proc.stdout == b"ok\n", proc.stderr
    assert proc.returncode == 0


def test_ssh_alias_exit_status_and_stdin(installed):
    home, env = installed
    proc = run(["ssh", "-F", ssh_config(home), ALIAS, "cat; exit 5"], env, input=b"piped bytes\n", stdin=None)
    assert proc.stdout == b"piped bytes\n", proc.stderr
    assert proc.returncode == 5


@pytest.mark.parametrize("legacy", [False, True], ids=["sftp-protocol", "scp-protocol"])
def test_scp_up_and_back_keeps_every_byte(installed, tmp_path, legacy):
    home, env = installed
    payload = secrets.token_bytes(300_000) + bytes(range(256))
    source, back = tmp_path / "up.bin", tmp_path / "back.bin"
    source.write_bytes(payload)
    mode = ["-O"] if legacy else []
    remote = f"e2e-{'scp' if legacy else 'sftp'}.bin"
    up = run(["scp", *mode, "-F", ssh_config(home), str(source), f"{ALIAS}:{remote}"], env)
    assert up.returncode == 0, up.stderr
    down = run(["scp", *mode, "-F", ssh_config(home), f"{ALIAS}:{remote}", str(back)], env)
    assert down.returncode == 0, down.stderr
    assert back.read_bytes() == payload
    listed = run(["ssh", "-F", ssh_config(home), ALIAS, f"wc -c < {remote}"], env)
    assert listed.stdout.strip() == str(len(payload)).encode()


def test_sftp_batch(installed, tmp_path):
    home, env = installed
    (tmp_path / "note.txt").write_text("hello sftp\n")
    batch = tmp_path / "batch"
    batch.write_text(f"put {tmp_path / 'note.txt'} note.txt\nget note.txt {tmp_path / 'again.txt'}\n")
    proc = run(["sftp", "-F", ssh_config(home), "-b", str(batch), ALIAS], env)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "again.txt").read_text() == "hello sftp\n"


def test_rsync_to_the_alias_and_back(installed, tmp_path):
    rsync = shutil.which("rsync")
    if rsync is None:
        pytest.fail("rsync is not installed (apt-get install -y rsync); CI installs it")
    home, env = installed
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    files = {"a.txt": b"alpha\n", "sub/b.bin": secrets.token_bytes(70_000), "sub/empty": b""}
    for name, data in files.items():
        (tree / name).write_bytes(data)
    transport = f"ssh -F {ssh_config(home)}"
    up = run([rsync, "-a", "-e", transport, f"{tree}/", f"{ALIAS}:synced/"], env)
    assert up.returncode == 0, up.stderr
    back = tmp_path / "back"
    down = run([rsync, "-a", "-e", transport, f"{ALIAS}:synced/", f"{back}/"], env)
    assert down.returncode == 0, down.stderr
    assert {p.relative_to(back).as_posix(): p.read_bytes() for p in back.rglob("*") if p.is_file()} == files
    # A second run finds nothing to send (rsync's delta logic talks to the remote rsync).
    again = run([rsync, "-a", "--itemize-changes", "-e", transport, f"{tree}/", f"{ALIAS}:synced/"], env)
    assert again.returncode == 0 and again.stdout == b"", again.stderr
