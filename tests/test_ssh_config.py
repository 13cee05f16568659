"""The managed ssh_config block, checked with the real OpenSSH client (ssh -G, and a real
ProxyCommand run through the shell)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sm_spaces.atomic import backup_path
from sm_spaces.connect.ssh_config import (
    SshConfigConflict,
    SshConfigError,
    find_conflicts,
    install,
    plan_install,
    plan_remove,
    remove,
    render_block,
)

SSH = shutil.which("ssh") or "/usr/bin/ssh"
ARN_FOO = "arn:aws:sagemaker:us-east-1:123456789012:space/d-abc123/foo"
ARN_BAR = "arn:aws:sagemaker:eu-west-1:123456789012:space/d-xyz789/bar"


def ssh_g(config: Path, host: str) -> dict[str, str]:
    """`ssh -G -F config host` as {option: value}; fails the test if ssh rejects the file."""
    result = subprocess.run(
        [SSH, "-G", "-F", str(config), host],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    options: dict[str, str] = {}
    for line in result.stdout.decode(errors="replace").splitlines():
        key, _, value = line.partition(" ")
        options.setdefault(key, value)
    return options


ENTRIES = [("sm-foo", ARN_FOO), ("sm-bar.d-xyz789", ARN_BAR)]


def _block(**kwargs: object) -> str:
    return render_block(ENTRIES, ["/usr/local/bin/sm-spaces"], **kwargs)  # type: ignore[arg-type]


# --- rendering and ssh -G --------------------------------------------------------------------


def test_ssh_accepts_block_and_routes_each_alias(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text(_block(profile="dev", region="us-west-2", endpoint_url="https://x.example:8443/api"))
    foo = ssh_g(config, "sm-foo")
    assert foo["proxycommand"] == (
        "/usr/local/bin/sm-spaces --profile dev --endpoint-url https://x.example:8443/api "
        f"ssh-proxy {ARN_FOO}"
    )
    assert foo["user"] == "sagemaker-user"
    assert foo["userknownhostsfile"] == "/dev/null"
    assert foo["stricthostkeychecking"] == "false"
    # A dead link is noticed within about a minute (15 s x 4 keepalives), not TCP's many minutes.
    assert foo["serveraliveinterval"] == "15" and foo["serveralivecountmax"] == "4"
    assert ssh_g(config, "sm-created-later")["serveralivecountmax"] == "4"
    assert ssh_g(config, "sm-bar.d-xyz789")["proxycommand"].endswith(f"ssh-proxy {ARN_BAR}")
    later = ssh_g(config, "sm-created-later")
    assert later["proxycommand"].endswith("--region us-west-2 ssh-proxy '%n'")
    assert later["user"] == "sagemaker-user"
    other = ssh_g(config, "github.com")
    assert "proxycommand" not in other
    assert other["user"] != "sagemaker-user"


def test_our_values_win_over_users_catch_all_and_globals(tmp_path: Path) -> None:
    existing = (
        b"# my config\r\nUser bob\r\nInclude conf.d/*\r\n"
        b"Host *\r\n\tProxyCommand nc %h %p\r\n\tUserKnownHostsFile ~/.ssh/kh\r\n"
        b"Match all\r\n  ProxyJump bastion\r\n  ServerAliveInterval 5"
    )
    config = tmp_path / "config"
    config.write_bytes(existing)
    before_other = ssh_g(config, "example.org")
    config.write_bytes(plan_install(existing, _block()))
    foo = ssh_g(config, "sm-foo")
    assert foo["proxycommand"].endswith(f"ssh-proxy {ARN_FOO}")
    assert foo["user"] == "sagemaker-user"
    assert foo["userknownhostsfile"] == "/dev/null"
    assert "proxyjump" not in foo
    # Everything the user wrote still applies, unchanged, to their other hosts.
    assert ssh_g(config, "example.org") == before_other
    assert before_other["user"] == "bob"


@pytest.mark.parametrize(
    "prefix_dir",
    ["plain", "with space", "100%", "x$HOME;y", "a#b", "semi;colon&amp", "(paren)*?[glob]", "ünï"],
)
def test_proxycommand_runs_with_exact_argv_through_the_shell(tmp_path: Path, prefix_dir: str) -> None:
    """ssh really runs the ProxyCommand: every argument arrives intact (quoting and %% escaping)."""
    bin_dir = tmp_path / prefix_dir
    bin_dir.mkdir()
    record = tmp_path / "argv.json"
    recorder = bin_dir / "record.py"
    recorder.write_text(f"import json, sys\nopen({str(record)!r}, 'w').write(json.dumps(sys.argv[1:]))\n")
    config = tmp_path / "config"
    config.write_text(
        render_block(
            [("sm-foo", ARN_FOO)], [sys.executable, str(recorder)], profile="a.b@c", region="eu-west-1"
        )
    )
    env = {**os.environ, "SHELL": "/bin/sh"}
    for host, expected in [
        ("sm-foo", ["--profile", "a.b@c", "ssh-proxy", ARN_FOO]),
        ("sm-later", ["--profile", "a.b@c", "--region", "eu-west-1", "ssh-proxy", "sm-later"]),
    ]:
        record.unlink(missing_ok=True)
        subprocess.run(
            [SSH, "-F", str(config), "-o", "BatchMode=yes", host, "true"],
            capture_output=True,
            stdin=subprocess.DEVNULL,
            env=env,
            timeout=30,
        )
        assert json.loads(record.read_text()) == expected


@pytest.mark.parametrize(
    "kwargs",
    [
        {"profile": "dev --endpoint-url http://evil"},
        {"profile": "dev\nProxyCommand evil"},
        {"profile": "a'b"},
        {"profile": "50%"},
        {"profile": "a#b"},
        {"profile": ""},
        {"region": "us-east-1; rm -rf ~"},
        {"region": "US-EAST-1"},
        {"region": "us-east-1\n"},
        {"endpoint_url": "http://127.0.0.1:80/x?y=1"},
        {"endpoint_url": "http://user:pw@host/"},
        {"endpoint_url": "http://host/%2e"},
        {"endpoint_url": "http://host/ a"},
        {"endpoint_url": "file:///etc/passwd"},
        {"endpoint_url": "http://host:99999"},
        {"endpoint_url": "http://host/#frag"},
    ],
)
def test_unsafe_options_are_refused(kwargs: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        _block(**kwargs)


@pytest.mark.parametrize(
    "entry",
    [
        ("sm-foo\nProxyCommand evil", ARN_FOO),
        ("sm-foo bar", ARN_FOO),
        ("foo", ARN_FOO),
        ("sm-*", ARN_FOO),
        ("sm-Foo", ARN_FOO),
        ("sm-foo#x", ARN_FOO),
        ("sm-foo", ARN_FOO + "\nUser root"),
        ("sm-foo", ARN_FOO + " evil"),
        ("sm-foo", "arn:aws:sagemaker:us-east-1:123456789012:space/d-abc/a%b"),
        ("sm-foo", "arn:aws:s3:::bucket"),
    ],
)
def test_unsafe_entries_are_refused(entry: tuple[str, str]) -> None:
    with pytest.raises(ValueError):
        render_block([entry], ["sm-spaces"])


@pytest.mark.parametrize("word", ["a'b", 'a"b', "a\\b", "a\nb", "a`id`", "", "a\x00"])
def test_unsafe_proxy_prefix_is_refused(word: str) -> None:
    with pytest.raises(ValueError):
        render_block([], [word])


def test_duplicate_alias_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        render_block([("sm-foo", ARN_FOO), ("sm-foo", ARN_FOO)], ["sm-spaces"])


def test_name_with_quote_does_not_reach_the_pattern_proxycommand(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text(_block() + "Host *\n  ProxyCommand safe-fallback\n")
    # ssh may refuse such a name outright; if it accepts it, our pattern must not match.
    result = subprocess.run(
        [SSH, "-G", "-F", str(config), "sm-a'$(id)'"], capture_output=True, stdin=subprocess.DEVNULL
    )
    assert b"ssh-proxy" not in result.stdout


# --- conflicts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"Host sm-foo", "alias sm-foo"),
        (b"Host other SM-FOO", "alias sm-foo"),
        (b"Host sm-mine", "namespace"),
        (b"Host sm-prod-*", "namespace"),
        (b"Host sm*", "namespace"),
        (b"  host = sm-foo", "alias sm-foo"),
        (b'Host "sm-foo"', "alias sm-foo"),
        (b"Match host a,sm-foo", "alias sm-foo"),
        (b"Match originalhost sm-x user bob", "namespace"),
        # OpenSSH also takes criterion=value (ssh -G applies `Match originalhost=sm-*` to sm-x).
        (b"Match originalhost=sm-*", "namespace"),
        (b"Match Host=sm-foo", "alias sm-foo"),
        (b'Match host="b,sm-foo"', "alias sm-foo"),
        (b"Match canonical originalhost=sm-*", "namespace"),
        (b"Match final !user nobody host sm-foo", "alias sm-foo"),
    ],
)
def test_user_hosts_claiming_our_names_are_conflicts(line: bytes, expected: str) -> None:
    conflicts = find_conflicts(b"# hi\n" + line + b"\n  User x\n", ["sm-foo"])
    assert len(conflicts) == 1
    assert "line 2" in conflicts[0] and expected in conflicts[0]


@pytest.mark.parametrize(
    "line",
    [
        b"Match originalhost=sm-*",
        b"Match Host=sm-foo",
        b'Match host="b,sm-foo"',
        b"Match canonical originalhost=sm-*",
        b"Match final !user nobody host sm-foo",
    ],
)
def test_the_match_lines_we_call_conflicts_do_claim_our_hosts_in_ssh(tmp_path: Path, line: bytes) -> None:
    # Keeps the parser honest: OpenSSH itself applies each of these to sm-foo.
    config = tmp_path / "config"
    config.write_bytes(b"CanonicalizeHostname always\n" + line + b"\n  Port 2222\n")
    shown = subprocess.run(
        ["ssh", "-G", "-F", str(config), "sm-foo"], capture_output=True, text=True, check=True
    )
    assert "\nport 2222\n" in shown.stdout


@pytest.mark.parametrize(
    "line",
    [
        b"Host *",
        b"Host !sm-foo *",
        b"Host github.com",
        b"Host s*",
        b"Host *.sm-foo.example",
        b"# Host sm-foo",
        b"Match all",
        b"Match user sm-foo",
        b"HostName sm-foo",
        b"Match exec sm-foo",
        b"Match !host sm-*",  # every host but ours
        b"Match !originalhost=sm-foo",
        b"Match user=sm-foo",
    ],
)
def test_unrelated_or_catch_all_lines_are_not_conflicts(line: bytes) -> None:
    assert find_conflicts(line + b"\n", ["sm-foo"]) == []


def test_our_own_block_is_not_a_conflict() -> None:
    assert find_conflicts(plan_install(b"", _block()), ["sm-foo", "sm-bar.d-xyz789"]) == []


def test_install_refuses_conflicts_and_leaves_file_alone(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_bytes(b"Host sm-foo\n  HostName 10.0.0.1\n")
    with pytest.raises(SshConfigConflict) as caught:
        install(config, _block())
    assert "sm-foo" in str(caught.value) and "line 1" in str(caught.value)
    assert config.read_bytes() == b"Host sm-foo\n  HostName 10.0.0.1\n"
    assert not backup_path(config).exists()


# --- install / remove on disk -----------------------------------------------------------------


def test_install_creates_private_file_and_dir(tmp_path: Path) -> None:
    config = tmp_path / ".ssh" / "config"
    result = install(config, _block())
    assert result.written and result.before == b""
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert stat.S_IMODE(config.parent.stat().st_mode) == 0o700
    assert ssh_g(config, "sm-foo")["user"] == "sagemaker-user"


def test_install_dry_run_shows_diff_without_writing(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_bytes(b"Host a\n  User b\n")
    result = install(config, _block(), dry_run=True)
    assert not result.written and result.changed
    assert config.read_bytes() == b"Host a\n  User b\n"
    assert "+Host sm-foo" in result.diff and "-Host a" not in result.diff


def test_install_backup_update_in_place_and_remove(tmp_path: Path) -> None:
    config = tmp_path / "config"
    original = b"Host a\n\tUser b\n# end, no newline"
    config.write_bytes(original)
    os.chmod(config, 0o600)
    assert install(config, _block()).written
    assert backup_path(config).read_bytes() == original
    assert not install(config, _block()).written  # idempotent: nothing to do
    # The user moved our block to the end: an update keeps it there.
    moved = original + b"\n" + plan_install(b"", _block())
    config.write_bytes(moved)
    updated = install(config, _block(profile="other"))
    assert updated.after.startswith(original + b"\n")
    assert b"--profile other" in updated.after
    assert remove(config).after == original + b"\n"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert not remove(config).written


def test_damaged_markers_are_refused(tmp_path: Path) -> None:
    block = _block()
    damaged = [
        block.split("\n", 1)[1],  # start marker deleted
        block.rsplit("# <<<", 1)[0],  # end marker deleted
        block + block,  # two blocks
    ]
    for text in damaged:
        with pytest.raises(SshConfigError):
            plan_install(text.encode(), block)
        with pytest.raises(SshConfigError):
            plan_remove(text.encode())
