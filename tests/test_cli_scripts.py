"""The command line in scripts (issue 13, item 6): real processes against the simulated account.

A closed pipe ends quietly; a filter that matches nothing, a mistyped region or a space in another
region is an error that names what exists; a sub-command's typo shows that sub-command's usage.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess

import pytest

from tests.cli_run import SM, one_line, run


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    """The user's environment with settings and cache of their own (no regions configured)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environ["AWS_CONFIG_FILE"] = str(tmp_path / "aws-config-absent")
    return environ


def test_a_closed_pipe_ends_the_listing_quietly(env):
    # The shell's own `list --json | true` (pipefail: its status is ours), then the same by hand.
    shell = subprocess.run(
        ["bash", "-o", "pipefail", "-c", f"{shlex.join([*SM, '--demo', 'list', '--json'])} | true"],
        capture_output=True,
        env=env,
        timeout=120,
    )
    assert (shell.returncode, shell.stderr) == (0, b"")
    # `sm-spaces list --json | true`: the reader is gone before the listing is printed.
    reader, writer = os.pipe()
    os.close(reader)
    try:
        proc = subprocess.run(
            [*SM, "--demo", "list", "--json"],
            stdout=writer,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=env,
            timeout=120,
        )
    finally:
        os.close(writer)
    assert proc.stderr == b""  # no BrokenPipeError, no "Exception ignored"
    assert proc.returncode == 0  # the reader chose to stop: `set -o pipefail` scripts go on


@pytest.mark.parametrize(
    "args, named",
    [
        (["--domain", "nope"], "no domain 'nope' in us-east-1; domains: ml-platform (d-"),
        (["--user", "bobby"], "no user profile 'bobby' in us-east-1; user profiles: alice, bob, carol"),
        (["--domain", "ml-platform", "--user", "carol"], "no user profile 'carol' in domain ml-platform"),
    ],
)
def test_a_filter_that_matches_nothing_fails_and_names_what_exists(env, args, named):
    for output in ([], ["--json"]):
        proc = run(env, "--demo", "list", *args, *output)
        assert proc.returncode == 1
        assert named in one_line(proc)
        assert proc.stdout == ""


