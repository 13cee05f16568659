"""Start-up: CLI commands against the bare interpreter, and the TUI's first paint of cached spaces.

First paint is measured from outside, as a user sees it: the program runs on a pseudo-terminal
and the clock stops when a cached space's name first appears in what it writes to the terminal.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from bench import server_proc
from bench.common import PYTHON, child_env, sm_spaces, time_process
from bench.terminal import PtyProgram, cpu_seconds, wait_for

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


BENCH_PROFILE = "bench"
# The bare Textual app the first paint is compared with: one Static, drawn on the same terminal.
BASELINE_MARKER = "baseline-marker"
BASELINE_APP = (
    "from textual.app import App\n"
    "from textual.widgets import Static\n"
    "class Bare(App):\n"
    "    def compose(self):\n"
    f"        yield Static({BASELINE_MARKER!r})\n"
    "Bare().run()\n"
)


def seed_cache(cache_dir: Path, profiles: tuple[str | None, ...] = (None,)) -> None:
    """A cached listing in REGION for each of `profiles`, whose first space is called MARKER."""
    from sm_spaces import config

    spaces = asyncio.run(_listed_spaces())
    spaces[0] = dataclasses.replace(spaces[0], name=MARKER, alias=f"sm-{MARKER}")
    old = os.environ.get(config.CACHE_DIR_ENV)
    os.environ[config.CACHE_DIR_ENV] = str(cache_dir)
    try:
        for profile in profiles:
            config.save_cache(profile, REGION, spaces)
    finally:
        if old is None:
            os.environ.pop(config.CACHE_DIR_ENV, None)
        else:
            os.environ[config.CACHE_DIR_ENV] = old


def _first_appearance(argv: list[str], env: dict[str, str], marker: bytes) -> tuple[float, float]:
    """(wall seconds from spawn until `marker` shows in the program's terminal output, CPU seconds
    the program used until then)."""
    start = time.perf_counter()
    with PtyProgram(argv, env, columns=140, rows=40) as program:
        wait_for(program, marker)
        return time.perf_counter() - start, cpu_seconds(program.pid)


def _instructions(argv: list[str], env: dict[str, str], marker: bytes) -> int:
    """Instructions the program executed until `marker` showed (valgrind's cachegrind without its
    cache simulation). Deterministic: other work on the cores does not change it, as it does wall
    time. The program is stopped (SIGTERM) as soon as the marker shows; under valgrind it runs ~50x
    slower, so the few milliseconds that takes add well under 0.1% to the count."""
    with tempfile.TemporaryDirectory(prefix="sm-spaces-bench-vg-") as tmp:
        log = Path(tmp, "cachegrind.log")
        valgrind = [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            f"--log-file={log}",
        ]
        with PtyProgram(valgrind + argv, {**env, "PYTHONHASHSEED": "0"}, columns=140, rows=40) as program:
            wait_for(program, marker, timeout=600)
            os.kill(program.pid, signal.SIGTERM)
            program.proc.wait(timeout=600)
        found = re.search(r"I\s+refs:\s+([\d,]+)", log.read_text())
        if found is None:
            raise RuntimeError(f"valgrind gave no instruction count: {log.read_text()[-300:]!r}")
        return int(found.group(1).replace(",", ""))


def first_paint(runs: int, *, instructions: bool = False) -> dict:
    """`sm-spaces` as users start it, no options: the region from AWS_REGION ("env") or from the
    profile AWS_PROFILE names in the AWS config file ("profile"); against a bare Textual app's first
    frame on the same pseudo-terminal. The live listing after the paint goes to an unreachable
    endpoint (AWS_ENDPOINT_URL, as a user's environment may set it): it cannot reach AWS, and the
    paint does not wait for it."""
    with tempfile.TemporaryDirectory(prefix="sm-spaces-bench-") as tmp:
        cache, conf, aws_config = Path(tmp, "cache"), Path(tmp, "config"), Path(tmp, "aws-config")
        conf.mkdir()
        aws_config.write_text(f"[default]\noutput = json\n[profile {BENCH_PROFILE}]\nregion = {REGION}\n")
        seed_cache(cache, (None, BENCH_PROFILE))  # None: the default chain's cache
        common = child_env(
            SM_SPACES_CACHE_DIR=str(cache),
            SM_SPACES_CONFIG_DIR=str(conf),
            TERM="xterm-256color",
            AWS_ACCESS_KEY_ID="AKIDBENCHMARK",
            AWS_SECRET_ACCESS_KEY="bench",
            AWS_CONFIG_FILE=str(aws_config),
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
            AWS_EC2_METADATA_DISABLED="true",
            AWS_ENDPOINT_URL=UNREACHABLE,
        )
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION"):
            common.pop(name, None)
        envs = {"env": {**common, "AWS_REGION": REGION}, "profile": {**common, "AWS_PROFILE": BENCH_PROFILE}}
        argv = sm_spaces()
        baseline_argv = [PYTHON, "-c", BASELINE_APP]
        for env in envs.values():  # warm the OS file cache and the bytecode
            _first_appearance(argv, env, MARKER.encode())
        _first_appearance(baseline_argv, common, BASELINE_MARKER.encode())
        figures: dict[str, list[float]] = {}
        for _ in range(runs):  # alternating, so a busy spell on the machine hits all alike
            for name, (run_argv, run_env, marker) in {
                **{name: (argv, env, MARKER) for name, env in envs.items()},
                "baseline": (baseline_argv, common, BASELINE_MARKER),
            }.items():
                wall, cpu = _first_appearance(run_argv, run_env, marker.encode())
                figures.setdefault(name, []).append(wall)
                figures.setdefault(f"{name}_cpu", []).append(cpu)
        if instructions and shutil.which("valgrind"):  # once each: the count does not vary
            figures["env_instructions"] = [_instructions(argv, envs["env"], MARKER.encode())]
            figures["baseline_instructions"] = [
                _instructions(baseline_argv, common, BASELINE_MARKER.encode())
            ]
    return figures


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
