"""`python -m bench` (or `python bench/run.py`): every benchmark, medians of several runs, BENCHMARKS.md.

`--quick` uses tiny sizes and one run each: the smoke test runs it so the benchmarks cannot rot.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # `python bench/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import keys, listing, memory, rate_limited, regions, report, resume, startup, tunnel
from bench.common import ROOT

COMMAND = ".venv/bin/python -m bench"


def collect(quick: bool) -> dict:
    runs = 1 if quick else 5
    results: dict = {"load_average": [os.getloadavg()[0]]}
    began = time.perf_counter()

    def step(name: str, fn, *args, **kwargs) -> None:
        t = time.perf_counter()
        print(f"bench: {name} …", file=sys.stderr, flush=True)
        results[name] = fn(*args, **kwargs)
        print(f"bench: {name} done in {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)

    if quick:
        step(
            "listing", listing.measure, ((2, 3),), latency=0.01, runs=1, toolkit_runs=1, throttle_size=(2, 3)
        )
        step("rate_limited", rate_limited.measure, (2, 3), latency=0.01, runs=1, refill=0.5)
        step("first_paint", startup.first_paint, 1)
        step("cli", startup.cli, 1)
        step("regions", regions.measure, 1, latency=0.01)
        step("keys", keys.sizes, ((2, 5), (2, 3)), cursor_moves=4)
        step("memory", memory.measure, 2, 3, checkpoints=(2, 4))
        step("memory_timer", memory.timer, 2, 3, checkpoints=(1, 2))
        step("raw_channel", tunnel.raw, 1, 1)
        step("capped_channel", tunnel.capped, 1, 2, 1)
        step("ssh", tunnel.ssh, 1, 1)
        step("ssh_breakdown", tunnel.breakdown, 1)
        step("resume", resume.measure, 2)
    else:
        step("listing", listing.measure, runs=runs, toolkit_runs=3)
        step("rate_limited", rate_limited.measure, runs=3)
        step("first_paint", startup.first_paint, runs)
        step("cli", startup.cli, runs)
        step("regions", regions.measure, runs)
        step("keys", keys.sizes, ((50, 40), (100, 100)), cursor_moves=60, runs=5)
        step("memory", memory.measure)
        step("memory_timer", memory.timer)  # 30 minutes: the refresh timer at 5 s, in real time
        step("raw_channel", tunnel.raw, 100, 3)
        step("capped_channel", tunnel.capped, 8, 2, 3)
        step("ssh", tunnel.ssh, 100, 3)
        step("ssh_breakdown", tunnel.breakdown, runs)
        step("resume", resume.measure, 20)
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
    runs = 1 if args.quick else 5
    measure = {  # the full run's sizes, or --quick's
        "regions": lambda: regions.measure(runs, latency=0.01 if args.quick else 0.05),
        # Alone, first paint can afford more runs: medians that hold on a machine other sessions share.
        "first_paint": lambda: startup.first_paint(1 if args.quick else 15),
        "keys": lambda: (
            keys.sizes(((2, 5),), cursor_moves=4)
            if args.quick
            else keys.sizes(((50, 40), (100, 100)), cursor_moves=60, runs=5)
        ),
        "rate_limited": lambda: (
            rate_limited.measure((2, 3), latency=0.01, runs=1, refill=0.5)
            if args.quick
            else rate_limited.measure(runs=3)
        ),
        "memory": lambda: memory.measure(2, 3, checkpoints=(2, 4)) if args.quick else memory.measure(),
        "resume": lambda: resume.measure(2 if args.quick else 20),
    }[args.only]
    result = measure()
    command = f"{COMMAND} --only {args.only}" + (" --quick" if args.quick else "")
    old = args.output.read_text() if args.output.exists() else "# Benchmarks\n"
    args.output.write_text(report.splice(old, args.only, result, command=command))
    if args.json:
        args.json.write_text(json.dumps({args.only: result}, indent=1, default=str))
    print(f"bench: wrote the {args.only} section of {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
