"""Resident memory of the TUI over many refreshes of a 2,000-space account.

The TUI runs as a user runs it: `sm-spaces --region R --endpoint-url URL` on a pseudo-terminal of
120 × 40, credentials in the environment, against the simulated account in its own process (50
domains × 40 spaces, as the listing benchmark's middle size; 50 ms added to every call, as there).
The benchmark presses `r` and watches the header: the refresh has begun when its Data cell says
"refreshing…" and has ended (the listing replaced, the tree and the detail pane redrawn) when the
cell is drawn without it; then the next `r`. `r` and the refresh timer go the same way
(Background.refresh in app/ui/background.py: every domain listed again, the index replaced, the
cache file written, the tree rebuilt). Resident memory (VmRSS) is read after each checkpoint's
refresh. The simulator's own count of ListDomains calls confirms each refresh reached it.

`timer()` leaves the keyboard alone: config.toml says `refresh_interval_s = 5` (the shortest the
settings allow) and the refresh timer does the refreshing, in real time: 360 refreshes are the 30
minutes the interval stands for, plus each refresh's own duration (the timer is re-armed only once
a refresh has ended).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from bench import server_proc
from bench.common import child_env, sm_spaces
from bench.terminal import PtyProgram, rss_mb

DOMAINS, SPACES_PER_DOMAIN = 50, 40
# Network latency, as a real endpoint has: it also keeps a refresh long enough that the header
# shows "refreshing…" for at least a frame (at zero latency a tiny account's refresh may not).
LATENCY = 0.05
CHECKPOINTS = (20, 50, 100, 200, 300, 400, 500)
TIMER_S = 5  # config.toml's shortest refresh_interval_s
TIMER_CHECKPOINTS = (20, 60, 120, 240, 360)  # 360 refreshes: 30 minutes at 5 s
SIZE = (120, 40)


def _refreshed(program: PtyProgram, *, started: bool, timeout: float = 60.0) -> None:
    """Wait until the header's Data cell is drawn without "refreshing…" (and "loading…"), after it
    was drawn with it unless `started`."""
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        for span in program.spans(0.2):
            if "Data:" not in span:
                continue
            seen = span
            busy = "refreshing" in span or "loading" in span
            if busy:
                started = True
            elif started:
                return
    raise RuntimeError(
        f"the TUI did not finish a refresh within a minute; its header last said {seen.strip()!r}"
    )


def _drive(
    server: server_proc.ServerProcess, env: dict[str, str], checkpoints: tuple[int, ...], *, press: bool
) -> dict:
    """`checkpoints[-1]` refreshes, each begun by `r` if `press`, else by the refresh timer."""
    argv = [*sm_spaces(), "--region", server.info["region"], "--endpoint-url", server.endpoint]
    rss: dict[int, float] = {}
    seconds: dict[int, float] = {}
    with PtyProgram(argv, env, columns=SIZE[0], rows=SIZE[1]) as program:
        _refreshed(program, started=False)  # the listing at start (after the cached paint, if any)
        start_rss = rss_mb(program.pid)
        before = server.answered().get("ListDomains", 0)
        began = time.perf_counter()
        for done in range(1, checkpoints[-1] + 1):
            if press:
                program.send("r")
            _refreshed(program, started=False, timeout=60.0 + (0 if press else TIMER_S))
            if done in checkpoints:
                rss[done] = rss_mb(program.pid)
                seconds[done] = time.perf_counter() - began
        calls = server.answered().get("ListDomains", 0) - before
        program.send("q")
    if calls != checkpoints[-1]:  # a refresh seen twice, or one that never reached the simulator
        raise RuntimeError(f"{checkpoints[-1]} refreshes watched, {calls} reached the simulator")
    return {
        "start_rss_mb": start_rss,
        "rss_mb": rss,
        "seconds": seconds,
        "list_domains_calls": calls,
    }


def measure(
    domains: int = DOMAINS,
    spaces_per_domain: int = SPACES_PER_DOMAIN,
    checkpoints: tuple[int, ...] = CHECKPOINTS,
) -> dict:
    """Refreshes begun by pressing `r`, one after another."""
    return _measure(domains, spaces_per_domain, checkpoints, interval=0)


def timer(
    domains: int = DOMAINS,
    spaces_per_domain: int = SPACES_PER_DOMAIN,
    checkpoints: tuple[int, ...] = TIMER_CHECKPOINTS,
) -> dict:
    """Refreshes begun by the refresh timer at config.toml's `refresh_interval_s = 5`, in real time."""
    return _measure(domains, spaces_per_domain, checkpoints, interval=TIMER_S)


def _measure(domains: int, spaces_per_domain: int, checkpoints: tuple[int, ...], *, interval: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="sm-spaces-bench-") as tmp:
        config = Path(tmp, "config")
        config.mkdir()
        if interval:
            Path(config, "config.toml").write_text(f"refresh_interval_s = {interval}\n")
        with server_proc.start(domains=domains, spaces=spaces_per_domain, latency=LATENCY) as server:
            env = child_env(
                **server.env,
                SM_SPACES_CONFIG_DIR=str(config),
                SM_SPACES_CACHE_DIR=str(Path(tmp, "cache")),
                TERM="xterm-256color",
                AWS_CONFIG_FILE=os.devnull,
                AWS_SHARED_CREDENTIALS_FILE=os.devnull,
                AWS_EC2_METADATA_DISABLED="true",
            )
            env.pop("AWS_PROFILE", None)
            result = _drive(server, env, checkpoints, press=not interval)
    first, last = checkpoints[0], checkpoints[-1]
    result.update(
        spaces=domains * spaces_per_domain,
        latency=LATENCY,
        interval_s=interval,
        first=first,
        last=last,
        growth_mb=result["rss_mb"][last] - result["rss_mb"][first],
    )
    return result


if __name__ == "__main__":
    import json

    # python -m bench.memory [--timer] [CHECKPOINT ...]
    timed = sys.argv[1:2] == ["--timer"]
    args = tuple(int(a) for a in sys.argv[1 + timed :])
    print(
        json.dumps(
            timer(checkpoints=args or TIMER_CHECKPOINTS)
            if timed
            else measure(checkpoints=args or CHECKPOINTS),
            indent=1,
        )
    )
