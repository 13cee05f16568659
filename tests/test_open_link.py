"""`sm-spaces open LINK`: a Studio deep link built from a session the simulated account issued
connects (in-process and through the system ssh) without any StartSession call; invalid links are
refused naming the field, before any process or network call; the token reaches no command line."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from sm_spaces.demo import sagemaker_api
from sm_spaces.demo.server import DemoServer

from tests.cli_run import run_argv

SM = [sys.executable, "-m", "sm_spaces"]
BASE = "vscode://amazonwebservices.aws-toolkit-vscode/connect/sagemaker"


@pytest.fixture
def start_session_calls(monkeypatch) -> list[str]:
    """Every StartSession the simulated account answers (the demo dispatches through HANDLERS)."""
    calls: list[str] = []
    real = sagemaker_api.HANDLERS["StartSession"]

    def counting(call, params):  # type: ignore[no-untyped-def]
        calls.append(params.get("ResourceIdentifier", ""))
        return real(call, params)

    monkeypatch.setitem(sagemaker_api.HANDLERS, "StartSession", counting)
    return calls


def _space(server: DemoServer, name: str = "fraud-detection"):  # type: ignore[no-untyped-def]
    for domain in server.account.domains_in(server.region):
        if name in domain.spaces_by_name:
            return domain, domain.spaces_by_name[name]
    raise AssertionError(f"{name} not in the seeded account")


def issue_link(server: DemoServer, name: str = "fraud-detection", **override: str) -> tuple[str, str]:
    """A link in Studio's shape for a fresh session of `name`, and that session's token."""
    domain, space = _space(server, name)
    arn = f"arn:aws:sagemaker:{server.region}:{server.account.account_id}:space/{domain.domain_id}/{name}"
    session = server.sessions.create(arn)
    stream_url = server.sessions.stream_url(server.ws_base_url, session)
    ws_url, _, cell = stream_url.rpartition("&cell-number=")
    params = {
        "connection_identifier": arn,
        "domain": domain.domain_id,
        "user_profile": space.owner,
        "session": session.session_id,
        "ws_url": ws_url,
        "cell-number": cell,
        "token": session.token,
        "app_type": space.app_type,
    } | override
    return BASE + "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items()), session.token


@pytest.mark.parametrize("via", ["asyncssh", "ssh"])
def test_a_valid_link_connects_without_start_session(demo_thread, demo_env, start_session_calls, via):
    server = demo_thread.server
    uri, _ = issue_link(server)
    proc = run_argv([*SM, "open", uri, "--with", via, "--", "echo ok; exit 4"], demo_env)
    assert proc.stdout == "ok\n", proc.stderr
    assert proc.returncode == 4
    assert start_session_calls == []
    assert [s.used for s in server.sessions.issued()] == [True]  # only the link's, and it was used

    # The counter does count: a plain connect makes exactly one StartSession.
    proc = run_argv([*SM, "connect", "fraud-detection", "--with", "asyncssh", "--", "true"], demo_env)
    assert proc.returncode == 0, proc.stderr
    assert len(start_session_calls) == 1


def test_a_used_link_fails_in_one_line_without_the_token(demo_thread, demo_env):
    uri, token = issue_link(demo_thread.server)
    assert run_argv([*SM, "open", uri, "--", "true"], demo_env).returncode == 0
    proc = run_argv([*SM, "open", uri, "--", "true"], demo_env)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert lines[-1].startswith("sm-spaces: ") and "open a fresh link" in lines[-1]
    assert "Traceback" not in proc.stderr and token not in proc.stderr + proc.stdout


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"token": "short"}, "token"),
        ({"token": "bad token with spaces and more"}, "token"),
        (
            {"connection_identifier": "arn:aws:sagemaker:us-east-1:123456789012:space/d-x/a;b"},
            "connection_identifier",
        ),
        ({"domain": "d-someotherdomain"}, "domain"),
        ({"session": "-rf"}, "session"),
        ({"ws_url": "wss://evil.example.com/v1/data-channel/x?role=publish_subscribe"}, "ws_url"),
        ({"app_type": "KernelGateway"}, "app_type"),
        ({"cell-number": "1;2"}, "cell-number"),
    ],
)
def test_invalid_links_are_refused_naming_the_field(
    demo_thread, demo_env, start_session_calls, override, field
):
    server = demo_thread.server
    uri, token = issue_link(server, **override)
    before = {s.session_id: s.used for s in server.sessions.issued()}
    proc = run_argv([*SM, "open", uri, "--", "echo ok"], demo_env)
    assert proc.returncode == 2
    assert proc.stdout == ""
    line = proc.stderr.strip()
    assert "\n" not in line and line.startswith(f"sm-spaces: invalid deep link: {field}: ")
    assert token not in line
    # Nothing reached the account: no StartSession, and no session was claimed.
    assert start_session_calls == []
    assert {s.session_id: s.used for s in server.sessions.issued()} == before


def test_a_loopback_stream_url_needs_the_loopback_endpoint(demo_thread, demo_env):
    """Without a local endpoint configured, a ws://127.0.0.1 stream URL is not an AWS one."""
    uri, _ = issue_link(demo_thread.server)
    env = {k: v for k, v in demo_env.items() if not k.startswith("AWS_ENDPOINT_URL")}
    proc = run_argv([*SM, "open", uri, "--", "echo ok"], env)
    assert proc.returncode == 2 and "invalid deep link: ws_url: " in proc.stderr
    other = dict(env, AWS_ENDPOINT_URL="http://127.0.0.1:1")
    proc = run_argv([*SM, "open", uri, "--", "echo ok"], other)
    assert proc.returncode == 2 and "ws_url: does not match the allowed local endpoint" in proc.stderr


