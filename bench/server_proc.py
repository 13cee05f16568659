"""The simulated account in a process of its own, as a real endpoint would be on another machine.

Benchmarks must not share a CPU (and a GIL) with the server they measure, so they start this
module as a child: it prints one JSON line (endpoint, credentials, a running space's ARN) and
serves until its stdin closes. A line `answered` on its stdin asks how many calls of each
operation it has answered so far (one JSON line back); a line `cut` drops every data-channel
websocket, as a network failure would (`{}` back once done).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any

LIST_OPS = ("ListDomains", "ListSpaces", "ListApps", "ListUserProfiles")


class _Tally(deque):
    """The server's record of recent answers (a bounded deque), also counting every answer by operation."""

    def __init__(self, recent: deque) -> None:
        super().__init__(recent, maxlen=recent.maxlen)
        self.total: Counter[str] = Counter(recent)

    def append(self, op: str) -> None:
        super().append(op)
        self.total[op] += 1


async def _serve(args: argparse.Namespace) -> None:
    from sm_spaces.demo.account import DemoAccount
    from sm_spaces.demo.server import DemoServer

    if args.domains:
        account = DemoAccount.generate(args.domains, args.spaces, seed=args.seed)
    else:
        account = DemoAccount.seeded()
    server = DemoServer(account)
    server.answered = answered = _Tally(server.answered)
    server.faults.latency = args.latency
    server.faults.throttle_rate = args.throttle
    if args.rate_limit:  # AWS's throttling: calls per second per List operation (token buckets)
        server.faults.rate_limits = dict.fromkeys(LIST_OPS, args.rate_limit)
    server.faults.short_pages = args.short_pages
    await server.start()  # it mounts the SSM data channel and the spaces' SSH hosts itself
    running = [
        (d, s)
        for d in account.domains.values()
        for s in d.spaces
        if s.remote_access and s.app is not None and s.app.status == "InService"
    ]
    arn = ""
    if running:
        d, s = running[0]
        arn = f"arn:aws:sagemaker:{d.region}:{account.account_id}:space/{d.domain_id}/{s.name}"
    print(
        json.dumps(
            {"env": server.env(), "endpoint": server.endpoint_url, "region": server.region, "space_arn": arn}
        ),
        flush=True,
    )
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):  # until the parent closes it
        if line.strip() == "answered":
            print(json.dumps(answered.total), flush=True)
        elif line.strip() == "cut":
            server.agent.cut_connections()
            print("{}", flush=True)
        elif line.strip() == "faults":
            f = server.faults
            print(
                json.dumps(
                    {"throttled": f.throttled, "by_op": f.throttled_by_op, "short_pages": f.shortened_pages}
                ),
                flush=True,
            )
    await server.stop()


@dataclass
class ServerProcess:
    """Handle on a running child server; use as a context manager."""

    proc: subprocess.Popen
    info: dict[str, Any]

    @property
    def env(self) -> dict[str, str]:
        return self.info["env"]

    @property
    def endpoint(self) -> str:
        return self.info["endpoint"]

    @property
    def credentials(self) -> tuple[str, str, str | None]:
        e = self.env
        return e["AWS_ACCESS_KEY_ID"], e["AWS_SECRET_ACCESS_KEY"], e.get("AWS_SESSION_TOKEN")

    def answered(self) -> dict[str, int]:
        """How many calls of each operation the server has answered so far."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("answered\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def cut(self) -> None:
        """Drop every data-channel websocket; returns once the server has done it."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("cut\n")
        self.proc.stdin.flush()
        self.proc.stdout.readline()

    def faults(self) -> dict[str, Any]:
        """What the server's faults did so far: throttled answers (in all, by operation), short pages."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("faults\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start(
    *,
    domains: int = 0,
    spaces: int = 0,
    latency: float = 0.0,
    throttle: float = 0.0,
    seed: int = 0,
    rate_limit: float = 0.0,
    short_pages: float = 0.0,
) -> ServerProcess:
    argv = [
        sys.executable,
        "-m",
        "bench.server_proc",
        "--domains",
        str(domains),
        "--spaces",
        str(spaces),
        "--latency",
        str(latency),
        "--throttle",
        str(throttle),
        "--seed",
        str(seed),
        "--rate-limit",
        str(rate_limit),
        "--short-pages",
        str(short_pages),
    ]
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.wait()
        raise RuntimeError("the benchmark's demo server did not start")
    return ServerProcess(proc, json.loads(line))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--domains", type=int, default=0)
    p.add_argument("--spaces", type=int, default=0)
    p.add_argument("--latency", type=float, default=0.0)
    p.add_argument("--throttle", type=float, default=0.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--rate-limit", type=float, default=0.0, help="calls/s per List operation (0: none)")
    p.add_argument("--short-pages", type=float, default=0.0, help="share of List pages cut short")
    asyncio.run(_serve(p.parse_args()))


if __name__ == "__main__":
    main()
