"""`sm-spaces list` in one region against `list --all-regions`, each started as a user starts it.

Both run against the simulator in its own process (it serves every region, as AWS's endpoints do),
with `latency` added to every call; the runs alternate so a busy spell on the machine hits both.
"""

from __future__ import annotations

import json
import subprocess
import time

from bench import server_proc
from bench.common import child_env, sm_spaces


def _listed(argv: list[str], env: dict[str, str]) -> tuple[float, list[dict]]:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {done.stderr.decode(errors='replace')[-400:]}")
    return elapsed, json.loads(done.stdout)


def measure(runs: int, latency: float = 0.05) -> dict:
    with server_proc.start(latency=latency) as server:
        env = child_env(**server.env)
        one = [*sm_spaces(), "--endpoint-url", server.endpoint, "--region", server.info["region"], "list"]
        one.append("--json")
        every = [*one, "--all-regions"]
        _listed(one, env)  # warm the OS file cache and the bytecode cache
        _listed(every, env)
        times: dict[str, list[float]] = {"one": [], "all": []}
        spaces: dict[str, int] = {}
        for _ in range(runs):
            for key, argv in (("one", one), ("all", every)):
                elapsed, listed = _listed(argv, env)
                times[key].append(elapsed)
                spaces[key] = len(listed)
                spaces[f"{key}_regions"] = len({space["region"] for space in listed})
    from sm_spaces.aws.context import available_regions

    return {"latency": latency, "regions": len(available_regions()), **times, "spaces": spaces}
