"""Keystrokes with a big account loaded: the `/` filter and cursor moves, p50/p95, and memory.

The app runs headless under Textual's `run_test` against the simulated account (in its own process)
holding domains x spaces_per_domain spaces. Each sample is the CPU time the process spends on one
`pilot.press` and the pause until the app is idle again: handling the key, filtering, drawing the
tree's new lines and compositing the screen. It includes the pilot's own work per key (it walks every
widget twice to see the screen has caught up): `noop` measures that with a key bound to nothing.
CPU time, not wall time, because the pilot's idle detection sleeps in coarse steps that would swamp
the figure; the process does nothing else meanwhile (the simulated account runs in another process,
the clock is frozen, background refresh is off).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from bench import server_proc
from bench.common import PYTHON, ROOT, percentile

# Typed and deleted one after another. Distinct first letters: no query is a prefix of an earlier
# one, so the index's memory of recent queries does not answer them (a backspace still may).
FILTER_TEXTS = ("space-0042", "bench-domain-007", "user-03 jupyter", "ml.g5", "codeeditor")
SIZE = (140, 45)


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def _drive(
    server: server_proc.ServerProcess, expected: int, cursor_moves: int, queries: int, noop_keys: int
) -> dict:
    from sm_spaces.ui.app import SpacesApp
    from sm_spaces.ui.clock import FrozenClock
    from sm_spaces.ui.testing import settle, wait_until

    app = SpacesApp(
        regions=[server.info["region"]],
        endpoint_url=server.endpoint,
        credentials=server.credentials,
        clock=FrozenClock(),
        background_refresh=False,
        cache_profile="bench",
        use_settings=False,
    )
    filter_ms: list[float] = []
    cursor_ms: list[float] = []
    noop_ms: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        start = time.perf_counter()
        loaded = await wait_until(pilot, lambda: len(app.index.spaces) >= expected, rounds=3000, step=0.02)
        await settle(pilot)
        load_s = time.perf_counter() - start
        if not loaded:
            raise RuntimeError(f"the app loaded {len(app.index.spaces)} of {expected} spaces")
        rss = _rss_mb()

        async def timed(key: str, into: list[float]) -> None:
            t = time.process_time()
            await pilot.press(key)
            await pilot.pause()
            into.append((time.process_time() - t) * 1000)

        for _ in range(noop_keys):  # a key bound to nothing: what the harness itself costs per key
            await timed("f19", noop_ms)
        for _ in range(cursor_moves):
            await timed("down", cursor_ms)
        for _ in range(cursor_moves // 4):
            await timed("up", cursor_ms)
        await pilot.press("slash")
        await pilot.pause()
        for text in FILTER_TEXTS[:queries]:
            for char in text:  # narrows from all spaces to a few
                await timed("space" if char == " " else char, filter_ms)
            for _ in text:  # and widens back to all of them
                await timed("backspace", filter_ms)
        shown_after = len(app.visible_spaces())
        await pilot.press("escape")
        await app.close_services()
    return {
        "filter_ms": filter_ms,
        "cursor_ms": cursor_ms,
        "noop_ms": noop_ms,
        "rss_mb": rss,
        "load_s": load_s,
        "spaces": expected,
        "queries": list(FILTER_TEXTS[:queries]),
        "shown_after_filter_cleared": shown_after,
    }


def _measure_here(
    domains: int, spaces_per_domain: int, cursor_moves: int, queries: int, noop_keys: int
) -> dict:
    expected = domains * spaces_per_domain
    with tempfile.TemporaryDirectory(prefix="sm-spaces-bench-") as tmp:
        os.environ["SM_SPACES_CONFIG_DIR"] = os.path.join(tmp, "config")
        os.environ["SM_SPACES_CACHE_DIR"] = os.path.join(tmp, "cache")
        with server_proc.start(domains=domains, spaces=spaces_per_domain) as server:
            return asyncio.run(_drive(server, expected, cursor_moves, queries, noop_keys))


def measure(
    domains: int = 100,
    spaces_per_domain: int = 100,
    *,
    cursor_moves: int = 40,
    runs: int = 1,
    queries: int = len(FILTER_TEXTS),
    noop_keys: int = 20,
) -> dict:
    """In a fresh interpreter per run, as the TUI runs: not in the bench process, which holds whatever
    the earlier benchmarks imported and kept (botocore's models, listings) for its collector to walk.
    Each figure is the median over the runs of that run's percentile; the per-run ones are kept."""
    per_run = []
    for _ in range(runs):
        child = subprocess.run(
            [
                PYTHON,
                "-m",
                "bench.keys",
                "--child",
                *map(str, (domains, spaces_per_domain, cursor_moves, queries, noop_keys)),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            raise RuntimeError(f"keystroke benchmark failed: {child.stderr[-600:]}")
        one = json.loads(child.stdout.strip().splitlines()[-1])
        for name in ("filter_ms", "cursor_ms", "noop_ms"):
            one[name.replace("_ms", "_p50")] = percentile(one[name], 50)
            one[name.replace("_ms", "_p95")] = percentile(one[name], 95)
        per_run.append(one)
    result = dict(per_run[-1])
    for name in (
        "filter_p50",
        "filter_p95",
        "cursor_p50",
        "cursor_p95",
        "noop_p50",
        "noop_p95",
        "rss_mb",
        "load_s",
    ):
        result[name] = statistics.median(run[name] for run in per_run)
    result["runs"] = [{k: v for k, v in run.items() if not k.endswith("_ms")} for run in per_run]
    return result


def sizes(accounts: tuple[tuple[int, int], ...], **options: int) -> dict:
    """measure() for each (domains, spaces per domain), with the same `options`."""
    return {"sizes": [measure(d, s, **options) for d, s in accounts]}


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(_measure_here(*(int(a) for a in sys.argv[2:7]))))
        sys.exit(0)
    out = measure()
    print({k: (round(v, 2) if isinstance(v, float) else v) for k, v in out.items() if not k.endswith("_ms")})
    print([round(x, 1) for x in out["filter_ms"]])
    print([round(x, 1) for x in out["cursor_ms"]])
