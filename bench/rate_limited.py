"""A 50 x 40 listing while SageMaker throttles by rate, as `sm-spaces list --json` meets it.

The simulator (its own process) answers ThrottlingException once a List operation has used up its
rate (a token bucket per operation, `rate` calls/s) and cuts a share of pages short while NextToken
still leads on. Each listing is a fresh `sm-spaces list --json`, as a user runs it, so botocore's
rate limiter starts off each time; before each run the buckets refill. The same command against the
same account without the rate limit is the baseline. Our default retry mode (adaptive) is set
against botocore's standard mode, which a user may choose (AWS_RETRY_MODE=standard).

`python -m bench.rate_limited` runs this part alone and prints its figures; `python -m bench` puts
them in BENCHMARKS.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

from bench import server_proc
from bench.common import sm_spaces

LIST_OPS = server_proc.LIST_OPS


def _list_once(server: server_proc.ServerProcess, mode: str | None) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(server.env, AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    if mode:
        env["AWS_RETRY_MODE"] = mode
    calls_before, faults_before = server.answered(), server.faults()
    start = time.perf_counter()
    proc = subprocess.run(
        [*sm_spaces(), "list", "--json"], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    seconds = time.perf_counter() - start
    calls_after, faults_after = server.answered(), server.faults()
    spaces = json.loads(proc.stdout) if proc.returncode == 0 else []
    return {
        "seconds": seconds,
        "ok": proc.returncode == 0,
        "error": proc.stderr.strip().splitlines()[-1] if proc.returncode else "",
        "spaces": len({(s["domain_id"], s["space_name"]) for s in spaces}),
        "calls": sum(calls_after.get(op, 0) - calls_before.get(op, 0) for op in LIST_OPS),
        "throttled": faults_after["throttled"] - faults_before["throttled"],
        "short_pages": faults_after["short_pages"] - faults_before["short_pages"],
    }


def measure(
    size: tuple[int, int] = (50, 40),
    *,
    rate: float = 5.0,
    short_pages: float = 0.3,
    latency: float = 0.05,
    runs: int = 3,
    standard_runs: int = 1,
    refill: float = 2.0,
) -> dict[str, Any]:
    domains, spaces = size
    out: dict[str, Any] = {
        "domains": domains,
        "spaces_per_domain": spaces,
        "expected": domains * spaces,
        "rate": rate,
        "short_pages": short_pages,
        "latency": latency,
    }
    common = {"domains": domains, "spaces": spaces, "latency": latency, "short_pages": short_pages}
    with server_proc.start(**common) as server:
        _list_once(server, None)  # warm-up: bytecode compiled, the server's caches filled
        out["unthrottled"] = [_list_once(server, None) for _ in range(runs)]
    with server_proc.start(**common, rate_limit=rate) as server:
        out["limited"], out["standard"] = [], []
        for mode, key, count in ((None, "limited", runs), ("standard", "standard", standard_runs)):
            for _ in range(count):
                time.sleep(refill)  # every bucket full again: each run meets the same service
                out[key].append(_list_once(server, mode))
    return out


if __name__ == "__main__":
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    print(json.dumps(measure(runs=runs), indent=1))
