"""The data channel failing under a real OpenSSH session: websocket cuts and the agent hanging up.

The real `ssh` client runs our ProxyCommand (`sm-spaces ssh-proxy`), which opens a real websocket
to the simulated SSM agent on 127.0.0.1. We then cut the websocket during an interactive session,
during an upload and during a download, or make the agent close the channel. In every case ssh
must end non-zero with a message, and what reached the other side is a prefix of what was sent —
never a silent success with missing or altered bytes. (tests/test_ssm_ssh.py cuts asyncssh
transfers in-process; this is the path a person uses: ssh + ProxyCommand.)

The proxy resumes a cut session when SSM lets it (tests/test_resume_e2e.py shows that); here SSM
refuses ResumeSession, so a cut is final and these tests see the failure a user sees then.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sm_spaces.demo.server import DemoServer, ThreadedDemo

from tests.reliability_log import record
from tests.space_ssh import proxy_to, ssh_options

SPACE = "fraud-detection"
ARN = "arn:aws:sagemaker:us-east-1:123456789012:space/d-mlplatf0rm01/fraud-detection"
PROXY = proxy_to("%n")


@pytest.fixture
def served() -> Iterator[tuple[ThreadedDemo, dict[str, str]]]:
    handle = DemoServer(transition_delay=0.0).start_in_thread()
    handle.server.resume.refusal = "AccessDeniedException"  # a cut cannot be resumed: see above
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(handle.server.env(), AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    try:
        yield handle, env
    finally:
        handle.stop()


def ssh(command: str, env: dict[str, str], **kw: object) -> subprocess.Popen:
    argv = ["ssh", *ssh_options(PROXY), f"sm-{SPACE}", command]
    return subprocess.Popen(argv, env=env, stderr=subprocess.PIPE, **kw)  # type: ignore[call-overload]


def on_demo_loop(handle: ThreadedDemo, func, *args) -> None:
    handle.loop.call_soon_threadsafe(func, *args)


def home(handle: ThreadedDemo) -> Path:
    return handle.server.hosts.host_for(ARN).home


def _finish(proc: subprocess.Popen, timeout: float = 120) -> tuple[int, str]:
    proc.wait(timeout)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None:
            try:
                pipe.close()
            except OSError:
                pass
    return proc.returncode, err


def _clear_message(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    assert lines, "ssh ended without saying why"
    assert "Traceback" not in stderr
    return lines[-1]


def _live_cat(env: dict[str, str]) -> subprocess.Popen:
    """ssh running `cat` in the space, shown to be live and interactive (a line echoed back)."""
    proc = ssh("cat", env, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(b"ping\n")
    proc.stdin.flush()
    assert proc.stdout.readline() == b"ping\n"
    return proc


def test_cut_during_an_interactive_session(served: tuple[ThreadedDemo, dict[str, str]]) -> None:
    handle, env = served
    proc = _live_cat(env)
    on_demo_loop(handle, handle.server.agent.cut_connections)
    rest = proc.stdout.read()  # EOF comes: nothing hangs
    code, stderr = _finish(proc)
    assert rest == b"" and code != 0
    message = _clear_message(stderr)
    assert "sm-spaces: the data channel connection was lost" in stderr  # ours, not only ssh's
    record("channel.cut_interactive", exit_code=code, message=message)


def test_agent_closing_the_channel_mid_session(served: tuple[ThreadedDemo, dict[str, str]]) -> None:
    handle, env = served
    proc = _live_cat(env)

    closing: list[asyncio.Future] = []

    def close_channels() -> None:  # as the agent does when the session is terminated from AWS
        for session in list(handle.server.agent.live):
            closing.append(asyncio.ensure_future(session.close_channel()))

    on_demo_loop(handle, close_channels)
    assert proc.stdout.read() == b""
    code, stderr = _finish(proc)
    assert code != 0
    message = _clear_message(stderr)
    # ssh's own words ("closed by remote host" or "Broken pipe", by timing): the session visibly ended.
    assert "closed" in message or "Broken pipe" in message
    record("channel.agent_closed", exit_code=code, message=message)


def _upload_cut(
    handle: ThreadedDemo, env: dict[str, str], size: int, cut_after: int
) -> tuple[int, str, bytes, bytes]:
    data = os.urandom(size)
    handle.server.agent.faults.cut_after_bytes = cut_after
    proc = ssh("cat > upload.bin", env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    assert proc.stdin is not None

    def feed() -> None:
        try:
            proc.stdin.write(data)
            proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass  # ssh gave up: expected once the channel is cut

    writer = threading.Thread(target=feed)
    writer.start()
    code, stderr = _finish(proc)
    writer.join(60)
    landed = (home(handle) / "upload.bin").read_bytes() if (home(handle) / "upload.bin").exists() else b""
    return code, stderr, data, landed


def test_cut_during_an_upload_is_loud_and_never_corrupts(served: tuple[ThreadedDemo, dict[str, str]]) -> None:
    handle, env = served
    code, stderr, data, landed = _upload_cut(handle, env, 6 * 1024 * 1024, 1024 * 1024)
    assert code != 0, "a cut upload must not look like a success"
    assert len(landed) < len(data) and data.startswith(landed), (
        "what landed must be a prefix of what was sent"
    )
    message = _clear_message(stderr)
    assert "sm-spaces: the data channel connection was lost" in stderr
    record("channel.cut_upload", sent=len(data), landed=len(landed), exit_code=code, message=message)


def test_cut_during_a_download_is_loud_and_never_corrupts(
    served: tuple[ThreadedDemo, dict[str, str]],
) -> None:
    handle, env = served
    data = os.urandom(6 * 1024 * 1024)
    (home(handle) / "big.bin").write_bytes(data)
    handle.server.agent.faults.cut_after_bytes = 1024 * 1024
    proc = ssh("cat big.bin", env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    got = proc.stdout.read()
    code, stderr = _finish(proc)
    assert code != 0, "a cut download must not look like a success"
    assert len(got) < len(data) and data.startswith(got)
    message = _clear_message(stderr)
    assert "sm-spaces: the data channel connection was lost" in stderr
    record("channel.cut_download", size=len(data), received=len(got), exit_code=code, message=message)


def test_the_same_transfer_without_a_cut_is_complete(served: tuple[ThreadedDemo, dict[str, str]]) -> None:
    """The control: the harness itself moves the bytes intact when nothing is cut."""
    handle, env = served
    code, stderr, data, landed = _upload_cut(handle, env, 2 * 1024 * 1024, 10**12)
    assert code == 0, stderr
    assert landed == data


# Regression: app/ssm/reliability.py's resend loop once waited with asyncio.wait_for, which on Python
# 3.11 can swallow a cancellation racing the event; after a polite close the agent's resend task then
# never ended and DemoServer.stop() hung until aiohttp's shutdown timeout (fixed in ef2a6bf).
def test_agent_connection_ends_after_a_polite_close(
    served: tuple[ThreadedDemo, dict[str, str]], make_botocore_client: Callable[..., Any]
) -> None:
    # The fixture, not `from tests.conftest import ...`: importing conftest a second time while
    # the demo's thread runs made CPython 3.11's compile() fail ("AST constructor recursion depth").
    from sm_spaces.ssm.channel import DataChannel

    handle, _ = served
    answer = make_botocore_client(handle.server).start_session(ResourceIdentifier=ARN)

    async def polite_session() -> None:
        async with DataChannel.connect(answer["StreamUrl"], answer["TokenValue"]) as channel:
            assert (await channel.receive()).startswith(b"SSH-2.0-")

    asyncio.run(polite_session())

    async def live_connections() -> int:
        for _ in range(500):  # a hang guard, not a timing claim: the handler must finish at all
            if not handle.server.agent.live:
                return 0
            await asyncio.sleep(0.01)
        return len(handle.server.agent.live)

    remaining = asyncio.run_coroutine_threadsafe(live_connections(), handle.loop).result(60)
    if remaining:
        # Leave no stuck handler behind for the fixture's stop(): abort it as a network failure would.
        handle.loop.call_soon_threadsafe(handle.server.agent.cut_connections)
        for session in list(handle.server.agent.live):
            asyncio.run_coroutine_threadsafe(session.abort(), handle.loop).result(30)
    assert remaining == 0, "the agent's connection handler never finished after the client closed politely"
