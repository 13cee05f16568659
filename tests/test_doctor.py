"""`sm-spaces doctor` end to end against the simulated account (real HTTP, real ssh -G), plus the
small pure pieces it is made of."""

from __future__ import annotations

import io
import os
import re
import sys

import pytest
from sm_spaces.cli import main
from sm_spaces.commands.doctor import render
from sm_spaces.connect.doctor import Check, Status
from sm_spaces.connect.doctor_aws import policy_source_arn
from sm_spaces.connect.doctor_local import check_dns, check_proxies, mask_proxy, resolve
from sm_spaces.demo.server import DemoServer


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("AWS_") or name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    return tmp_path


@pytest.fixture
def account(isolated, monkeypatch):
    server = DemoServer()
    with server.start_in_thread():
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        yield server


def lines_of(out: str) -> dict[str, str]:
    """{check name: its line} from doctor's output (names are padded; two spaces end them)."""
    found = {}
    for line in out.splitlines():
        match = re.match(r"\s*([✓✗!–]) (.+?)\s{2,}", line)
        if match:
            found[match.group(2)] = line
    return found


def doctor(*args: str) -> int:
    return main([*args])


def test_demo_doctor_passes(isolated, capsys):
    config = isolated / "ssh_config"
    assert doctor("--demo", "doctor", "--config", str(config)) == 0
    out = capsys.readouterr().out
    checks = lines_of(out)
    assert "✗" not in out and "ready to connect" in out
    for name in (
        "ssh",
        "credentials",
        "region",
        "sagemaker:ListSpaces",
        "sagemaker:ListDomains",
        "sagemaker:DescribeDomain",
        "sagemaker:ListApps",
        "sagemaker:ListUserProfiles",
    ):
        assert checks[name].lstrip().startswith("✓"), checks[name]
    start_session = checks["sagemaker:StartSession"]
    assert start_session.lstrip().startswith("–") and "untested" in start_session
    endpoint = checks["DNS endpoint"]
    assert endpoint.lstrip().startswith("✓") and "127.0.0.1" in endpoint  # the endpoint's own host
    assert "not used" in out  # the AWS host names do not apply to the simulated endpoint
    assert checks["ssh config block"].lstrip().startswith("–")  # none installed: optional here
    assert not config.exists()


def test_denied_action_is_named_with_its_policy_statement(account, isolated, capsys):
    account.faults.deny.add("ListSpaces")
    code = doctor("doctor", "--endpoint-url", account.endpoint_url, "--config", str(isolated / "cfg"))
    out = capsys.readouterr().out
    assert code == 1
    line = lines_of(out)["sagemaker:ListSpaces"]
    assert line.lstrip().startswith("✗")
    assert '{"Effect": "Allow", "Action": "sagemaker:ListSpaces", "Resource": "*"}' in out
    assert lines_of(out)["sagemaker:ListDomains"].lstrip().startswith("✓")
    assert "problem" in out.splitlines()[-1]


