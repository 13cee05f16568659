"""The simulated agent's and service's real behaviours against the client as a person runs it: the
system ssh with our ProxyCommand, and `sm-spaces connect` (system ssh and in-process asyncssh)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sm_spaces.demo.server import DemoServer

from tests.space_ssh import proxy_to, ssh_options

SM = [sys.executable, "-m", "sm_spaces"]
SPACE = "fraud-detection"
ARN = "arn:aws:sagemaker:us-east-1:123456789012:space/d-mlplatf0rm01/fraud-detection"
REFUSED = (
    "the session ended before port 22 sent anything: Unable to connect to specified port: "
    "dial tcp 127.0.0.1:22: connect: connection refused"
)


def ssh_argv(*command: str, program: str = "ssh", proxy_options: tuple[str, ...] = ()) -> list[str]:
    return [program, *ssh_options(proxy_to(ARN, *proxy_options)), *command]


def run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(argv, env=env, capture_output=True, timeout=180, stdin=subprocess.DEVNULL)


@pytest.fixture
def sshd_down(served: tuple[DemoServer, dict[str, str]]) -> Iterator[dict[str, str]]:
    server, env = served
    server.hosts.down_ports.add(22)
    try:
        yield env
    finally:
        server.hosts.down_ports.discard(22)


def test_sshd_down_ends_ssh_with_the_agents_reason_on_stderr(sshd_down: dict[str, str]) -> None:
    proc = run(ssh_argv(f"sm-{SPACE}", "true"), sshd_down)
    stderr = proc.stderr.decode()
    assert proc.returncode != 0 and proc.stdout == b""  # stdout is the SSH stream: nothing leaks into it
    assert f"sm-spaces: {REFUSED}" in stderr.splitlines()
    assert "Traceback" not in stderr


@pytest.mark.parametrize("via", ["ssh", "asyncssh"])
def test_connect_to_a_space_whose_sshd_is_down_says_why(sshd_down: dict[str, str], via: str) -> None:
    proc = run([*SM, "connect", SPACE, "--with", via, "--", "true"], sshd_down)
    stderr = proc.stderr.decode()
    assert proc.returncode != 0 and proc.stdout == b""
    assert REFUSED in stderr and "Traceback" not in stderr


@pytest.fixture
def publication_pauses(served: tuple[DemoServer, dict[str, str]], request: pytest.FixtureRequest):
    server, env = served
    faults = server.agent.faults
    faults.publication_pause, faults.publication_resume = 0.5, request.param
    faults.publication_pauses = faults.dropped_while_paused = 0
    try:
        yield env, faults
    finally:
        faults.publication_pause, faults.publication_resume = None, True


@pytest.mark.parametrize("publication_pauses", [True, False], ids=["resumed", "never-resumed"], indirect=True)
def test_scp_through_the_services_publication_pauses(publication_pauses, tmp_path: Path) -> None:
    env, faults = publication_pauses
    source = tmp_path / "up.bin"
    source.write_bytes(os.urandom(2 * 1024 * 1024))
    back = tmp_path / "back.bin"
    up = run(ssh_argv(str(source), f"sm-{SPACE}:paused.bin", program="scp"), env)
    assert up.returncode == 0, up.stderr.decode()
    down = run(ssh_argv(f"sm-{SPACE}:paused.bin", str(back), program="scp"), env)
    assert down.returncode == 0, down.stderr.decode()
    assert hashlib.sha256(back.read_bytes()).digest() == hashlib.sha256(source.read_bytes()).digest()
    assert faults.publication_pauses >= 2 and faults.dropped_while_paused > 0  # one pause per session


def test_ssh_proxy_names_unknown_message_types_under_debug(served: tuple[DemoServer, dict[str, str]]) -> None:
    server, env = served
    server.agent.faults.session_state_to_client = True
    try:
        proc = run(ssh_argv(f"sm-{SPACE}", "echo fine", proxy_options=("--debug",)), env)
    finally:
        server.agent.faults.session_state_to_client = False
    assert proc.returncode == 0 and proc.stdout == b"fine\n", proc.stderr.decode()
    assert "skipped a message of unknown type 'agent_session_state'" in proc.stderr.decode()