def test_the_user_filter_shows_their_spaces_and_their_domains_shared_ones(env):
    proc = run(env, "--demo", "list", "--user", "bob", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert {r["domain_name"] for r in rows} == {"ml-platform"}
    assert {r["user_profile"] for r in rows if r["sharing"] == "Private"} == {"bob"}
    assert [r for r in rows if r["sharing"] == "Shared"]  # theirs to use too
    assert all(r["user_profile"] is None for r in rows if r["sharing"] == "Shared")


def test_a_mistyped_region_is_an_error_not_an_empty_account(env):
    proc = run(env, "--demo", "--region", "eu-wset-1", "list")
    assert proc.returncode == 1
    assert one_line(proc) == (
        "sm-spaces: 'eu-wset-1' (from --region) is not a region where SageMaker is offered; "
        "did you mean eu-west-1?"
    )
    assert proc.stdout == ""


def test_a_space_in_another_region_is_named_there(env):
    # No regions in the settings: the other regions of the partition are asked.
    proc = run(env, "--demo", "connect", "gdpr-reports", "--", "true")
    assert proc.returncode == 1
    assert one_line(proc) == (
        "sm-spaces: gdpr-reports is not in us-east-1, but in eu-west-1: pass --region eu-west-1"
    )


def test_a_sub_commands_typo_shows_that_sub_commands_usage(env):
    proc = run(env, "list", "--domian", "x")
    assert proc.returncode == 2
    assert proc.stderr.startswith("usage: sm-spaces list ")
    assert "sm-spaces list: error: unrecognized arguments: --domian x" in proc.stderr


@pytest.mark.parametrize("command", ["connect", "open"])
def test_the_usage_of_commands_that_run_one_shows_it(env, command):
    proc = run(env, command, "--help")
    assert proc.returncode == 0
    usage = proc.stdout.split("\n\n", 1)[0]
    assert usage.startswith(f"usage: sm-spaces {command} ") and usage.endswith("[-- COMMAND ...]")


def test_all_regions_adds_a_region_column(env):
    proc = run(env, "--demo", "list", "--all-regions", timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:2] == ["REGION", "DOMAIN"]
    regions = {line.split()[0] for line in lines[1:]}
    assert regions == {"us-east-1", "eu-west-1"}
    gdpr = next(line for line in lines if " gdpr-reports " in line)
    assert gdpr.startswith("eu-west-1 ")


def _remote_access(client, name: str) -> tuple[str | None, str | None]:
    """(RemoteAccess, app status) as plain botocore sees them: not our code."""
    space = client.describe_space(DomainId="d-mlplatf0rm01", SpaceName=name)
    apps = client.list_apps(DomainIdEquals="d-mlplatf0rm01", SpaceNameEquals=name)["Apps"]
    live = [a["Status"] for a in apps if a["Status"] != "Deleted"]
    return space["SpaceSettings"].get("RemoteAccess"), (live[0] if live else None)


def test_remote_access_shows_and_enables_it(served, make_botocore_client, tmp_path):
    server, env = served
    env = dict(env, SM_SPACES_CONFIG_DIR=str(tmp_path / "config"))
    client = make_botocore_client(server)
    shown = run(env, "remote-access", "pipeline-debug")
    assert shown.returncode == 0 and shown.stdout == "pipeline-debug: remote access disabled (stopped)\n"
    # A stopped space is updated and stays stopped.
    enabled = run(env, "remote-access", "pipeline-debug", "--enable")
    assert enabled.returncode == 0, enabled.stderr
    assert enabled.stdout == "pipeline-debug: remote access enabled (stopped)\n"
    assert _remote_access(client, "pipeline-debug") == ("ENABLED", None)
    # One on an instance too small for remote access moves to the next size up, with consent.
    refused = run(env, "remote-access", "model-monitoring", "--enable")
    assert refused.returncode == 2 and "--instance-type ml.t3.large or --yes" in one_line(refused)
    assert _remote_access(client, "model-monitoring") == ("DISABLED", None)
    # A running one is restarted, which loses unsaved work: a script consents with --yes.
    refused = run(env, "remote-access", "churn-model", "--enable")
    assert refused.returncode == 2 and "pass --yes" in one_line(refused)
    assert _remote_access(client, "churn-model") == ("DISABLED", "InService")
    restarted = run(env, "remote-access", "churn-model", "--enable", "--yes")
    assert restarted.returncode == 0, restarted.stderr
    assert restarted.stdout == "churn-model: remote access enabled (running)\n"
    assert _remote_access(client, "churn-model") == ("ENABLED", "InService")


def test_a_shared_space_is_shared_in_the_table_as_in_the_tui(env):
    # Issue 13, item 7: one meaning of a shared space's owner, the model's (Space.owner_label).
    proc = run(env, "--demo", "list", "--domain", "ml-platform")
    assert proc.returncode == 0, proc.stderr
    rows = {line.split()[2]: line.split() for line in proc.stdout.splitlines()[1:]}
    assert rows["team-notebooks"][1] == "shared"  # created by bob, shared with the domain
    assert rows["churn-model"][1] == "bob"
    assert rows["data-quality"][5] == "-"  # stopped: runs on no instance


def test_ssh_config_install_covers_every_region_with_spaces_when_asked(env, tmp_path):
    # Issue 13, item 7: no settings, no block yet; --all-regions asks every region.
    config = tmp_path / "ssh_config"
    args = ["--demo", "ssh-config", "install", "--dry-run", "--config", str(config)]
    one = run(env, *args)
    assert one.returncode == 0, one.stderr
    assert "the block covers us-east-1 (25 spaces) only; --all-regions adds" in one.stderr
    assert "Host sm-gdpr-reports" not in one.stdout
    every = run(env, *args, "--all-regions", timeout=300)
    assert every.returncode == 0, every.stderr
    assert (
        "sm-spaces: the block covers every region where you have spaces: "
        "us-east-1 (25 spaces) and eu-west-1 (4 spaces)\n" in every.stderr
    )
    assert "+Host sm-gdpr-reports" in every.stdout and ":space/d-euanalyt1cs4/gdpr-reports" in every.stdout
    assert not config.exists()  # a dry run writes nothing