def test_output_holds_no_secret(account, isolated, monkeypatch, capsys):
    monkeypatch.setenv("HTTPS_PROXY", "http://alice:pr0xy-pass@proxy.corp:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    doctor("doctor", "--endpoint-url", account.endpoint_url, "--config", str(isolated / "cfg"))
    captured = capsys.readouterr()
    everything = captured.out + captured.err
    assert account.credentials.secret_key not in everything
    if account.credentials.token:
        assert account.credentials.token not in everything
    assert "pr0xy-pass" not in everything and "alice" not in everything
    assert "HTTPS_PROXY=http://***@proxy.corp:3128" in everything


def test_installed_block_is_checked_with_ssh(account, isolated, capsys):
    config = isolated / "cfg"
    config.write_text("Host build\n  HostName build.example.com\n")
    args = ["--endpoint-url", account.endpoint_url, "--config", str(config)]
    assert main(["ssh-config", "install", "--yes", *args]) == 0
    capsys.readouterr()
    assert doctor("doctor", *args) == 0
    checks = lines_of(capsys.readouterr().out)
    assert checks["ssh config block"].lstrip().startswith("✓") and "current" in checks["ssh config block"]
    assert checks["ssh -G"].lstrip().startswith("✓")
    assert checks["Host conflicts"].lstrip().startswith("✓")  # "Host conflicts"

    # A space dropped from the block by hand: still connects (the sm-* pattern), but worth fixing.
    text = config.read_text()
    start = text.index("Host sm-churn-model\n")
    config.write_text(text[:start] + text[text.index("Host ", start + 5) :])
    assert doctor("doctor", *args) == 0
    out = capsys.readouterr().out
    assert lines_of(out)["ssh config block"].lstrip().startswith("!") and "sm-churn-model" in out

    # A user Host claiming one of our aliases, and a line OpenSSH rejects: both block connecting.
    config.write_text(config.read_text() + "Host sm-fraud-detection\n  Port 2222\n")
    assert doctor("doctor", *args) == 1
    out = capsys.readouterr().out
    conflicts = lines_of(out)["Host conflicts"]
    assert conflicts.lstrip().startswith("✗") and "sm-fraud-detection" in conflicts
    config.write_text(config.read_text() + "NotAnOption yes\n")
    assert doctor("doctor", *args) == 1
    assert lines_of(capsys.readouterr().out)["ssh -G"].lstrip().startswith("✗")


def test_a_home_ssh_does_not_read_is_blamed_not_the_block(account, isolated, capsys):
    # $HOME (a temporary directory here) is not the passwd entry's home, where OpenSSH looks.
    import pwd

    passwd_home = pwd.getpwuid(os.getuid()).pw_dir
    assert os.environ["HOME"] != passwd_home
    assert main(["ssh-config", "install", "--yes", "--endpoint-url", account.endpoint_url]) == 0
    block_file = isolated / "home" / ".ssh" / "config"
    assert "sm-fraud-detection" in block_file.read_text()
    capsys.readouterr()
    assert doctor("doctor", "--endpoint-url", account.endpoint_url) == 1
    line = lines_of(capsys.readouterr().out)["ssh -G"]
    assert line.lstrip().startswith("✗")
    assert f"ssh reads {passwd_home}/.ssh/config, not {block_file}" in line
    assert "OpenSSH takes the home directory from your passwd entry" in line


def test_demo_does_not_judge_a_block_made_for_another_context(account, isolated, capsys):
    config = isolated / "cfg"
    assert (
        main(
            [
                "ssh-config",
                "install",
                "--yes",
                "--endpoint-url",
                account.endpoint_url,
                "--config",
                str(config),
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert doctor("--demo", "doctor", "--config", str(config)) == 0
    line = lines_of(capsys.readouterr().out)["ssh config block"]
    assert line.lstrip().startswith("–") and account.endpoint_url in line


def test_no_credentials_fail_with_a_fix(isolated, monkeypatch, capsys):
    server = DemoServer()
    with server.start_in_thread():  # a reachable endpoint, but no keys anywhere
        monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        code = doctor(
            "doctor",
            "--region",
            "us-east-1",
            "--endpoint-url",
            server.endpoint_url,
            "--config",
            str(isolated / "cfg"),
        )
    out = capsys.readouterr().out
    assert code == 1
    line = lines_of(out)["credentials"]
    assert line.lstrip().startswith("✗") and "aws configure" in line
    assert lines_of(out)["permissions"].lstrip().startswith("–")


def test_bad_profile_is_one_failing_line(isolated, capsys):
    assert (
        doctor(
            "doctor",
            "--profile",
            "no-such-profile",
            "--region",
            "us-east-1",
            "--config",
            str(isolated / "cfg"),
        )
        == 1
    )
    out = capsys.readouterr().out
    assert "no-such-profile" in out and "Traceback" not in out


# --- the pieces -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("http://user:secret@proxy:3128", "http://***@proxy:3128"),
        ("https://tok@proxy.example.com", "https://***@proxy.example.com"),
        ("user:secret@proxy:3128", "***@proxy:3128"),
        ("http://proxy:3128", "http://proxy:3128"),
        ("  http://proxy:3128/path@x ", "http://proxy:3128/path@x"),
    ],
)
def test_proxy_credentials_are_masked(raw, shown):
    assert mask_proxy(raw) == shown


def test_proxy_that_would_swallow_a_loopback_endpoint_warns():
    env = {"HTTP_PROXY": "http://proxy:3128"}
    check = check_proxies("http://127.0.0.1:4566", env)
    assert check.status is Status.WARN and "NO_PROXY" in (check.fix or "")
    assert check_proxies("http://127.0.0.1:4566", {**env, "NO_PROXY": "127.0.0.1"}).status is Status.OK
    assert check_proxies(None, {}).status is Status.SKIP


@pytest.mark.parametrize(
    "arn, source",
    [
        ("arn:aws:iam::123456789012:user/dev", "arn:aws:iam::123456789012:user/dev"),
        ("arn:aws:sts::123456789012:assumed-role/DataSci/alice", "arn:aws:iam::123456789012:role/DataSci"),
        ("arn:aws-cn:sts::123456789012:assumed-role/R/s", "arn:aws-cn:iam::123456789012:role/R"),
        ("arn:aws:iam::123456789012:root", None),
        ("arn:aws:sts::123456789012:federated-user/bob", None),
        ("garbage", None),
    ],
)
def test_policy_source_for_the_simulator(arn, source):
    assert policy_source_arn(arn) == source


async def test_dns_uses_the_endpoint_host_and_marks_aws_names_not_applicable():
    checks = await check_dns("eu-west-1", "http://localhost:4566")
    assert checks[0].status is Status.OK and "localhost" in checks[0].detail
    assert [c.status for c in checks[1:]] == [Status.SKIP] * 3
    assert "ssmmessages.eu-west-1.amazonaws.com" in checks[3].detail
    assert await resolve("127.0.0.1", 5.0) == ["127.0.0.1"]
    assert isinstance(await resolve("bad..name", 5.0), str)


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    checks = [Check("ssh", Status.OK, "fine"), Check("credentials", Status.FAIL, "expired", "aws sso login")]
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    coloured = render("head", checks, stream=Terminal())
    assert "\x1b[32m✓\x1b[0m" in coloured and "\x1b[31m✗\x1b[0m" in coloured
    plain = render("head", checks, stream=io.StringIO())
    assert "\x1b" not in plain
    # aligned: both details start in the same column
    rows = [r for r in plain.splitlines() if r.startswith("  ")]
    assert rows[0].index("fine") == rows[1].index("expired")
    assert "fix: aws sso login" in plain
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b" not in render("head", checks, stream=Terminal())
