"""`python -m bench` (or `python bench/run.py`): every benchmark, medians of several runs, BENCHMARKS.md.

`--quick` uses tiny sizes and one run each: the smoke test runs it so the benchmarks cannot rot.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # `python bench/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import keys, listing, memory, rate_limited, regions, report, resume, startup, tunnel
from bench.common import ROOT

COMMAND = ".venv/bin/python -m bench"


RUNS = 5

# What each benchmark measures in a full run, and with --quick (tiny sizes, one run): `collect`
# runs them all in this order, `--only NAME` one of them.
BENCHMARKS: dict[str, tuple[Callable[[], object], Callable[[], object]]] = {
    "listing": (
        lambda: listing.measure(runs=RUNS, toolkit_runs=3),
        # 10 % throttled: the seeded draw still throttles some of these few calls; at a third,
        # botocore's adaptive pacing of them took most of the smoke test's time.
        lambda: listing.measure(
            ((2, 3),), latency=0.01, runs=1, toolkit_runs=1, throttle=0.1, throttle_size=(2, 3)
        ),
    ),
    "rate_limited": (
        lambda: rate_limited.measure(runs=3),
        lambda: rate_limited.measure((2, 3), latency=0.01, runs=1, refill=0.5),
    ),
    # First paint affords more runs: medians that hold on a machine other sessions share.
    "first_paint": (lambda: startup.first_paint(15, instructions=True), lambda: startup.first_paint(1)),
    "cli": (lambda: startup.cli(RUNS), lambda: startup.cli(1)),
    "regions": (lambda: regions.measure(RUNS), lambda: regions.measure(1, latency=0.01)),
    "keys": (
        lambda: keys.sizes(((50, 40), (100, 100)), cursor_moves=60, runs=5),
        # One query and a few harness keys: every press waits for the pilot's idle detection.
        lambda: keys.sizes(((2, 5), (2, 3)), cursor_moves=4, queries=1, noop_keys=3),
    ),
    "memory": (memory.measure, lambda: memory.measure(2, 3, checkpoints=(2, 4))),
    # 30 minutes: the refresh timer at 5 s, in real time.
    "memory_timer": (memory.timer, lambda: memory.timer(2, 3, checkpoints=(1, 2))),
    "raw_channel": (lambda: tunnel.raw(100, 3), lambda: tunnel.raw(1, 1)),
    "capped_channel": (lambda: tunnel.capped(8, 2, 3), lambda: tunnel.capped(1, 2, 1)),
    "ssh": (lambda: tunnel.ssh(100, 3), lambda: tunnel.ssh(1, 1)),
    "ssh_breakdown": (lambda: tunnel.breakdown(RUNS), lambda: tunnel.breakdown(1)),
    "resume": (lambda: resume.measure(20), lambda: resume.measure(2)),
}


def measure(name: str, quick: bool) -> object:
    full, small = BENCHMARKS[name]
    return small() if quick else full()


def collect(quick: bool) -> dict:
    results: dict = {"load_average": [os.getloadavg()[0]]}
    began = time.perf_counter()
    for name in BENCHMARKS:
        t = time.perf_counter()
        print(f"bench: {name} …", file=sys.stderr, flush=True)
        results[name] = measure(name, quick)
        print(f"bench: {name} done in {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
    results["total_seconds"] = time.perf_counter() - began
    results["load_average"].append(os.getloadavg()[0])
    return results


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--quick", action="store_true", help="tiny sizes, one run: checks that everything runs")
    p.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md", help="where to write the report")
    p.add_argument("--json", type=Path, help="also write the raw figures as JSON")
    p.add_argument(
        "--only",
        choices=sorted(report.SECTIONS),
        help="measure this benchmark alone and replace its section of an existing report",
    )
    p.add_argument(
        "--before",
        type=Path,
        help="the --json of a run on an earlier tree, to report beside this run's figures",
    )
    args = p.parse_args(argv)
    if args.only:
        return _only(args)
    before = None
    if args.before:
        before = (args.before.as_posix(), json.loads(args.before.read_text()))
    results = collect(args.quick)
    command = (
        COMMAND
        + (" --quick" if args.quick else "")
        + (f" --before {args.before.as_posix()}" if before else "")
    )
    args.output.write_text(report.render(results, command=command, before=before))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
    print(f"bench: wrote {args.output}", file=sys.stderr)
    return 0


def _only(args: argparse.Namespace) -> int:
    result = measure(args.only, args.quick)
    command = f"{COMMAND} --only {args.only}" + (" --quick" if args.quick else "")
    old = args.output.read_text() if args.output.exists() else "# Benchmarks\n"
    args.output.write_text(report.splice(old, args.only, result, command=command))
    if args.json:
        args.json.write_text(json.dumps({args.only: result}, indent=1, default=str))
    print(f"bench: wrote the {args.only} section of {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
