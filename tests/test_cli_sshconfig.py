"""`sm-spaces ssh-config install|show|remove` end to end: the CLI in-process, the simulated account
over real HTTP (on its own thread), a temporary ssh config, and the real OpenSSH reading it."""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sm_spaces.atomic import backup_path
from sm_spaces.cli import main
from sm_spaces.connect.ssh_block import self_command
from sm_spaces.connect.ssh_config import plan_remove
from sm_spaces.demo.server import DemoServer

SSH = shutil.which("ssh") or "/usr/bin/ssh"
USER_CONTENT = (
    b"# my hosts\r\nHost build\r\n\tHostName build.example.com\r\n"
    b"Host *\r\n  ServerAliveInterval 45\r\n  IdentityFile ~/.ssh/id_ed25519"
)  # CRLF, no final EOL


@pytest.fixture
def account(monkeypatch, tmp_path):
    """The simulated account, reachable the way `sm-spaces demo serve` makes it reachable."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal
    server = DemoServer()
    with server.start_in_thread():
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        yield server


@pytest.fixture
def config(tmp_path) -> Path:
    path = tmp_path / "ssh" / "config"
    path.parent.mkdir()
    path.write_bytes(USER_CONTENT)
    path.chmod(0o600)
    return path


def sm(account, *args: str) -> int:
    return main(["ssh-config", *args, "--endpoint-url", account.endpoint_url])


def ssh_g(config: Path, host: str) -> dict[str, str]:
    done = subprocess.run(
        [SSH, "-G", "-F", str(config), host],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    options: dict[str, str] = {}
    for line in done.stdout.splitlines():
        key, _, value = line.partition(" ")
        options.setdefault(key, value)
    return options


def test_install_keeps_user_bytes_mode_and_a_backup(account, config, capsys):
    assert sm(account, "install", "--yes", "--config", str(config)) == 0
    out = capsys.readouterr().out
    assert "+Host sm-fraud-detection" in out and f"wrote {config}" in out
    after = config.read_bytes()
    assert after != USER_CONTENT
    assert plan_remove(after) == USER_CONTENT  # every byte outside the block is as it was
    assert after.endswith(USER_CONTENT)
    assert b"\r\nHost sm-fraud-detection\r\n" in after  # the block follows the file's CRLF style
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert backup_path(config).read_bytes() == USER_CONTENT


def test_second_install_changes_nothing(account, config, capsys):
    assert sm(account, "install", "--yes", "--config", str(config)) == 0
    first = config.read_bytes()
    capsys.readouterr()
    assert sm(account, "install", "--config", str(config)) == 0  # no --yes needed: nothing to ask
    out = capsys.readouterr().out
    assert "already up to date" in out and "+++" not in out
    assert config.read_bytes() == first


def test_conflicting_user_host_is_refused(account, config, capsys):
    original = USER_CONTENT + b"\r\nHost sm-churn-model\r\n  HostName 10.0.0.5\r\n"
    config.write_bytes(original)
    assert sm(account, "install", "--yes", "--config", str(config)) == 1
    err = capsys.readouterr().err
    assert "sm-churn-model" in err and "line 7" in err and len(err.strip().splitlines()) == 1
    assert config.read_bytes() == original
    assert not backup_path(config).exists()


def test_remove_restores_the_original_bytes(account, config, capsys):
    assert sm(account, "install", "--yes", "--config", str(config)) == 0
    assert main(["ssh-config", "remove", "--yes", "--config", str(config)]) == 0
    assert config.read_bytes() == USER_CONTENT
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    capsys.readouterr()
    assert main(["ssh-config", "remove", "--yes", "--config", str(config)]) == 0
    assert "no sm-spaces block" in capsys.readouterr().out


def test_dry_run_writes_nothing(account, tmp_path, config, capsys):
    assert sm(account, "install", "--dry-run", "--config", str(config)) == 0
    out = capsys.readouterr().out
    assert "+Host sm-fraud-detection" in out and "dry run" in out
    assert config.read_bytes() == USER_CONTENT and not backup_path(config).exists()
    missing = tmp_path / "nowhere" / "config"
    assert sm(account, "install", "--dry-run", "--config", str(missing)) == 0
    assert not missing.exists() and not missing.parent.exists()


def test_without_a_terminal_and_without_yes_nothing_is_written(account, config, capsys):
    assert sm(account, "install", "--config", str(config)) == 2
    err = capsys.readouterr().err
    assert "--yes" in err and "Traceback" not in err
    assert config.read_bytes() == USER_CONTENT
    assert sm(account, "install", "--yes", "--config", str(config)) == 0
    installed = config.read_bytes()
    assert main(["ssh-config", "remove", "--config", str(config)]) == 2
    assert config.read_bytes() == installed


def test_a_yes_on_the_terminal_writes_and_a_no_does_not(account, config, monkeypatch, capsys):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal("n\n"))
    assert sm(account, "install", "--config", str(config)) == 1
    assert config.read_bytes() == USER_CONTENT
    monkeypatch.setattr(sys, "stdin", Terminal("y\n"))
    assert sm(account, "install", "--config", str(config)) == 0
    assert b"Host sm-fraud-detection" in config.read_bytes()


def test_ssh_resolves_aliases_and_the_pattern_to_our_proxy(account, config):
    assert (
        main(
            [
                "ssh-config",
                "install",
                "--yes",
                "--config",
                str(config),
                "--endpoint-url",
                account.endpoint_url,
                "--region",
                "us-east-1",
            ]
        )
        == 0
    )
    prefix = " ".join(self_command())
    arn = "arn:aws:sagemaker:us-east-1:123456789012:space/d-mlplatf0rm01/fraud-detection"
    alias = ssh_g(config, "sm-fraud-detection")
    assert alias["proxycommand"] == f"{prefix} --endpoint-url {account.endpoint_url} ssh-proxy {arn}"
    assert alias["user"] == "sagemaker-user"
    assert alias["serveraliveinterval"] == "15"  # ours come first; the user's `Host *` value loses
    later = ssh_g(config, "sm-created-tomorrow")
    assert later["proxycommand"] == (
        f"{prefix} --endpoint-url {account.endpoint_url} --region us-east-1 ssh-proxy '%n'"
    )  # ssh -G leaves %n (the name typed) unexpanded
    other = ssh_g(config, "build")
    assert other["hostname"] == "build.example.com" and "proxycommand" not in other
    assert other["serveraliveinterval"] == "45"


def test_profile_is_baked_in_and_unsafe_values_are_refused(account, config, tmp_path, monkeypatch, capsys):
    (tmp_path / "aws-config").write_text("[profile team-a]\nregion = us-east-1\n")
    creds = account.credentials  # a named profile does not use the environment's keys
    (tmp_path / "aws-credentials").write_text(
        f"[team-a]\naws_access_key_id = {creds.access_key}\naws_secret_access_key = {creds.secret_key}\n"
        + (f"aws_session_token = {creds.token}\n" if creds.token else "")
    )
    assert sm(account, "install", "--yes", "--profile", "team-a", "--config", str(config)) == 0
    assert "--profile team-a" in ssh_g(config, "sm-churn-model")["proxycommand"]
    before = config.read_bytes()
    capsys.readouterr()
    assert sm(account, "install", "--yes", "--profile", "x;touch /tmp/owned", "--config", str(config)) == 2
    assert "profile" in capsys.readouterr().err
    assert config.read_bytes() == before


def test_show_reports_the_block_and_whether_it_is_current(account, config, capsys):
    assert main(["ssh-config", "show", "--config", str(config)]) == 0
    assert "no sm-spaces block is installed" in capsys.readouterr().out
    assert sm(account, "install", "--yes", "--config", str(config)) == 0
    capsys.readouterr()
    assert main(["ssh-config", "show", "--config", str(config)]) == 0  # context read back from the block
    out = capsys.readouterr().out
    assert "Host sm-fraud-detection" in out and "the block is current" in out
    # Take one space's entry out by hand: show names it.
    text = config.read_bytes()
    start = text.index(b"Host sm-churn-model\r\n")
    end = text.index(b"Host ", start + 5)
    config.write_bytes(text[:start] + text[end:])
    assert main(["ssh-config", "show", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "out of date: missing sm-churn-model" in out and "ssh-config install" in out


def test_install_with_demo_only_previews(tmp_path, config, monkeypatch, capsys):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["--demo", "ssh-config", "install", "--yes", "--config", str(config)]) == 2
    assert "demo serve" in capsys.readouterr().err
    assert main(["--demo", "ssh-config", "install", "--dry-run", "--config", str(config)]) == 0
    assert "+Host sm-fraud-detection" in capsys.readouterr().out
    assert config.read_bytes() == USER_CONTENT


def test_endpoint_from_the_environment_is_baked_in(account, config):
    """As after `eval "$(sm-spaces demo serve)"`: AWS_ENDPOINT_URL_SAGEMAKER names the endpoint."""
    assert main(["ssh-config", "install", "--yes", "--config", str(config)]) == 0
    proxy = ssh_g(config, "sm-churn-model")["proxycommand"]
    assert f"--endpoint-url {account.endpoint_url} ssh-proxy" in proxy
    assert account.credentials.secret_key.encode() not in config.read_bytes()


def test_install_covers_the_settings_regions_and_keeps_the_ones_it_holds(account, config, own_dirs, capsys):
    settings_dir = own_dirs.config
    settings_dir.mkdir()
    assert sm(account, "install", "--yes", "--config", str(config)) == 0
    err = capsys.readouterr().err
    assert "the block covers us-east-1 (25 spaces) only; --all-regions adds every region where you" in err
    assert b"sm-gdpr-reports" not in config.read_bytes()

    (settings_dir / "config.toml").write_text('regions = ["eu-west-1"]\n')
    assert sm(account, "install", "--yes", "--config", str(config)) == 0
    captured = capsys.readouterr()
    assert "sm-spaces: the block covers us-east-1 (25 spaces) and eu-west-1 (4 spaces)" in captured.err
    assert "+Host sm-gdpr-reports" in captured.out
    assert ssh_g(config, "sm-gdpr-reports")["proxycommand"].endswith(":space/d-euanalyt1cs4/gdpr-reports")

    # Without that region in the settings, the block keeps covering it (its ARNs say so), and so
    # `show` judges it by the same regions.
    (settings_dir / "config.toml").write_text("")
    assert sm(account, "install", "--config", str(config)) == 0
    captured = capsys.readouterr()
    assert "already up to date" in captured.out and "eu-west-1 (4 spaces)" in captured.err
    assert main(["ssh-config", "show", "--config", str(config)]) == 0
    assert "the block is current (29 aliases)" in capsys.readouterr().out
