"""Resume: the time from a cut websocket to data flowing again, under the system ssh.

The simulator runs in its own process (bench/server_proc.py). `ssh` runs `cat` on the demo space
with the argv and ProxyCommand that `sm-spaces connect` builds, as a user's ssh does. Each round
sends a line and times its echo: first on a quiet link (the baseline), then right after the
simulator has cut the proxy's websocket, so the echo waits for the proxy to notice, call
ssm:ResumeSession (credentials resolved afresh, a new SSM client), open a new websocket and resend.
"""

from __future__ import annotations

import subprocess
import time

from bench import server_proc
from bench.common import child_env


def _echo(proc: subprocess.Popen[bytes], line: bytes) -> float:
    assert proc.stdin is not None and proc.stdout is not None
    start = time.perf_counter()
    proc.stdin.write(line)
    proc.stdin.flush()
    got = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    if got != line:
        raise RuntimeError(f"the space echoed {got!r} instead of {line!r}")
    return elapsed


def measure(cuts: int = 10) -> dict:
    from sm_spaces.connect.handoff import AwsTarget, system_ssh_argv

    with server_proc.start() as server:
        arn = server.info["space_arn"]
        target = AwsTarget(region=server.info["region"], endpoint_url=server.endpoint)
        argv = system_ssh_argv("sm-bench", arn, target, ["cat"])
        proc = subprocess.Popen(
            argv,
            env=child_env(**server.env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            _echo(proc, b"warm-up\n")
            quiet = [_echo(proc, f"quiet {i}\n".encode()) for i in range(cuts)]
            after_cut = []
            for i in range(cuts):
                server.cut()  # returns once the simulator has dropped the websocket
                after_cut.append(_echo(proc, f"after cut {i}\n".encode()))
            resumed = server.answered().get("ResumeSession", 0)
        finally:
            if proc.stdin is not None:
                proc.stdin.close()
            proc.wait(60)
        if proc.returncode != 0:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise RuntimeError(f"ssh failed after the cuts: {err[-400:]}")
    return {"quiet": quiet, "after_cut": after_cut, "resume_calls": resumed, "cuts": cuts}
