"""Sessions survive a dropped websocket: ResumeSession under the real ssh, scp and ssh-proxy.

The real OpenSSH client runs `sm-spaces ssh-proxy` as its ProxyCommand against the simulated account
on 127.0.0.1. The simulated service cuts the proxy's websocket (or stops hearing from it while the
proxy is stopped with SIGSTOP); the proxy calls ssm:ResumeSession, opens a new websocket, resends
what was not acknowledged and the SSH connection above carries on. Whether AWS honours
ResumeSession for SageMaker's sessions is not documented, so the simulator also refuses it (both
ways it may): then the user gets one line saying so, and ssh ends non-zero.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sm_spaces.demo.server import DemoServer, ThreadedDemo
from sm_spaces.demo.ssm_api import REFUSALS

from tests.reliability_log import record
from tests.space_ssh import proxy_to, ssh_options

MB = 1024 * 1024
SPACE = "fraud-detection"
ARN = "arn:aws:sagemaker:us-east-1:123456789012:space/d-mlplatf0rm01/fraud-detection"
OPTIONS = ssh_options(proxy_to(ARN))


@pytest.fixture
def served() -> Iterator[tuple[ThreadedDemo, dict[str, str]]]:
    handle = DemoServer(transition_delay=0.0).start_in_thread()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(handle.server.env(), AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    try:
        yield handle, env
    finally:
        handle.stop()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL
    )


def _cat(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """ssh running `cat` in the space, shown live (a line echoed back)."""
    proc = subprocess.Popen(
        ["ssh", *OPTIONS, f"sm-{SPACE}", "cat"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert _echo(proc, b"before\n")
    return proc


def _echo(proc: subprocess.Popen[bytes], line: bytes) -> bool:
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(line)
    proc.stdin.flush()
    return proc.stdout.readline() == line


def _end(proc: subprocess.Popen[bytes]) -> tuple[int, str]:
    assert proc.stdin is not None
    proc.stdin.close()
    proc.wait(120)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()
    return proc.returncode, err


def _cut(handle: ThreadedDemo) -> None:
    handle.loop.call_soon_threadsafe(handle.server.agent.cut_connections)


def _ours(stderr: str) -> list[str]:
    assert "Traceback" not in stderr
    return [line for line in stderr.splitlines() if line.startswith("sm-spaces:")]


def test_scp_of_20_mb_each_way_survives_a_cut_websocket(
    served: tuple[ThreadedDemo, dict[str, str]], tmp_path: Path
) -> None:
    handle, env = served
    server = handle.server
    source = tmp_path / "up.bin"
    source.write_bytes(os.urandom(20 * MB))
    back = tmp_path / "back.bin"
    server.agent.faults.cut_after_bytes = 6 * MB  # once per session: mid-upload
    up = _run(["scp", *OPTIONS, str(source), f"sm-{SPACE}:up.bin"], env)
    assert up.returncode == 0, up.stderr
    assert server.resume.resumed >= 1  # the upload's websocket really was cut and resumed
    resumed_up = server.resume.resumed
    down = _run(["scp", *OPTIONS, f"sm-{SPACE}:up.bin", str(back)], env)
    assert down.returncode == 0, down.stderr
    assert server.resume.resumed > resumed_up  # and the download's
    assert _sha(back) == _sha(source)
    assert _ours(up.stderr + down.stderr) == []  # nothing for the user to act on
    record("resume.scp", size=20 * MB, cut_after=6 * MB, resumed=server.resume.resumed, sha256_equal=True)


# Whether the service holds the agent's output for a client that is away, or pauses the agent (which
# keeps it and sends it again one message per tick), is not documented: both (AgentFaults).
@pytest.mark.parametrize("pause_agent", [False, True], ids=["service-holds", "agent-paused"])
def test_an_interactive_session_carries_on_after_a_cut(
    served: tuple[ThreadedDemo, dict[str, str]], pause_agent: bool
) -> None:
    handle, env = served
    handle.server.agent.faults.pause_agent_while_away = pause_agent
    proc = _cat(env)
    _cut(handle)
    assert _echo(proc, b"after the cut\n")
    _cut(handle)
    assert _echo(proc, b"after the second cut\n")
    code, stderr = _end(proc)
    assert code == 0, stderr
    assert handle.server.resume.resumed == 2
    record("resume.interactive", agent_paused=pause_agent, cuts=2, resumed=2, exit_code=code)


@pytest.mark.parametrize("refusal", REFUSALS)
def test_a_refused_resume_ends_with_one_line_saying_so(
    served: tuple[ThreadedDemo, dict[str, str]], refusal: str
) -> None:
    handle, env = served
    handle.server.resume.refusal = refusal
    proc = _cat(env)
    _cut(handle)
    assert proc.stdout is not None and proc.stdout.read() == b""  # the end comes: nothing hangs
    code, stderr = _end(proc)
    assert code != 0
    lines = _ours(stderr)
    assert len(lines) == 1, stderr
    assert lines[0].startswith(
        "sm-spaces: the data channel connection was lost and the session could not be resumed: "
    )
    assert refusal in lines[0] and lines[0].endswith("connect again to start a new session")
    assert handle.server.resume.refused == 1  # refused once, never asked again
    record("resume.refused", refusal=refusal, exit_code=code, message=lines[0])


def _proxy_of(ssh: subprocess.Popen[bytes]) -> int:
    """The ProxyCommand ssh started (sh -c exec ... : ssh's only child)."""
    for _ in range(200):
        children = Path(f"/proc/{ssh.pid}/task/{ssh.pid}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.05)
    raise AssertionError("ssh has no ProxyCommand child")


def _stop_for(pid: int, seconds: float) -> None:
    os.kill(pid, signal.SIGSTOP)
    try:
        time.sleep(seconds)  # the outage's length, not a timing claim
    finally:
        os.kill(pid, signal.SIGCONT)


def test_a_proxy_stopped_past_the_services_keepalive_resumes(
    served: tuple[ThreadedDemo, dict[str, str]],
) -> None:
    handle, env = served
    faults = handle.server.agent.faults
    faults.heartbeat = 0.4  # the service pings; a stopped proxy cannot answer, so it is dropped
    proc = _cat(env)
    _stop_for(_proxy_of(proc), 3.0)
    assert _echo(proc, b"after the stop\n")
    code, stderr = _end(proc)
    assert code == 0, stderr
    assert handle.server.resume.resumed == 1  # the websocket was dropped and the session resumed
    record("resume.stopped_proxy", stopped_s=3.0, heartbeat_s=0.4, resumed=1, exit_code=code)


def test_a_proxy_stopped_past_the_sessions_grace_says_why_it_cannot_resume(
    served: tuple[ThreadedDemo, dict[str, str]],
) -> None:
    handle, env = served
    faults = handle.server.agent.faults
    faults.heartbeat, faults.disconnect_grace = 0.4, 1.0
    proc = _cat(env)
    _stop_for(_proxy_of(proc), 4.0)
    assert proc.stdout is not None and proc.stdout.read() == b""
    code, stderr = _end(proc)
    assert code != 0
    assert _ours(stderr) == [
        "sm-spaces: the data channel connection was lost and the session could not be resumed: SSM "
        "ended the session while it was disconnected (it timed out); connect again to start a new session"
    ]
    assert "disconnect grace expired" in handle.server.agent.endings
    record("resume.past_grace", stopped_s=4.0, grace_s=1.0, exit_code=code, message=_ours(stderr)[0])
