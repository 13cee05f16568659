"""No silent surprises when the command line changes a space (issue 13, item 4): real processes
against the simulated account, checked with plain botocore (not our code).

connect and forward ask before starting a stopped space and name the instance type it would run
on; --yes or the ask_before_start setting answers for scripts; a wrong --instance-type is refused
before any call; Ctrl-C during start or stop says what the space was left as and how to finish.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import socket
import subprocess
import time

import pytest

from tests.cli_run import SM, one_line, run

ML_PLATFORM = "d-mlplatf0rm01"


@pytest.fixture
def env(served, tmp_path) -> dict[str, str]:
    """The served account's environment, with settings of its own."""
    _server, environ = served
    return dict(environ, SM_SPACES_CONFIG_DIR=str(tmp_path / "config"), NO_COLOR="1")


@pytest.fixture
def client(served, make_botocore_client):
    return make_botocore_client(served[0])


def app_of(client, name: str) -> tuple[str, str | None] | None:
    """(status, instance type) of the space's live app, or None when it has none."""
    apps = client.list_apps(DomainIdEquals=ML_PLATFORM, SpaceNameEquals=name)["Apps"]
    live = [a for a in apps if a["Status"] != "Deleted"]
    return (live[0]["Status"], live[0].get("ResourceSpec", {}).get("InstanceType")) if live else None


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- --instance-type --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, said",
    [
        (["start", "image-classifier", "--instance-type", "ml.t3.tiny"], "'ml.t3.tiny' is not a SageMaker"),
        (["connect", "image-classifier", "--instance-type", "ml.t3.tiny"], "did you mean"),
        (["forward", "image-classifier", "--instance-type", "t3.large"], "did you mean ml.t3.large"),
        (["start", "image-classifier", "--instance-type", "ml.t3.medium"], "too small for remote access"),
    ],
)
def test_a_wrong_instance_type_is_refused_before_any_call(env, args, said):
    # Nothing listens at this endpoint: any call would fail with "cannot reach".
    proc = run(env, "--endpoint-url", f"http://127.0.0.1:{_closed_port()}", *args)
    assert proc.returncode == 2
    line = one_line(proc)
    assert line.startswith("sm-spaces: --instance-type: ") and said in line


@pytest.mark.parametrize("command", ["start", "connect", "forward"])
def test_an_instance_type_for_a_running_space_is_refused(env, client, command):
    before = app_of(client, "fraud-detection")
    proc = run(env, command, "fraud-detection", "--instance-type", "ml.t3.large")
    assert proc.returncode == 2
    assert "fraud-detection is already running on ml.m5.xlarge; --instance-type applies" in one_line(proc)
    assert app_of(client, "fraud-detection") == before == ("InService", "ml.m5.xlarge")


# --- consent before a start that costs money --------------------------------------------------


@pytest.mark.parametrize("command", ["connect", "forward"])
def test_a_script_must_pass_yes_to_start_a_stopped_space(env, client, command):
    proc = (
        run(env, command, "image-classifier", "--", "true")
        if command == "connect"
        else run(env, command, "image-classifier")
    )
    assert proc.returncode == 2
    assert one_line(proc) == (
        "sm-spaces: starting image-classifier on ml.g5.xlarge needs confirmation; "
        "pass --yes when not on a terminal"
    )
    assert app_of(client, "image-classifier") is None


def test_on_a_terminal_the_question_names_the_instance_type_and_no_starts_nothing(env, client):
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [*SM, "connect", "image-classifier", "--", "true"],
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(follower)
    try:
        shown = b""
        deadline = time.monotonic() + 120
        while b"[y/N]" not in shown and time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], 1)
            if ready:
                chunk = os.read(proc.stdout.fileno(), 4096)
                if not chunk:
                    break
                shown += chunk
        os.write(leader, b"n\n")
        _out, err = proc.communicate(timeout=60)
    finally:
        os.close(leader)
        if proc.poll() is None:
            proc.kill()
    assert shown.decode().strip() == (
        "image-classifier is stopped. Start it on ml.g5.xlarge (CodeEditor) to connect? [y/N]"
    )
    assert proc.returncode == 2 and err.decode().strip() == "sm-spaces: image-classifier was not started"
    assert app_of(client, "image-classifier") is None


def test_yes_or_the_setting_starts_it_and_says_on_what(env, client, tmp_path):
    started = run(env, "connect", "data-quality", "--yes", "--", "echo", "hi")
    assert started.returncode == 0, started.stderr
    assert started.stdout == "hi\n"
    assert started.stderr.startswith("starting data-quality on ml.t3.large\n")
    assert app_of(client, "data-quality") == ("InService", "ml.t3.large")

    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "config" / "config.toml").write_text("ask_before_start = false\n")
    started = run(env, "connect", "feature-store-dev", "--", "echo", "hi")
    assert started.returncode == 0, started.stderr
    assert started.stderr.startswith("starting feature-store-dev on ml.t3.large\n")
    assert app_of(client, "feature-store-dev") == ("InService", "ml.t3.large")


# --- Ctrl-C during a change ---------------------------------------------------------------------


def interrupted(args: list[str], when: str, env) -> tuple[int, list[str]]:
    """Run `args` on the in-process simulated account (state changes take a second there) and
    press Ctrl-C once stderr shows `when`; (exit code, stderr lines)."""
    proc = subprocess.Popen(
        [*SM, "--demo", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines = []
    try:
        for line in proc.stderr:
            lines.append(line.rstrip("\n"))
            if line.strip() == when:
                proc.send_signal(signal.SIGINT)
                break
        _out, rest = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, lines + rest.splitlines()


@pytest.mark.parametrize(
    "args, when, said",
    [
        (
            ["start", "model-monitoring", "--instance-type", "ml.t3.large"],
            "model-monitoring: Updating",
            "sm-spaces: interrupted: model-monitoring is being updated and then stays stopped; "
            "then `sm-spaces --demo start model-monitoring --instance-type ml.t3.large` starts it",
        ),
        (
            ["start", "image-classifier"],
            "image-classifier: Starting",
            "sm-spaces: interrupted: image-classifier is starting and goes on by itself; "
            "`sm-spaces --demo start image-classifier` waits for it, "
            "`sm-spaces --demo stop image-classifier` stops it",
        ),
        (
            ["stop", "fraud-detection", "--yes"],
            "fraud-detection: Stopping",
            "sm-spaces: interrupted: fraud-detection is stopping and goes on by itself; "
            "`sm-spaces --demo stop fraud-detection` waits for it",
        ),
    ],
)
def test_ctrl_c_during_a_change_says_what_is_left_and_how_to_finish(args, when, said):
    code, lines = interrupted(args, when, dict(os.environ))
    assert code == 130
    assert lines[-1] == said
    assert not any("Traceback" in line for line in lines)
