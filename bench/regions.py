"""`sm-spaces list` in one region against `list --all-regions`, each started as a user starts it.

The user's path: `demo serve` (or AWS) gives the environment — endpoint, credentials, region in
AWS_REGION — and the user types `sm-spaces list` or `sm-spaces list --all-regions`, no flags, and
reads the table (all regions with its REGION column). Both run against the simulator in its own
process (it serves every region, as AWS's endpoints do), with `latency` added to every call; the
runs alternate so a busy spell on the machine hits both.
"""

from __future__ import annotations

import subprocess
import time

from bench import server_proc
from bench.common import child_env, sm_spaces


def _listed(argv: list[str], env: dict[str, str]) -> tuple[float, list[list[str]]]:
    """Wall seconds from spawn to exit, and the table's rows (header first), split on spaces."""
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {done.stderr.decode(errors='replace')[-400:]}")
    return elapsed, [line.split() for line in done.stdout.decode().splitlines()]


def measure(runs: int, latency: float = 0.05) -> dict:
    with server_proc.start(latency=latency) as server:
        env = child_env(**server.env)  # AWS_REGION, AWS_ENDPOINT_URL*, credentials: as demo serve prints them
        one = [*sm_spaces(), "list"]
        every = [*one, "--all-regions"]
        _listed(one, env)  # warm the OS file cache and the bytecode cache
        _listed(every, env)
        times: dict[str, list[float]] = {"one": [], "all": []}
        spaces: dict[str, int] = {}
        for _ in range(runs):
            for key, argv in (("one", one), ("all", every)):
                elapsed, rows = _listed(argv, env)
                times[key].append(elapsed)
                spaces[key] = len(rows) - 1
                if key == "all":
                    if rows[0][0] != "REGION":
                        raise RuntimeError(f"list --all-regions has no REGION column: {rows[0]}")
                    spaces["all_regions"] = len({row[0] for row in rows[1:]})
    from sm_spaces.aws.context import available_regions

    return {
        "latency": latency,
        "region": server.info["region"],
        "regions": len(available_regions()),
        **times,
        "spaces": spaces,
    }
