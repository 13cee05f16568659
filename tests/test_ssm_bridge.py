"""OpenSSH's own `ssh` and `scp` through the stdin/stdout bridge, as a ProxyCommand would run it."""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.space_ssh import ssh_options
from tests.ssm_demo import Agent, running_agent

REPO = Path(__file__).resolve().parents[1]
PROXY = (
    "import asyncio, os\n"
    "from sm_spaces.ssm.bridge import bridge, open_stdio\n"
    "from sm_spaces.ssm.channel import DataChannel\n"
    "async def main():\n"
    "    channel = await DataChannel.connect(os.environ['SSM_TEST_URL'], os.environ.pop('SSM_TEST_TOKEN'))\n"
    "    reader, writer = await open_stdio()\n"
    "    await bridge(channel, reader, writer)\n"
    "asyncio.run(main())\n"
)

if shutil.which("ssh") is None:  # pragma: no cover - the CI image has OpenSSH
    pytest.fail("OpenSSH client (ssh) is required for these tests")


def bridge_options(proxy_file: Path) -> list[str]:
    return ssh_options(f"{sys.executable} {proxy_file}")


async def run_ssh(
    agent: Agent, proxy_file: Path, program: str, *args: str, stdin: bytes = b""
) -> tuple[int, bytes, bytes, str]:
    session, url = agent.start_session()
    # The token travels in the environment, never on a command line.
    env = {**os.environ, "SSM_TEST_URL": url, "SSM_TEST_TOKEN": session.token, "PYTHONPATH": str(REPO)}
    process = await asyncio.create_subprocess_exec(
        program,
        *bridge_options(proxy_file),
        *args,
        env=env,
        cwd=REPO,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin), 60)
    assert process.returncode is not None
    return process.returncode, out, err, session.token


@pytest.fixture
def proxy_file(tmp_path: Path) -> Path:
    path = tmp_path / "proxy.py"
    path.write_text(PROXY)
    return path


async def test_system_ssh_runs_a_command(proxy_file: Path) -> None:
    async with running_agent() as agent:
        code, out, err, token = await run_ssh(agent, proxy_file, "ssh", "my-space", "echo hello; exit 3")
        for _ in range(500):
            if agent.service.endings:
                break
            await asyncio.sleep(0.01)
        # ssh hangs up on its ProxyCommand (SIGHUP) as it exits: the session still ends politely.
        assert list(agent.service.endings) in (["terminated"], ["port closed"])
    assert (code, out) == (3, b"hello\n"), err
    assert token.encode() not in err


async def test_system_ssh_streams_stdin_and_stdout(proxy_file: Path) -> None:
    data = os.urandom(3 * 1024 * 1024)
    async with running_agent() as agent:
        code, out, err, _ = await run_ssh(agent, proxy_file, "ssh", "my-space", "sha256sum", stdin=data)
    assert code == 0, err
    assert out.split()[0].decode() == hashlib.sha256(data).hexdigest()


async def test_system_scp_round_trip(proxy_file: Path, tmp_path: Path) -> None:
    source = tmp_path / "up.bin"
    source.write_bytes(os.urandom(1024 * 1024))
    back = tmp_path / "down.bin"
    async with running_agent() as agent:
        code, _, err, _ = await run_ssh(agent, proxy_file, "scp", str(source), "my-space:copy.bin")
        assert code == 0, err
        code, _, err, _ = await run_ssh(agent, proxy_file, "scp", "my-space:copy.bin", str(back))
        assert code == 0, err
    assert back.read_bytes() == source.read_bytes()
