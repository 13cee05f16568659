"""Property tests: installing and removing the block over generated ssh configs (comments,
Include, Match, CRLF, tabs, no final newline, a `Host *` with its own ProxyCommand, junk bytes)."""

from __future__ import annotations

import os
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sm_spaces.connect.ssh_config import install, plan_install, plan_remove, remove, render_block
from sm_spaces.connect.ssh_config_parse import locate_block

ARN = "arn:aws:sagemaker:us-east-1:123456789012:space/d-abc123/foo"
BLOCK = render_block([("sm-foo", ARN)], ["/usr/bin/sm-spaces"], profile="dev")

VALID_LINES = [
    "# a comment",
    "#",
    "",
    "   ",
    "Include ~/.ssh/conf.d/*",
    "Include /nonexistent/sm-spaces-test/*.conf",
    "Host *",
    "Host github.com gitlab.com",
    "Host *.internal !bastion.internal",
    "Match host build-*,ci-*",
    "Match all",
    "Match originalhost box user root",
    "  ProxyCommand nc %h %p",
    "\tProxyCommand ssh -W %h:%p bastion",
    "  User alice",
    "\tUser\tbob",
    "  Port=2222",
    "  ServerAliveInterval 5",
    "  IdentityFile ~/.ssh/id_ed25519",
    "  UserKnownHostsFile ~/.ssh/other_known_hosts",
    "  StrictHostKeyChecking yes",
    "  ProxyJump bastion",
    "Hostname example.org",
    "  # indented comment with ünïcode",
    "  ConnectTimeout 3 # trailing comment",
]

valid_line = st.sampled_from(VALID_LINES)
junk_line = st.one_of(
    st.text(st.characters(blacklist_characters="\n", blacklist_categories=("Cs",)), max_size=40).map(
        lambda t: t.encode("utf-8")
    ),
    st.binary(max_size=30).map(lambda b: b.replace(b"\n", b"")),
).filter(lambda b: b"sm-spaces" not in b)


@st.composite
def configs(draw: st.DrawFn, line: st.SearchStrategy | None = None) -> bytes:
    if line is None:
        line = st.one_of(valid_line.map(str.encode), junk_line)
    lines = draw(st.lists(line, max_size=25))
    eols = draw(st.sampled_from(["lf", "crlf", "mixed"]))
    out = b""
    for index, text in enumerate(lines):
        eol = {"lf": b"\n", "crlf": b"\r\n"}.get(eols) or draw(st.sampled_from([b"\n", b"\r\n"]))
        out += text + (eol if index < len(lines) - 1 or draw(st.booleans()) else b"")
    return out


def _check_round_trip(existing: bytes) -> None:
    installed = plan_install(existing, BLOCK)
    start, end = locate_block(installed)  # type: ignore[misc]
    # Bytes outside the block are exactly the original bytes.
    assert installed[:start] + installed[end:] == existing
    assert plan_install(installed, BLOCK) == installed  # idempotent
    assert plan_remove(installed) == existing  # as if never installed
    block_bytes = installed[start:end]
    if existing.find(b"\n") > 0 and existing[existing.find(b"\n") - 1] == 13:
        assert block_bytes.count(b"\r\n") == block_bytes.count(b"\n")  # follows CRLF files
    else:
        assert b"\r" not in block_bytes
    other = render_block([("sm-bar", ARN.replace("foo", "bar"))], ["/x"])
    assert plan_remove(plan_install(installed, other)) == existing  # update in place


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(configs())
def test_install_remove_round_trip(existing: bytes) -> None:
    _check_round_trip(existing)


@pytest.mark.fuzz
@settings(max_examples=20_000, suppress_health_check=[HealthCheck.too_slow])
@given(configs())
def test_install_remove_round_trip_fuzz(existing: bytes) -> None:
    _check_round_trip(existing)


@settings(max_examples=40, deadline=None)
@given(
    configs(line=valid_line.map(str.encode)),
    st.sampled_from(["sm-foo", "sm-later", "example.org", "bastion.internal", "ci-1"]),
)
def test_ssh_sees_same_config_for_other_hosts_and_ours_for_ours(existing: bytes, host: str) -> None:
    """With real `ssh -G`: other hosts resolve exactly as before; our hosts get our values."""
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config"
        config.write_bytes(existing)
        before = _ssh_g(config, host)
        config.write_bytes(plan_install(existing, BLOCK))
        after = _ssh_g(config, host)
    assert before[0] == after[0] == 0
    if host.startswith("sm-"):
        assert b"\nuser sagemaker-user\n" in after[1]
        assert b"\nproxycommand /usr/bin/sm-spaces --profile dev ssh-proxy " in after[1]
    else:
        assert after[1] == before[1]


def _ssh_g(config: Path, host: str) -> tuple[int, bytes]:
    result = subprocess.run(
        ["ssh", "-G", "-F", str(config), host], capture_output=True, stdin=subprocess.DEVNULL, timeout=30
    )
    return result.returncode, result.stdout


@settings(max_examples=30, deadline=None)
@given(configs(), st.sampled_from([0o600, 0o644, 0o400 | 0o200]))
def test_install_and_remove_on_disk(existing: bytes, mode: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config"
        config.write_bytes(existing)
        os.chmod(config, mode)
        install(config, BLOCK)
        assert stat.S_IMODE(config.stat().st_mode) == mode
        assert plan_remove(config.read_bytes()) == existing
        remove(config)
        assert config.read_bytes() == existing
        fresh = Path(tmp) / "new" / "config"
        install(fresh, BLOCK)
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o600


# --- injection: names that must be refused or neutralised -------------------------------------

_NASTY = st.text(
    st.sampled_from(list("ab-.%#'\"\\ \t\n\r$`;&|*?!=~/:@,+") + ["\x00", "é"]), min_size=1, max_size=12
)


@settings(max_examples=200)
@given(_NASTY, st.sampled_from(["profile", "region", "endpoint_url", "alias", "prefix"]))
def test_nasty_values_cannot_inject(value: str, where: str) -> None:
    kwargs: dict[str, object] = {}
    entries = [("sm-foo", ARN)]
    prefix = ["/usr/bin/sm-spaces"]
    if where == "alias":
        entries = [(value, ARN)]
    elif where == "prefix":
        prefix = [value]
    elif where == "endpoint_url":
        kwargs[where] = "http://host/" + value
    else:
        kwargs[where] = value
    try:
        block = render_block(entries, prefix, **kwargs)  # type: ignore[arg-type]
    except ValueError:
        return
    # Accepted: the value occupies no more than its own place. Every block line is one of ours,
    # no line carries a quote-breaking or comment character outside the expected spots, and the
    # structure (sequence of keywords) is unchanged.
    keywords = [ln.split()[0] for ln in block.splitlines() if ln.strip() and not ln.startswith("#")]
    assert keywords == [
        "Host",
        "ProxyCommand",
        "Host",
        "ProxyCommand",
        "User",
        "UserKnownHostsFile",
        "GlobalKnownHostsFile",
        "StrictHostKeyChecking",
        "LogLevel",
        "ServerAliveInterval",
        "ServerAliveCountMax",
        "ConnectTimeout",
        "Host",
    ]
    for raw in (value,):
        assert "\n" not in raw and "\r" not in raw and "\x00" not in raw
        assert not any(c in raw for c in "'\"\\`")
    if "%" in value:
        assert value.replace("%", "%%") in block
