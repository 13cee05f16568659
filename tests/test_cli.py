"""The command line as a user runs it: real processes, the simulated account over real HTTP."""

import json
import os
import socket
import subprocess
import sys

import pytest
from sm_spaces import __version__

from tests.cli_run import serve_exports

SM = [sys.executable, "-m", "sm_spaces"]


def run(*args, env=None, timeout=120):
    return subprocess.run(
        [*SM, *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, env=env
    )


def one_line_error(proc):
    lines = proc.stderr.strip().splitlines()
    assert "Traceback" not in proc.stderr
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_version():
    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"sm-spaces {__version__}"


def test_demo_list_json_prints_the_seeded_spaces():
    proc = run("--demo", "list", "--json")
    assert proc.returncode == 0, proc.stderr
    spaces = json.loads(proc.stdout)
    assert len(spaces) >= 20
    keys = {
        "arn",
        "domain_id",
        "domain_name",
        "space_name",
        "user_profile",
        "app_type",
        "status",
        "instance_type",
        "remote_access",
        "sharing",
    }
    assert all(keys <= set(s) for s in spaces)
    by_name = {s["space_name"]: s for s in spaces}
    assert by_name["fraud-detection"]["status"] == "Running"
    assert by_name["recsys-training"]["status"] == "Failed"
    assert {s["app_type"] for s in spaces} == {"JupyterLab", "CodeEditor"}
    assert {s["sharing"] for s in spaces} == {"Private", "Shared"}


def test_demo_list_table_is_aligned_and_filters():
    proc = run("--demo", "list", "--domain", "research-sandbox", "--user", "carol")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:3] == ["DOMAIN", "USER", "PROFILE"]
    # carol's own spaces, and the spaces shared with her domain (which belong to no one profile).
    owners = [line.split()[1] for line in lines[1:]]
    assert all(line.startswith("research-sandbox  ") for line in lines[1:])
    assert set(owners) == {"carol", "shared"} and owners.count("carol") >= 2
    status_col = lines[0].index("STATUS")
    statuses = {line[status_col : lines[0].index("INSTANCE")].strip() for line in lines[1:]}
    # carol's spaces: running, stopped, and one whose last update failed (the space itself)
    assert statuses == {"Running", "Stopped", "Update failed"}, statuses


@pytest.fixture(scope="module")
def served():
    """`sm-spaces demo serve` in its own process, and the environment it prints."""
    proc = subprocess.Popen(
        [*SM, "demo", "serve", "--delay", "0.2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    env = dict(os.environ)
    for env_var in ("AWS_PROFILE", "AWS_CONFIG_FILE"):
        env.pop(env_var, None)
    try:
        env.update(serve_exports(proc.stdout)[0])
        assert "AWS_ENDPOINT_URL" in env
        yield env
    finally:
        proc.terminate()
        proc.wait(10)


def boto_view(env):
    """{space: (app status or None, remote access)} as plain boto3 sees it — not our code."""
    import boto3

    client = boto3.client(
        "sagemaker",
        region_name=env["AWS_DEFAULT_REGION"],
        endpoint_url=env["AWS_ENDPOINT_URL"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    view = {}
    for dom in client.list_domains()["Domains"]:
        spaces = client.get_paginator("list_spaces").paginate(DomainIdEquals=dom["DomainId"])
        apps = client.get_paginator("list_apps").paginate(DomainIdEquals=dom["DomainId"])
        live = {}
        for page in apps:
            for a in page["Apps"]:
                if a.get("SpaceName") and a["Status"] != "Deleted":
                    live[a["SpaceName"]] = (a["Status"], a.get("ResourceSpec", {}).get("InstanceType"))
        for page in spaces:
            for s in page["Spaces"]:
                view[s["SpaceName"]] = (
                    live.get(s["SpaceName"]),
                    s["SpaceSettingsSummary"].get("RemoteAccess") == "ENABLED",
                )
    return view


def test_served_account_matches_our_listing_and_start_stop_change_it(served):
    ours = json.loads(run("list", "--json", env=served).stdout)
    before = boto_view(served)
    assert {s["space_name"] for s in ours} == set(before)
    assert before["model-monitoring"] == (None, False)

    # ml.t3.medium is too small for remote access: no consent, no start.
    refused = run("start", "model-monitoring", env=served)
    assert refused.returncode == 2
    assert "ml.t3.large" in one_line_error(refused)
    assert boto_view(served)["model-monitoring"] == (None, False)

    started = run("start", "model-monitoring", "--instance-type", "ml.t3.large", env=served)
    assert started.returncode == 0, started.stderr
    assert boto_view(served)["model-monitoring"] == (("InService", "ml.t3.large"), True)

    refused = run("stop", "model-monitoring", env=served)
    assert refused.returncode == 2 and "--yes" in one_line_error(refused)
    stopped = run("stop", "model-monitoring", "--yes", env=served)
    assert stopped.returncode == 0, stopped.stderr
    assert boto_view(served)["model-monitoring"] == (None, True)
    assert json.loads(run("list", "--json", env=served).stdout)[0]["status"]  # still lists fine


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    "args, code, text",
    [
        (["--profile", "no-such-profile", "list"], 1, "'no-such-profile' is not in your AWS config"),
        (["--region", "narnia", "list"], 1, "not an AWS region name"),
        (["--demo", "start", "no-such-space"], 1, "no space named 'no-such-space'"),
        (["--demo", "stop", "fraud-detection", "--domain", "d-nothere"], 1, "no space named"),
    ],
)
def test_bad_input_is_one_clear_line(tmp_path, args, code, text):
    env = dict(
        os.environ,
        AWS_CONFIG_FILE=str(tmp_path / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "credentials"),
    )
    (tmp_path / "config").write_text("[default]\nregion = us-east-1\n")
    proc = run(*args, env=env)
    assert proc.returncode == code
    assert text in one_line_error(proc)


def test_unreachable_endpoint_is_named(tmp_path):
    url = f"http://127.0.0.1:{_closed_port()}"
    env = dict(
        os.environ,
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY="secret",
        AWS_CONFIG_FILE=str(tmp_path / "none"),
        # One retry, as a user may set it: the message is the point here, not botocore's back-off.
        AWS_MAX_ATTEMPTS="2",
    )
    proc = run("--region", "us-east-1", "--endpoint-url", url, "list", env=env, timeout=60)
    assert proc.returncode == 1
    assert f"cannot reach {url}" in one_line_error(proc)


def test_usage_error_exits_2():
    proc = run("start")
    assert proc.returncode == 2 and "usage:" in proc.stderr
