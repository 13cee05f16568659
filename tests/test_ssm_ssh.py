"""asyncssh over the data channel against the simulated agent and space host (all on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path

import aiohttp
import asyncssh
import pytest
from sm_spaces.ssm.channel import ChannelError

from tests.ssm_demo import running_agent

MB = 1024 * 1024


def payload(size: int) -> bytes:
    return os.urandom(size)


async def sftp_round_trip(conn: asyncssh.SSHClientConnection, data: bytes) -> bytes:
    async with conn.start_sftp_client() as sftp:
        async with sftp.open("blob.bin", "wb") as remote:
            await remote.write(data)
        async with sftp.open("blob.bin", "rb") as remote:
            return await remote.read()


async def test_exec_returns_output_and_exit_status() -> None:
    async with running_agent() as agent, agent.ssh() as conn:
        result = await conn.run("echo hello; exit 3")
        assert result.stdout == "hello\n"
        assert result.exit_status == 3
        result = await conn.run("echo oops >&2; pwd; echo $HOME $USER")
        assert result.stderr == "oops\n"
        cwd, home_and_user = result.stdout.splitlines()
        assert home_and_user == f"{cwd} sagemaker-user"


async def test_exec_does_not_see_the_callers_aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "do-not-leak")
    async with running_agent() as agent, agent.ssh() as conn:
        result = await conn.run("env")
        assert "do-not-leak" not in result.stdout


async def test_sftp_20_mb_round_trip_is_identical() -> None:
    data = payload(20 * MB)
    async with running_agent() as agent, agent.ssh() as conn:
        back = await sftp_round_trip(conn, data)
    assert hashlib.sha256(back).digest() == hashlib.sha256(data).digest()


async def test_sftp_round_trip_survives_drops_duplicates_and_reordering() -> None:
    data = payload(1 * MB)
    async with running_agent() as agent:
        faults = agent.faults
        faults.drop_rate, faults.duplicate_rate, faults.reorder_rate = 0.05, 0.05, 0.05
        async with agent.ssh() as conn:
            back = await sftp_round_trip(conn, data)
    assert hashlib.sha256(back).digest() == hashlib.sha256(data).digest()
    # The link really was lossy: about a hundred frames of each kind over 1 MB each way.
    assert min(faults.dropped, faults.duplicated, faults.reordered) > 50


async def test_sftp_is_confined_to_the_space_home() -> None:
    async with running_agent() as agent, agent.ssh() as conn, conn.start_sftp_client() as sftp:
        assert await sftp.realpath("/") == "/"
        names = await sftp.listdir("/../..")
        assert "etc" not in names


async def test_cut_websocket_mid_transfer_fails_loudly() -> None:
    lost: list[Exception | None] = []

    class Client(asyncssh.SSHClient):
        def connection_lost(self, exc: Exception | None) -> None:
            lost.append(exc)

    data = payload(8 * MB)
    async with running_agent() as agent, agent.ssh(client_factory=Client) as conn:
        agent.faults.cut_after_bytes = 2 * MB
        result = await asyncio.wait_for(conn.run("sha256sum", input=data, encoding=None), 30)
    # asyncssh reports a command cut off by a lost connection with no exit status (never 0) and
    # hands the connection our error, whose message a user can read.
    assert result.exit_status is None and result.stdout == b""
    assert len(lost) == 1 and isinstance(lost[0], ChannelError)
    assert "connection was lost" in str(lost[0])


async def test_upload_through_a_rate_capped_agent_arrives_whole() -> None:
    # How well the window keeps a slow link busy is a benchmark figure (BENCHMARKS.md, "capped
    # link"); here: the bytes arrive, and the cap really held the sender back.
    data = payload(2 * MB)
    async with running_agent() as agent, agent.ssh() as conn, conn.start_sftp_client() as sftp:
        agent.faults.receive_rate = 2 * MB
        async with sftp.open("capped.bin", "wb") as remote:
            await remote.write(data)
        agent.faults.receive_rate = None
        async with sftp.open("capped.bin", "rb") as remote:
            back = await remote.read()
    assert hashlib.sha256(back).digest() == hashlib.sha256(data).digest()
    assert agent.faults.rate_waits > 0


async def test_pty_shell_runs_in_the_space_home() -> None:
    async with running_agent() as agent, agent.ssh() as conn:
        process = await conn.create_process(term_type="xterm", term_size=(100, 30), encoding=None)
        process.stdin.write(b"stty size; echo marker-$((6*7)); exit 5\n")
        output = await asyncio.wait_for(process.stdout.read(), 10)
        await process.wait()
        assert b"30 100" in output
        assert b"marker-42" in output
        assert process.exit_status == 5


async def test_local_forward_to_port_8888_reaches_the_lab_page() -> None:
    async with running_agent() as agent, agent.ssh() as conn:
        listener = await conn.forward_local_port("127.0.0.1", 0, "127.0.0.1", 8888)
        url = f"http://127.0.0.1:{listener.get_port()}/jupyterlab/default/lab"
        async with aiohttp.ClientSession() as http, http.get(url) as response:
            assert response.status == 200
            assert "my-space" in await response.text()
        listener.close()


async def test_host_key_is_stable_across_sessions() -> None:
    async with running_agent() as agent:
        async with agent.ssh() as first:
            key_one = first.get_server_host_key().get_fingerprint()
        async with agent.ssh() as second:
            key_two = second.get_server_host_key().get_fingerprint()
    assert key_one == key_two


async def test_scp_both_ways(tmp_path: Path) -> None:
    source = tmp_path / "up.txt"
    source.write_bytes(b"scp payload\n" * 1000)
    async with running_agent() as agent, agent.ssh() as conn:
        await asyncssh.scp(source, (conn, "copied.txt"))
        await asyncssh.scp((conn, "copied.txt"), tmp_path / "down.txt")
        assert (await conn.run("wc -c < copied.txt")).stdout.strip() == "12000"
    assert (tmp_path / "down.txt").read_bytes() == source.read_bytes()
