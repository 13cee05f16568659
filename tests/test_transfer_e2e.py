"""20 MB each way with the real OpenSSH scp and sftp through `sm-spaces ssh-proxy`, on a clean link
and on one that drops, duplicates and reorders frames: the bytes arrive identical or not at all.

On the lossy link the simulated agent resends as amazon-ssm-agent does (app/demo/agent_sender.py:
the oldest unacknowledged message, once per 100 ms tick), so each lost frame towards the client
costs a tick: 20 MB then take ~2 minutes a tool, which the `fuzz` marker keeps out of the default
run; 2 MB (thousands of frames, hundreds of them dropped, duplicated and reordered) run by default."""

import hashlib
import os
import subprocess

import pytest

from tests.space_ssh import proxy_to, ssh_options

MB = 1024 * 1024
ARN = "arn:aws:sagemaker:us-east-1:123456789012:space/d-mlplatf0rm01/fraud-detection"
ALIAS = "sm-fraud-detection"


def _options() -> list[str]:
    return ssh_options(proxy_to(ARN))


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def faults(served, request):
    server, _ = served
    lossy = request.param
    agent = server.agent.faults
    saved = (agent.drop_rate, agent.duplicate_rate, agent.reorder_rate)
    agent.dropped = agent.duplicated = agent.reordered = 0
    if lossy:
        agent.drop_rate, agent.duplicate_rate, agent.reorder_rate = 0.05, 0.05, 0.05
    yield lossy
    agent.drop_rate, agent.duplicate_rate, agent.reorder_rate = saved


@pytest.mark.parametrize(
    ("faults", "size"),
    [
        pytest.param(False, 20 * MB, id="clean"),
        pytest.param(True, 2 * MB, id="lossy"),
        pytest.param(True, 20 * MB, id="lossy-20mb", marks=pytest.mark.fuzz),
    ],
    indirect=["faults"],
)
@pytest.mark.parametrize("tool", ["scp", "sftp"])
def test_each_way_arrives_identical(served, faults, size, tool, tmp_path):
    _, env = served
    source = tmp_path / "up.bin"
    source.write_bytes(os.urandom(size))
    back = tmp_path / "back.bin"
    remote = f"{tool}-{'lossy' if faults else 'clean'}.bin"
    if tool == "scp":
        up = subprocess.run(
            ["scp", *_options(), str(source), f"{ALIAS}:{remote}"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
        )
        assert up.returncode == 0, up.stderr
        down = subprocess.run(
            ["scp", *_options(), f"{ALIAS}:{remote}", str(back)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
        )
        assert down.returncode == 0, down.stderr
    else:
        batch = tmp_path / "batch"
        batch.write_text(f"put {source} {remote}\nget {remote} {back}\n")
        proc = subprocess.run(
            ["sftp", *_options(), "-b", str(batch), ALIAS],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            stdin=subprocess.DEVNULL,
        )
        assert proc.returncode == 0, proc.stderr
    assert back.stat().st_size == size
    assert _sha(back) == _sha(source)
    agent = served[0].agent.faults
    if faults:  # the link really was lossy: thousands of frames cross it each way
        assert min(agent.dropped, agent.duplicated, agent.reordered) > 100