@pytest.mark.parametrize("via", ["asyncssh", "ssh"])
def test_a_link_with_parameters_we_do_not_use_connects_and_debug_names_them(
    demo_thread, demo_env, start_session_calls, via
):
    """Studio adds parameters over time (the Toolkit ignores those it does not know): the link still
    connects; --debug names them on stderr; their values (hostile here) reach nothing."""
    uri, token = issue_link(demo_thread.server)
    hostile = "HOSTILE%0A%1B%5B2J%3Brm%20-rf"
    uri += f"&studio_feature=on&newParam={hostile}"
    proc = run_argv([*SM, "--debug", "open", uri, "--with", via, "--", "echo ok"], demo_env)
    assert proc.stdout == "ok\n" and proc.returncode == 0, proc.stderr
    assert (
        "sm-spaces: debug: deep link: ignoring parameters this version does not use: studio_feature, newParam"
        in proc.stderr.splitlines()
    )
    assert "HOSTILE" not in proc.stderr and token not in proc.stderr
    assert start_session_calls == []
    quiet = run_argv(
        [*SM, "open", issue_link(demo_thread.server)[0] + "&studio_feature=on", "--", "true"], demo_env
    )
    assert quiet.returncode == 0 and "studio_feature" not in quiet.stderr


def test_not_a_link_and_demo_are_refused(demo_thread, demo_env):
    proc = run_argv([*SM, "open", "https://example.com/?token=abc", "--", "true"], demo_env)
    assert proc.returncode == 2 and proc.stderr.startswith("sm-spaces: invalid deep link: uri: ")
    proc = run_argv([*SM, "open", "-", "--", "true"], demo_env, input="", stdin=None)
    assert proc.returncode == 2 and proc.stderr.startswith("sm-spaces: invalid deep link: uri: ")
    uri, _ = issue_link(demo_thread.server)
    proc = run_argv([*SM, "--demo", "open", uri, "--", "true"], demo_env)
    assert proc.returncode == 2 and "open cannot use --demo" in proc.stderr


def _watch_command_lines(seen: list[str], stop: threading.Event) -> None:
    while not stop.is_set():
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    seen.append(
                        (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                    )
                except OSError:
                    pass
        time.sleep(0.02)


@pytest.mark.parametrize("via", ["asyncssh", "ssh"])
def test_a_link_read_from_stdin_reaches_no_command_line(demo_thread, demo_env, via):
    uri, token = issue_link(demo_thread.server)
    seen: list[str] = []
    stop = threading.Event()
    watcher = threading.Thread(target=_watch_command_lines, args=(seen, stop))
    watcher.start()
    try:
        proc = run_argv(
            [*SM, "open", "-", "--with", via, "--", "sleep 1; echo done"],
            demo_env,
            input=uri + "\n",
            stdin=None,
        )
    finally:
        stop.set()
        watcher.join()
    assert proc.stdout == "done\n", proc.stderr
    assert any(" open - " in line for line in seen), "the watcher must have seen the command"
    assert [line for line in seen if token in line] == []


def test_the_token_is_on_no_command_line_with_system_ssh(demo_thread, demo_env):
    uri, token = issue_link(demo_thread.server)
    seen: list[str] = []
    stop = threading.Event()
    watcher = threading.Thread(target=_watch_command_lines, args=(seen, stop))
    watcher.start()
    try:
        # The link itself is on `open`'s command line (that is how a user passes it); it must not
        # travel further: neither ssh's nor the proxy's command line carries it.
        proc = run_argv([*SM, "open", uri, "--with", "ssh", "--", "sleep 1; echo done"], demo_env)
    finally:
        stop.set()
        watcher.join()
    assert proc.stdout == "done\n", proc.stderr
    proxies = [line for line in seen if "--session-env" in line]
    assert proxies, "the watcher must have seen the proxy"
    children = [line for line in seen if "ssh-proxy" in line or line.startswith("/usr/bin/ssh ")]
    assert [line for line in children if token in line] == []


def test_session_env_proxy_refuses_a_missing_or_bad_session(demo_env):
    proc = run_argv([*SM, "ssh-proxy", "--session-env", "SM_TEST_ABSENT"], demo_env)
    assert proc.returncode == 2 and "no session in $SM_TEST_ABSENT" in proc.stderr
    proc = run_argv(
        [*SM, "ssh-proxy", "--session-env", "SM_TEST_BAD"], dict(demo_env, SM_TEST_BAD="{not json")
    )
    assert proc.returncode == 2 and "does not hold a session" in proc.stderr
    proc = run_argv([*SM, "ssh-proxy", "--session-env", "bad;name"], demo_env)
    assert proc.returncode == 2 and "environment variable name" in proc.stderr
