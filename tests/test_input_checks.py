"""Options checked when the command line is parsed: --endpoint-url (and the AWS_ENDPOINT_URL* variables)
for every command, and `demo serve`'s --port and --delay. One line, exit 2, never a traceback,
never a password quoted back."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sm_spaces.endpoint_url import check_endpoint_url

from tests.reliability_log import Counter, record

SM = [sys.executable, "-m", "sm_spaces"]

GOOD = [
    "http://127.0.0.1:8080",
    "https://api.sagemaker.us-east-1.amazonaws.com",
    "https://api.sagemaker.us-east-1.amazonaws.com/",
    "HTTP://localhost:1",
    "http://[::1]:65535/prefix/v1",
    "http://my_host.internal",
]
BAD = {
    "file:///etc/passwd": "must start with http:// or https://",
    "javascript:alert(1)": "must start with http:// or https://",
    "ftp://example.com": "must start with http:// or https://",
    "http://a.example\r\nX-Injected: 1": "control characters",
    "http://a.example/\x1b[2J": "control characters",
    "http://localhost:99999": "port that is not a number from 1 to 65535",
    "http://localhost:0": "port that is not a number from 1 to 65535",
    "http://localhost:": "port that is not a number from 1 to 65535",
    "http://localhost:8o": "port that is not a number from 1 to 65535",
    "": "is empty",
    "http://user:hunter2@localhost:8080/": "must not contain a user name or password",
    "http://hunter2@localhost/": "must not contain a user name or password",
    "http:///path": "has no host",
    "http://[::1": "malformed host",
    "http://exa mple.com": "spaces",
    "http://exa'mple.com": "host name with characters",
    "http://localhost/?x=1": "query",
    "http://localhost/#frag": "fragment",
    "http://localhost/a%0d%0a": "path with characters",
}


@pytest.mark.parametrize("url", GOOD)
def test_usable_endpoints_pass_unchanged(url: str) -> None:
    assert check_endpoint_url(url) == url


@pytest.mark.parametrize("url, why", BAD.items())
def test_unusable_endpoints_are_named_without_quoting_them(url: str, why: str) -> None:
    with pytest.raises(ValueError) as refused:
        check_endpoint_url(url, "--endpoint-url")
    message = str(refused.value)
    assert message.startswith("--endpoint-url ") and why in message
    assert "hunter2" not in message and "\n" not in message


counted = Counter("input.endpoint_url_property")
REASON_ENDINGS = (
    "https:// URL",
    "control characters",
    "http:// or https://",
    "credentials come from AWS",
    "malformed host",
    "has no host",
    "a host name cannot have",
    "from 1 to 65535",
    "a fragment (#",
    "an endpoint path cannot have",
)


@given(st.text(max_size=60) | st.from_regex(r"https?://[^/]{0,20}(/.{0,10})?", fullmatch=True))
def test_any_string_is_accepted_unchanged_or_refused_with_a_value_error(text: str) -> None:
    counted()
    try:
        assert check_endpoint_url(text) == text
    except ValueError as problem:
        # One of the fixed sentences: nothing of the input is quoted back.
        assert str(problem).startswith("the endpoint URL ") and str(problem).isprintable()
        assert str(problem).rstrip(")").endswith(REASON_ENDINGS)


def test_endpoint_property_figures_recorded() -> None:
    counted.done()
    assert counted.count > 0


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SM, *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env=env or os.environ.copy(),
    )


def one_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


# Every command, the TUI included: the check runs before any of them starts.
COMMANDS = [
    [],
    ["list"],
    ["list", "--json"],
    ["start", "s1"],
    ["stop", "s1", "--yes"],
    ["connect", "s1", "--", "true"],
    ["forward", "s1"],
    ["ssh-proxy", "sm-s1"],
    ["ssh-config", "show"],
    ["ssh-config", "install", "--dry-run"],
    ["doctor"],
    ["open", "vscode://x"],
    ["demo", "serve"],
]


@pytest.mark.parametrize("words", COMMANDS, ids=lambda w: " ".join(w) or "tui")
def test_every_command_refuses_a_bad_endpoint_in_one_line(words: list[str], tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = "http://user:hunter2@127.0.0.1:99999/"
    proc = run("--endpoint-url", url, *words, env=dict(os.environ, HOME=str(tmp_path)))
    line = one_line(proc)
    assert proc.returncode == 2 and proc.stdout == ""
    assert line.startswith("sm-spaces: --endpoint-url ") and "hunter2" not in line
    record("input.endpoint_url", commands=1, message=line)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "javascript:alert(1)", "http://a\r\nb", "http://h:99999", ""]
)
def test_the_issue_s_urls_after_the_command_name(url: str) -> None:
    proc = run("list", "--endpoint-url", url)
    assert proc.returncode == 2 and "malformed" not in one_line(proc)
    assert one_line(proc).startswith("sm-spaces: --endpoint-url ")


def test_endpoint_variables_are_checked_too() -> None:
    env = dict(os.environ, AWS_ENDPOINT_URL_SAGEMAKER="file:///etc/passwd")
    proc = run("list", env=env)
    assert proc.returncode == 2
    assert one_line(proc) == "sm-spaces: AWS_ENDPOINT_URL_SAGEMAKER must start with http:// or https://"
    env = dict(os.environ, AWS_ENDPOINT_URL="http://x:0")
    assert run("--demo", "list", "--json", env=env).returncode == 0  # --demo uses its own endpoint


@pytest.mark.parametrize(
    "option, why",
    [
        (["--port", "-5"], "--port must be from 1 to 65535"),
        (["--port", "80000"], "--port must be from 1 to 65535"),
        (["--delay", "nan"], "--delay must be a number of seconds"),
        (["--delay", "inf"], "--delay must be a number of seconds"),
        (["--delay", "-1"], "--delay must be a number of seconds"),
    ],
)
def test_demo_serve_options_are_checked(option: list[str], why: str) -> None:
    proc = run("demo", "serve", *option)
    assert proc.returncode == 2 and why in one_line(proc)
    record("input.demo_serve", commands=1, message=one_line(proc))
