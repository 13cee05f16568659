"""Start-up: CLI commands against the bare interpreter, and the TUI's first paint of cached spaces.

First paint is measured from outside, as a user sees it: the program runs on a pseudo-terminal
and the clock stops when a cached space's name first appears in what it writes to the terminal.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import subprocess
import tempfile
import time
from pathlib import Path

from bench import server_proc
from bench.common import PYTHON, child_env, sm_spaces, time_process
from bench.terminal import PtyProgram, wait_for

MARKER = "firstpaint-marker"
REGION = "us-east-1"
UNREACHABLE = "http://127.0.0.1:9"  # the refresh after the paint fails fast; the paint is what we time


async def _listed_spaces() -> list:
    from sm_spaces.aws.service import SpacesService
    from sm_spaces.demo.server import DemoServer

    async with DemoServer() as server:
        c = server.credentials
        async with SpacesService(
            region=server.region,
            endpoint_url=server.endpoint_url,
            credentials=(c.access_key, c.secret_key, c.token),
        ) as svc:
            return (await svc.list_all()).spaces


def seed_cache(cache_dir: Path, count: int = 0) -> None:
    """A cached listing for profile "default" in REGION whose first space is called MARKER."""
    from sm_spaces import config

    spaces = asyncio.run(_listed_spaces())
    spaces[0] = dataclasses.replace(spaces[0], name=MARKER, alias=f"sm-{MARKER}")
    old = os.environ.get(config.CACHE_DIR_ENV)
    os.environ[config.CACHE_DIR_ENV] = str(cache_dir)
    try:
        # Both keys: the app keys its cache by endpoint now; earlier versions did not.
        config.save_cache("default", REGION, spaces, endpoint_url=UNREACHABLE)
        config.save_cache("default", REGION, spaces)
    finally:
        if old is None:
            os.environ.pop(config.CACHE_DIR_ENV, None)
        else:
            os.environ[config.CACHE_DIR_ENV] = old


def _first_appearance(argv: list[str], env: dict[str, str], marker: bytes) -> float:
    """Seconds from spawn until `marker` shows in the program's terminal output."""
    start = time.perf_counter()
    with PtyProgram(argv, env, columns=140, rows=40) as program:
        wait_for(program, marker)
        return time.perf_counter() - start


def first_paint(runs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="sm-spaces-bench-") as tmp:
        cache, conf = Path(tmp, "cache"), Path(tmp, "config")
        conf.mkdir()
        seed_cache(cache)
        env = child_env(
            SM_SPACES_CACHE_DIR=str(cache),
            SM_SPACES_CONFIG_DIR=str(conf),
            TERM="xterm-256color",
            AWS_ACCESS_KEY_ID="AKIDBENCHMARK",
            AWS_SECRET_ACCESS_KEY="bench",
            AWS_CONFIG_FILE=os.devnull,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
            AWS_EC2_METADATA_DISABLED="true",
        )
        env.pop("AWS_PROFILE", None)
        argv = [*sm_spaces(), "--region", REGION, "--endpoint-url", UNREACHABLE]
        baseline_argv = [PYTHON, "-c", "import textual.app"]
        _first_appearance(argv, env, MARKER.encode())  # warm the OS file cache and the bytecode
        time_process(baseline_argv, runs=0)
        times: list[float] = []
        baseline: list[float] = []
        for _ in range(runs):  # alternating, so a busy spell on the machine hits both alike
            times.append(_first_appearance(argv, env, MARKER.encode()))
            baseline += time_process(baseline_argv, runs=1)[-1:]
    return {"times": times, "baseline": baseline}


def _to_banner(argv: list[str], env: dict[str, str]) -> float:
    """Seconds from spawning an ssh-proxy until the space's SSH banner's first byte reaches stdout."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    assert proc.stdout is not None and proc.stdin is not None
    first = proc.stdout.read(1)
    elapsed = time.perf_counter() - start
    proc.stdin.close()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if first != b"S":
        raise RuntimeError(f"ssh-proxy did not answer with an SSH banner: {proc.stderr.read()[-300:]!r}")
    return elapsed


def cli(runs: int) -> dict:
    bare = time_process([PYTHON, "-c", "pass"], runs=runs)
    version = time_process([*sm_spaces(), "--version"], runs=runs)
    demo_list = time_process([*sm_spaces(), "--demo", "list", "--json"], runs=runs)
    with server_proc.start() as server:
        env = child_env(**server.env)
        argv = [
            *sm_spaces(),
            "--region",
            server.info["region"],
            "--endpoint-url",
            server.endpoint,
            "ssh-proxy",
            server.info["space_arn"],
        ]
        _to_banner(argv, env)
        proxy = [_to_banner(argv, env) for _ in range(runs)]
    return {"bare": bare, "version": version, "demo_list": demo_list, "ssh_proxy": proxy}


if __name__ == "__main__":
    import json

    print(json.dumps(first_paint(3), indent=1))
    print(json.dumps(cli(3), indent=1))
