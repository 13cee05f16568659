"""Connecting end to end: real OpenSSH client, our ProxyCommand, real websockets, the simulated
agent and the space's SSH host — all on loopback."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.space_ssh import proxy_to, ssh_options

SM = [sys.executable, "-m", "sm_spaces"]


def run(argv, env=None, timeout=120, **kw):
    return subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        stdin=kw.pop("stdin", subprocess.DEVNULL),
        **kw,
    )


@pytest.mark.parametrize("via", ["ssh", "asyncssh"])
def test_connect_runs_a_command_and_returns_its_status(via):
    proc = run([*SM, "--demo", "connect", "fraud-detection", "--with", via, "--", "echo hello; exit 3"])
    assert proc.stdout == "hello\n", proc.stderr
    assert proc.returncode == 3


def test_plain_ssh_with_our_proxy_command(served):
    _, env = served
    proc = run(
        [
            "ssh",
            *ssh_options(proxy_to("%n")),
            "sagemaker-user@sm-fraud-detection",
            "echo hello; echo $USER; exit 3",
        ],
        env=env,
    )
    assert proc.stdout.splitlines() == ["hello", "sagemaker-user"], proc.stderr
    assert proc.returncode == 3


def test_proxy_refuses_a_stopped_space_with_one_line(served):
    _, env = served
    proc = run([*SM, "ssh-proxy", "sm-model-monitoring"], env=env)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert "model-monitoring is stopped; start it first" in lines[0]


def test_proxy_rejects_a_bad_target(served):
    _, env = served
    proc = run([*SM, "ssh-proxy", "not-an-alias; rm -rf /"], env=env)
    assert proc.returncode == 1 and "neither a space ARN nor" in proc.stderr


def test_plugin_missing_is_a_clear_error(served):
    _, env = served
    env = dict(env, PATH=str(Path(sys.executable).parent) + os.pathsep + "/usr/bin:/bin")
    arn = "arn:aws:sagemaker:us-east-1:123456789012:space/d-mlplatf0rm01/fraud-detection"
    proc = run([*SM, "ssh-proxy", "--plugin", arn], env=env)
    assert proc.returncode == 1 and "session-manager-plugin is not on PATH" in proc.stderr


def _all_cmdlines() -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
            except OSError:
                pass
    return found


def test_token_and_secret_never_on_a_command_line(served):
    server, env = served
    seen: list[str] = []
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            seen.extend(_all_cmdlines())
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        proc = run([*SM, "connect", "fraud-detection", "--", "sleep 1; echo done"], env=env)
    finally:
        stop.set()
        watcher.join()
    assert proc.stdout == "done\n", proc.stderr
    tokens = [s.token for s in server.sessions.issued()]
    assert tokens, "the connect must have started a session"
    assert any("ssh-proxy" in line for line in seen), "the watcher must have seen the proxy running"
    secrets = tokens + [server.credentials.secret_key]
    leaked = [line for line in seen for secret in secrets if secret in line]
    assert leaked == []


def test_the_ssh_that_connect_runs_notices_a_dead_link_within_a_minute():
    from sm_spaces.connect.handoff import AwsTarget, system_ssh_argv

    arn = "arn:aws:sagemaker:us-east-1:123456789012:space/d-abc123/foo"
    argv = system_ssh_argv("sm-foo", arn, AwsTarget(region="us-east-1"), ["true"])
    options = argv[1 : argv.index("--")]
    shown = run([argv[0], "-G", "-F", "/dev/null", *options, "sm-foo"])
    assert shown.returncode == 0, shown.stderr  # ssh accepts every option connect passes
    config = dict(line.partition(" ")[::2] for line in shown.stdout.splitlines())
    interval, count = int(config["serveraliveinterval"]), int(config["serveralivecountmax"])
    assert (interval, count) == (15, 4) and interval * count <= 60
