"""Tunnel: bytes through our data channel (raw and under ssh/sftp), and `ssh <alias> true`.

Servers run in child processes, as the agent and the space do on the far side of a real session.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import server_proc
from bench.common import PYTHON, child_env, time_process
from bench.tunnel_agent import SINK, SOURCE

MB = 1024 * 1024


def _proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --- raw data channel ---------------------------------------------------------------------------


async def _raw_once(agent: subprocess.Popen, port: int, size: int) -> tuple[float, float, float]:
    """(seconds, our CPU seconds, agent CPU seconds) for `size` bytes one way."""
    from sm_spaces.ssm.channel import DataChannel

    assert agent.stdin is not None and agent.stdout is not None
    agent.stdin.write(f"{port}\n")
    agent.stdin.flush()
    session = json.loads(agent.stdout.readline())
    channel = await DataChannel.connect(session["url"], session["token"])
    cpu0, agent0, start = time.process_time(), _proc_cpu(agent.pid), time.perf_counter()
    got = 0
    if port == SINK:
        block = b"\x5a" * MB
        for _ in range(size // MB):
            await channel.send(block)
        answer = await channel.receive()
        if answer != b"ok":
            raise RuntimeError(f"the agent's sink answered {answer!r}")
    else:
        while got < size:
            data = await channel.receive()
            if not data:
                break
            got += len(data)
        if got != size:
            raise RuntimeError(f"received {got} of {size} bytes")
    elapsed = time.perf_counter() - start
    cpu, agent_cpu = time.process_time() - cpu0, _proc_cpu(agent.pid) - agent0
    await channel.close()
    return elapsed, cpu, agent_cpu


def _agent(size: int, *extra: str) -> subprocess.Popen:
    argv = [PYTHON, "-m", "bench.tunnel_agent", str(size), *extra]
    return subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def _stop(agent: subprocess.Popen) -> None:
    assert agent.stdin is not None
    agent.stdin.close()
    agent.wait(10)


def raw(size_mb: int, runs: int) -> dict:
    size = size_mb * MB
    agent = _agent(size)
    out: dict = {"size_mb": size_mb, "upload": [], "download": []}
    try:
        for _ in range(runs):
            for name, port in (("upload", SINK), ("download", SOURCE)):
                out[name].append(asyncio.run(_raw_once(agent, port, size)))
    finally:
        _stop(agent)
    return out


def capped(size_mb: int, rate_mb: float, runs: int) -> dict:
    """Uploads through an agent that takes at most `rate_mb` MB/s: how much of a slow link the
    sender's window keeps busy (an ack-clocked window should fill it; one that collapses on
    timeouts, or a fixed pace, would not)."""
    size = size_mb * MB
    agent = _agent(size, str(rate_mb * MB))
    out: dict = {"size_mb": size_mb, "rate_mb": rate_mb, "upload": []}
    try:
        for _ in range(runs):
            out["upload"].append(asyncio.run(_raw_once(agent, SINK, size)))
    finally:
        _stop(agent)
    return out


# --- system ssh / sftp through `sm-spaces ssh-proxy` ---------------------------------------------


def _ssh_argv(server: server_proc.ServerProcess, command: list[str], program: str = "ssh") -> list[str]:
    from sm_spaces.connect.handoff import AwsTarget, system_ssh_argv
    from sm_spaces.model import alias_for
    from sm_spaces.names import SpaceArn

    arn = server.info["space_arn"]
    argv = system_ssh_argv(
        alias_for(SpaceArn.parse(arn).space_name),
        arn,
        AwsTarget(None, server.info["region"], server.endpoint),
        command,
    )
    argv = ["-F", os.devnull, *argv[1:]]
    if program != "ssh":
        # sftp takes the same -o options; the destination goes last, without a remote command.
        argv = [a for a in argv if a != "--"]
    return [program, *argv]


def _sftp(server: server_proc.ServerProcess, batch: str, env: dict[str, str]) -> tuple[float, float, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".sftp", delete=False) as handle:
        handle.write(batch)
    argv = _ssh_argv(server, [], program="sftp")
    argv[1:1] = ["-q", "-b", handle.name]
    cpu0, srv0, start = _children_cpu(), _proc_cpu(server.proc.pid), time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    os.unlink(handle.name)
    if done.returncode != 0:
        raise RuntimeError(f"sftp failed: {done.stderr.decode(errors='replace')[-400:]}")
    return elapsed, _children_cpu() - cpu0, _proc_cpu(server.proc.pid) - srv0


def ssh(size_mb: int, runs: int) -> dict:
    out: dict = {"size_mb": size_mb, "upload": [], "download": [], "true": []}
    with server_proc.start() as server, tempfile.TemporaryDirectory(prefix="sm-spaces-bench-") as tmp:
        env = child_env(**server.env)
        local = Path(tmp, "payload.bin")
        with open(local, "wb") as handle:
            handle.write(os.urandom(size_mb * MB))
        back = Path(tmp, "back.bin")
        true_argv = _ssh_argv(server, ["true"])
        out["true"] = time_process(true_argv, runs=max(runs, 5), env=env)
        for _ in range(runs):
            out["upload"].append(_sftp(server, f"put {local} payload.bin\n", env))
            out["download"].append(_sftp(server, f"get payload.bin {back}\n", env))
            if back.stat().st_size != local.stat().st_size:
                raise RuntimeError("the downloaded file is not the uploaded one")
            back.unlink()
    return out


# --- where the time of `ssh <alias> true` goes ---------------------------------------------------

_PROXY_IMPORTS = (
    "import sm_spaces.cli, sm_spaces.commands.connect, sm_spaces.commands.common, sm_spaces.aws.service, "
    "sm_spaces.connect.proxy, sm_spaces.connect.session, sm_spaces.ssm.channel, sm_spaces.ssm.bridge, "
    "aiobotocore.session, aiobotocore.config, aiohttp"
)


async def _session_steps(server: server_proc.ServerProcess) -> tuple[float, float]:
    """As ssh-proxy does it: keys found by botocore's chain (here the environment), one StartSession
    through a client made for it (loading SageMaker's service model)."""
    from sm_spaces.aws.service import SpacesService
    from sm_spaces.ssm.channel import DataChannel

    os.environ.update(server.env)
    start = time.perf_counter()
    async with SpacesService(region=server.info["region"], endpoint_url=server.endpoint) as svc:
        session = await svc.start_session(server.info["space_arn"])
        started = time.perf_counter()
        channel = await DataChannel.connect(session.stream_url, session.token)
        opened = time.perf_counter()
        await channel.close()
    return started - start, opened - started


def breakdown(runs: int) -> dict:
    bare = time_process([PYTHON, "-c", "pass"], runs=runs)
    imports = time_process([PYTHON, "-c", _PROXY_IMPORTS], runs=runs)
    steps = []
    with server_proc.start() as server:
        for _ in range(runs):
            # A fresh interpreter each time, as ssh-proxy is: client creation is part of the cost.
            code = (
                "import asyncio, json, sys; from bench import tunnel, server_proc; "
                "info = json.loads(sys.stdin.read()); "
                "s = server_proc.ServerProcess(None, info); "
                "print(json.dumps(asyncio.run(tunnel._session_steps(s))))"
            )
            done = subprocess.run(
                [PYTHON, "-c", code],
                input=json.dumps(server.info),
                capture_output=True,
                text=True,
                check=True,
                cwd=str(Path(__file__).resolve().parent.parent),
            )
            steps.append(json.loads(done.stdout))
    return {
        "bare": bare,
        "imports": imports,
        "start_session": [s[0] for s in steps],
        "channel_open": [s[1] for s in steps],
    }


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    r = raw(size, 1)
    print({k: v for k, v in r.items()})
    print(ssh(size, 1))
    print(breakdown(3))
