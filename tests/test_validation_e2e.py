"""Requests checked as AWS checks them, met by the real client (issue 11 item 5, acceptance).

What the client can check it refuses before any call (a space name SageMaker cannot have, an ARN
outside botocore's patterns, an instance type too small for remote access): the tests point it at
a closed port, so a call would have failed differently. What it cannot check reaches the service,
whose ValidationException, in AWS's words, the user reads as one line with AWS's reason: here an
instance type the service has withdrawn while the client's botocore still lists it (the service's
model newer than the client's), the simulator's `Faults.withdrawn_enum_values`.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from sm_spaces.demo.server import ThreadedDemo
from sm_spaces.model import SpaceStatus
from sm_spaces.ui.testing import demo_app, highlight, settle, shown, wait_until

from tests.cli_run import one_line, run
from tests.demo_service import find_space

WITHDRAWN = "ml.m5.2xlarge"  # research-shared's instance type (stopped, remote access on)


def _service_enum_size() -> int:
    from botocore.session import Session

    enum = Session().get_service_model("sagemaker").shape_for("AppInstanceType").enum
    return len([value for value in enum if value != WITHDRAWN])


def last_line(proc) -> str:
    """The failure's line: the last on stderr, after the progress lines ("starting ... on ..."),
    and no traceback."""
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines and all(line.startswith(("sm-spaces: ", "starting ")) for line in lines), proc.stderr
    return lines[-1]


def _refusal(op: str) -> str:
    return (
        f"sm-spaces: {op} was refused: 1 validation error detected: Value '{WITHDRAWN}' at "
        "'resourceSpec.instanceType' failed to satisfy constraint: Member must satisfy enum value set: ["
    )


def test_a_validation_exception_from_sagemaker_is_one_line_with_aws_reason(
    demo_thread: ThreadedDemo, demo_env: dict[str, str]
) -> None:
    demo_thread.server.faults.withdrawn_enum_values = {WITHDRAWN}
    proc = run(demo_env, "start", "research-shared", "--yes")
    assert proc.returncode == 1, proc.stderr
    line = last_line(proc)
    assert line.startswith(_refusal("CreateApp")), line
    # AWS lists every value of the enum; the line names a few and how many, and ends with the list.
    assert line.endswith(f", … ({_service_enum_size()} values)]"), line
    assert WITHDRAWN not in line[len(_refusal("CreateApp")) :]
    listed = run(demo_env, "list", "--json")
    (space,) = [s for s in json.loads(listed.stdout) if s["space_name"] == "research-shared"]
    assert space["status"] == "Stopped"


def test_connect_says_the_same_line_and_starts_nothing(
    demo_thread: ThreadedDemo, demo_env: dict[str, str]
) -> None:
    demo_thread.server.faults.withdrawn_enum_values = {WITHDRAWN}
    proc = run(demo_env, "connect", "research-shared", "--yes", "--", "true")
    assert proc.returncode == 1, proc.stderr
    assert last_line(proc).startswith(_refusal("CreateApp"))


async def test_the_tui_shows_aws_reason_and_keeps_the_space_stopped(demo) -> None:
    demo.faults.withdrawn_enum_values = {WITHDRAWN}
    app = demo_app(demo)
    async with app.run_test(size=(150, 45)) as pilot:
        await settle(pilot)
        highlight(app, "research-shared")
        await pilot.press("s")
        refused = _refusal("CreateApp")[len("sm-spaces: ") :]
        assert await wait_until(pilot, lambda: refused in app.notices.text(), rounds=1000), app.notices.text()
        await settle(pilot)
        (notice,) = [n for n in app.notices.said if refused in n.message]
        assert notice.severity == "error" and "\n" not in notice.message
        assert shown(app)["research-shared"] == "Stopped"
        assert app.is_running
    assert (await _status(demo, "research-shared")) is SpaceStatus.STOPPED


async def _status(demo, name: str) -> SpaceStatus:
    return (await find_space(demo, name)).status


# --- refused before any call ----------------------------------------------------------------------


@pytest.fixture
def nowhere(tmp_path: Path) -> dict[str, str]:
    """An environment whose endpoint is a closed port: any call would fail with 'cannot reach'."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEEXAMPLE00",
        "AWS_SECRET_ACCESS_KEY": "not-a-real-secret",
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_CONFIG_FILE": str(tmp_path / "absent"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "absent"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "SM_SPACES_CONFIG_DIR": str(tmp_path / "config"),
        "SM_SPACES_CACHE_DIR": str(tmp_path / "cache"),
    }


@pytest.mark.parametrize(
    "args",
    [
        ["start", "bad name!"],
        ["stop", "a.b", "--yes"],
        ["connect", "x" * 64, "--", "true"],
        ["forward", "trailing-"],
        ["remote-access", "a_b"],
    ],
    ids=["start", "stop", "connect", "forward", "remote-access"],
)
def test_a_name_sagemaker_cannot_have_is_refused_before_any_call(
    nowhere: dict[str, str], args: list[str]
) -> None:
    proc = run(nowhere, *args)
    assert proc.returncode == 2, proc.stderr
    line = one_line(proc)
    assert "cannot be a SageMaker space name" in line and "cannot reach" not in line, line


def test_an_arn_outside_botocore_patterns_is_refused_before_any_call(nowhere: dict[str, str]) -> None:
    domain = "d-" + "a" * 62  # botocore's DomainId: at most 63 characters
    proc = run(nowhere, "ssh-proxy", f"arn:aws:sagemaker:us-east-1:123456789012:space/{domain}/my-space")
    assert proc.returncode != 0
    line = one_line(proc)
    assert "neither a space ARN nor an sm-spaces alias" in line and "cannot reach" not in line, line


def test_a_type_too_small_for_remote_access_is_refused_before_any_call(nowhere: dict[str, str]) -> None:
    proc = run(nowhere, "start", "nlp-experiments", "--instance-type", "ml.t3.small")
    assert proc.returncode == 2, proc.stderr
    line = one_line(proc)
    assert "ml.t3.small is too small for remote access" in line and "ml.t3.large" in line, line
