"""Many accounts side by side (issue 16 item 1), end to end against the simulated organisation:
`list --all-accounts` through an Identity Center login read from ~/.aws as `aws sso login` leaves
it, `--profile` given more than once, an expired login, and a role denied SageMaker."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_run import one_line, run
from sm_spaces.demo.server import DemoServer, ThreadedDemo

MAIN, RESEARCH, SANDBOX = "123456789012", "234567890123", "345678901234"


@pytest.fixture
def org() -> Iterator[ThreadedDemo]:
    with DemoServer().start_in_thread() as handle:
        yield handle


def _home(tmp_path: Path, server: DemoServer, extra_config: str = "") -> dict[str, str]:
    """A user's HOME after `aws sso login --profile demo`: the demo's config and token in ~/.aws,
    the endpoints pointed at the simulator, and no keys anywhere in the environment."""
    import os

    files = server.sso_files
    assert files is not None
    aws = tmp_path / "home" / ".aws"
    (aws / "sso").mkdir(parents=True)
    shutil.copytree(files.cache_dir, aws / "sso" / "cache")
    (aws / "config").write_text(files.config_file.read_text() + extra_config)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        HOME=str(tmp_path / "home"),
        AWS_ENDPOINT_URL_SSO=server.endpoint_url,
        AWS_ENDPOINT_URL_SAGEMAKER=server.endpoint_url,
        AWS_ENDPOINT_URL_STS=server.endpoint_url,
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_all_accounts_from_the_users_sso_login(org: ThreadedDemo, tmp_path: Path) -> None:
    server = org.server
    env = _home(tmp_path, server)
    before = _files(tmp_path)
    proc = run(env, "list", "--all-accounts", "--profile", "demo", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    by_account: dict[str, set[str]] = {}
    for row in rows:
        by_account.setdefault(row["account_id"], set()).add(row["space_name"])
        assert row["profile"] == "demo" and row["role"] == "DataScientist"
        assert row["arn"].split(":")[4] == row["account_id"]
    assert by_account[RESEARCH] == {"segmentation-v2", "label-review", "dataset-curation"}
    assert {"fraud-detection", "team-notebooks"} <= by_account[MAIN]
    assert SANDBOX not in by_account  # its role may not list SageMaker: said on stderr, not hidden
    denied = [line for line in proc.stderr.splitlines() if SANDBOX in line]
    assert len(denied) == 1 and "sandbox" in denied[0] and "access denied" in denied[0], proc.stderr
    assert "Traceback" not in proc.stderr
    # The portal was asked as the AWS CLI asks it, and each account with its own role's keys.
    assert {"ListAccounts", "ListAccountRoles", "GetRoleCredentials"} <= set(server.answered)
    # No credentials on disk: nothing written but botocore's model cut in our cache
    # (app/aws/model_subset.py), and no role's key in any file, output or error.
    after = _files(tmp_path)
    assert {k: v for k, v in after.items() if not k.startswith("cache/botocore-models/")} == before
    issued = server.org.issued
    assert len(issued) == 3
    for keys in issued:
        for secret in (keys.access_key, keys.secret_key, keys.token or "-"):
            assert secret not in proc.stdout + proc.stderr
            assert not any(secret.encode() in content for content in after.values())


def test_table_names_each_account_and_the_denied_one(org: ThreadedDemo, tmp_path: Path) -> None:
    proc = run(_home(tmp_path, org.server), "list", "--all-accounts", "--profile", "demo")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:2] == ["ACCOUNT", "DOMAIN"]
    accounts = {line.split()[0] for line in lines[1:]}
    assert accounts == {"studio-prod", "vision-research"}
    assert one_line(proc).startswith("sm-spaces: sandbox (345678901234) as ReadOnly: access denied")


def test_an_expired_login_is_one_line_naming_aws_sso_login(org: ThreadedDemo, tmp_path: Path) -> None:
    env = _home(tmp_path, org.server)
    org.server.org.expire_token()  # the portal no longer honours the cached token
    proc = run(env, "list", "--all-accounts", "--profile", "demo")
    assert proc.returncode == 1
    assert one_line(proc) == (
        "sm-spaces: the SSO session for profile demo has expired or was never started: "
        "run `aws sso login --profile demo`"
    )
    assert proc.stdout == ""


def test_a_token_past_its_expiry_is_refused_before_any_call(org: ThreadedDemo, tmp_path: Path) -> None:
    env = _home(tmp_path, org.server)
    cache = Path(env["HOME"]) / ".aws" / "sso" / "cache"
    for path in cache.iterdir():
        token = json.loads(path.read_text())
        token["expiresAt"] = "2020-01-01T00:00:00Z"
        path.write_text(json.dumps(token))
    org.server.answered.clear()
    proc = run(env, "list", "--all-accounts", "--profile", "demo")
    assert proc.returncode == 1
    assert "run `aws sso login --profile demo`" in one_line(proc)
    assert list(org.server.answered) == []


def test_profile_given_twice_lists_both_accounts(org: ThreadedDemo, tmp_path: Path) -> None:
    """An ordinary SSO profile of another account (botocore's own SSO credentials, through the
    same portal) beside a profile with static keys; each row says which profile reached it."""
    keys = org.server.credentials
    extra = (
        f"\n[profile research]\nsso_session = sm-spaces-demo\nsso_account_id = {RESEARCH}\n"
        "sso_role_name = DataScientist\nregion = us-east-1\n"
        f"\n[profile static]\naws_access_key_id = {keys.access_key}\n"
        f"aws_secret_access_key = {keys.secret_key}\nregion = us-east-1\n"
    )
    env = _home(tmp_path, org.server, extra)
    proc = run(env, "list", "--profile", "static", "--profile", "research", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert {(r["profile"], r["account_id"]) for r in rows} == {("static", MAIN), ("research", RESEARCH)}
    assert "role" not in rows[0]
    table = run(env, "list", "--profile", "static", "--profile", "research")
    assert {line.split()[0] for line in table.stdout.splitlines()[1:]} == {"static", "research"}


def test_all_accounts_needs_an_identity_center_profile(org: ThreadedDemo, tmp_path: Path) -> None:
    keys = org.server.credentials
    extra = (
        f"\n[profile static]\naws_access_key_id = {keys.access_key}\n"
        f"aws_secret_access_key = {keys.secret_key}\nregion = us-east-1\n"
    )
    proc = run(_home(tmp_path, org.server, extra), "list", "--all-accounts", "--profile", "static")
    assert proc.returncode == 1
    line = one_line(proc)
    assert "--all-accounts needs a profile that signs in with IAM Identity Center" in line


def test_other_commands_take_one_profile(tmp_path: Path) -> None:
    proc = run(
        {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}, "stop", "x", "--profile", "a", "--profile", "b"
    )
    assert proc.returncode == 2
    assert "--profile was given more than once" in one_line(proc)


def test_demo_list_all_accounts(tmp_path: Path) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=str(tmp_path), AWS_EC2_METADATA_DISABLED="true")
    proc = run(env, "--demo", "list", "--all-accounts", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert {r["account_id"] for r in rows} == {MAIN, RESEARCH}
    assert {r["account_name"] for r in rows} == {"studio-prod", "vision-research"}
    assert "sandbox (345678901234) as ReadOnly: access denied" in one_line(proc)
    assert not (tmp_path / ".aws").exists()  # the demo's login lives in a directory of its own


def test_one_account_rows_carry_the_account_and_profile_too(tmp_path: Path) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=str(tmp_path), AWS_EC2_METADATA_DISABLED="true")
    proc = run(env, "--demo", "list", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert rows and {(r["account_id"], r["profile"]) for r in rows} == {(MAIN, None)}
    assert all("role" not in r for r in rows)


def test_all_accounts_before_the_command_holds_for_list_and_is_refused_elsewhere(tmp_path: Path) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=str(tmp_path), AWS_EC2_METADATA_DISABLED="true")
    proc = run(env, "--demo", "--all-accounts", "list", "--json")
    assert proc.returncode == 0, proc.stderr
    assert {r["account_id"] for r in json.loads(proc.stdout)} == {MAIN, RESEARCH}
    refused = run(env, "--demo", "--all-accounts", "stop", "fraud-detection", "--yes")
    assert refused.returncode == 2
    assert "--all-accounts is for `list` and the TUI" in one_line(refused)
