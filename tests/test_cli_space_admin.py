"""`create`, `edit` and `delete` end to end: `python -m sm_spaces` against the simulator over HTTP, and
a foreign client (plain botocore, as boto3 uses it) seeing what they did."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from sm_spaces.demo.seed_data import SSO_DEMO_USER
from sm_spaces.demo.server import ThreadedDemo
from sm_spaces.demo.variants import Variants

from tests.cli_run import one_line, run

ML, SSO = "d-mlplatf0rm01", "d-studi0ss0a3b"


def _names(sm: Any, domain: str = ML) -> set[str]:
    return {s["SpaceName"] for s in sm.list_spaces(DomainIdEquals=domain, MaxResults=100)["Spaces"]}


@pytest.mark.parametrize("variant", ["refuse", "allow"])
def test_a_foreign_client_sees_a_created_space_and_not_a_deleted_one(
    demo_thread: ThreadedDemo, demo_env: dict[str, str], make_botocore_client: Any, variant: str
) -> None:
    server = demo_thread.server
    # DeleteSpace on a space whose app runs: AWS's answer is not documented; the CLI copes with both.
    server.variants = Variants.all_strict() if variant == "refuse" else Variants.all_lenient()
    sm = make_botocore_client(server)
    made = run(
        demo_env,
        "create", "lab-42", "--domain", "ml-platform", "--app-type", "jupyterlab", "--user", "alice",
        "--instance-type", "ml.t3.large", "--storage-gib", "20", "--yes",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "lab-42: created in ml-platform (stopped)"
    desc = sm.describe_space(DomainId=ML, SpaceName="lab-42")
    assert desc["Status"] == "InService"
    assert desc["OwnershipSettings"]["OwnerUserProfileName"] == "alice"
    assert desc["SpaceSharingSettings"]["SharingType"] == "Private"
    assert desc["SpaceSettings"]["SpaceStorageSettings"]["EbsStorageSettings"]["EbsVolumeSizeInGb"] == 20
    assert (
        desc["SpaceSettings"]["JupyterLabAppSettings"]["DefaultResourceSpec"]["InstanceType"] == "ml.t3.large"
    )
    assert "lab-42" in _names(sm)

    assert run(demo_env, "start", "lab-42", "--yes").returncode == 0
    refused = run(demo_env, "delete", "lab-42")  # no terminal, no --yes
    assert refused.returncode == 2
    assert (
        one_line(refused)
        == "sm-spaces: deleting lab-42 needs confirmation; pass --yes when not on a terminal"
    )
    assert "lab-42" in _names(sm)

    gone = run(demo_env, "delete", "lab-42", "--yes")
    assert gone.returncode == 0, gone.stderr
    assert gone.stdout.strip() == "lab-42: deleted from ml-platform"
    assert "lab-42: Stopped" in gone.stderr  # stopped first
    assert "lab-42" not in _names(sm)
    with pytest.raises(ClientError) as missing:
        sm.describe_space(DomainId=ML, SpaceName="lab-42")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFound"


def test_a_shared_space_and_an_identity_center_callers_own(
    demo_thread: ThreadedDemo, demo_env: dict[str, str], make_botocore_client: Any
) -> None:
    sm = make_botocore_client(demo_thread.server)
    shared = run(
        demo_env,
        "create",
        "team-room",
        "--domain",
        ML,
        "--app-type",
        "codeeditor",
        "--shared",
        "--user",
        "bob",
        "-y",
    )
    assert shared.returncode == 0, shared.stderr
    assert (
        sm.describe_space(DomainId=ML, SpaceName="team-room")["SpaceSharingSettings"]["SharingType"]
        == "Shared"
    )

    demo_thread.server.account.use_sso_user(SSO_DEMO_USER)
    mine = run(demo_env, "create", "my-lab", "--domain", "studio-sso", "--app-type", "jupyterlab", "--yes")
    assert mine.returncode == 0, mine.stderr
    owner = sm.describe_space(DomainId=SSO, SpaceName="my-lab")["OwnershipSettings"]["OwnerUserProfileName"]
    assert owner == "maria-garcia"


def test_create_refusals_are_one_line(demo_thread: ThreadedDemo, demo_env: dict[str, str]) -> None:
    server = demo_thread.server

    def refused(*args: str, code: int = 1) -> str:
        proc = run(demo_env, "create", *args)
        assert proc.returncode == code, proc.stderr
        return one_line(proc)

    base = ("--domain", "ml-platform", "--app-type", "jupyterlab")
    assert refused("x1", *base, "--yes") == (
        "sm-spaces: which user profile owns the space? pass --user (user profiles in ml-platform: alice, bob)"
    )
    taken = refused("fraud-detection", *base, "--user", "alice", "--yes")
    assert "already exists; choose another name" in taken
    assert "storage must be from 5 to 100 GiB" in refused(
        "x1", *base, "--user", "alice", "--storage-gib", "500", "-y"
    )
    assert "no user profile 'zed' in domain ml-platform" in refused("x1", *base, "--user", "zed", "--yes")
    assert "is too small for remote access" in refused("x1", *base, "--instance-type", "ml.t3.medium", code=2)
    assert "no domain is called 'nowhere'" in refused("x1", "--domain", "nowhere", "--app-type", "codeeditor")
    assert "needs confirmation; pass --yes" in refused("x1", *base, "--user", "alice", code=2)
    server.account.domains[ML].shared_spaces = False
    assert "does not allow shared spaces" in refused("x1", *base, "--user", "bob", "--shared", "--yes")
    server.faults.spaces_per_domain = len(server.account.domains[ML].spaces)
    quota = refused("x1", *base, "--user", "alice", "--yes")
    assert quota.startswith("sm-spaces: CreateSpace reached a limit: ")
    assert "Maximum number of spaces per domain" in quota


def test_edit_changes_settings_and_asks_before_a_restart(
    demo_thread: ThreadedDemo, demo_env: dict[str, str], make_botocore_client: Any
) -> None:
    sm = make_botocore_client(demo_thread.server)
    image = "arn:aws:sagemaker:us-east-1:885854791233:image/sagemaker-distribution-gpu"
    stopped = run(
        demo_env,
        "edit", "feature-store-dev", "--storage-gib", "40", "--idle-timeout", "240",
        "--instance-type", "ml.m5.xlarge", "--image", image, "--yes",
    )  # fmt: skip
    assert stopped.returncode == 0, stopped.stderr
    assert (
        stopped.stdout.strip() == "feature-store-dev: stopped on ml.m5.xlarge, 40 GiB, idle shutdown 240 min"
    )
    settings = sm.describe_space(DomainId=ML, SpaceName="feature-store-dev")["SpaceSettings"]
    assert settings["SpaceStorageSettings"]["EbsStorageSettings"]["EbsVolumeSizeInGb"] == 40
    app = settings["CodeEditorAppSettings"]
    assert app["DefaultResourceSpec"] == {"InstanceType": "ml.m5.xlarge", "SageMakerImageArn": image}
    assert app["AppLifecycleManagement"]["IdleSettings"]["IdleTimeoutInMinutes"] == 240

    asked = run(demo_env, "edit", "fraud-detection", "--instance-type", "ml.m5.2xlarge")
    assert asked.returncode == 2
    assert (
        one_line(asked)
        == "sm-spaces: changing fraud-detection needs confirmation; pass --yes when not on a terminal"
    )
    restarted = run(demo_env, "edit", "fraud-detection", "--instance-type", "ml.m5.2xlarge", "--yes")
    assert restarted.returncode == 0, restarted.stderr
    assert restarted.stdout.startswith("fraud-detection: running on ml.m5.2xlarge")
    assert "fraud-detection: Stopped" in restarted.stderr
    apps = sm.list_apps(DomainIdEquals=ML, SpaceNameEquals="fraud-detection")["Apps"]
    assert [a["ResourceSpec"]["InstanceType"] for a in apps if a["Status"] == "InService"] == [
        "ml.m5.2xlarge"
    ]

    # The idle timeout of a running space changes without a restart, and without asking.
    idle = run(demo_env, "edit", "llm-finetune", "--idle-timeout", "180")
    assert idle.returncode == 0, idle.stderr
    assert "Stopped" not in idle.stderr


@pytest.mark.parametrize(
    ("args", "line", "code"),
    [
        (("--storage-gib", "10"), "sm-spaces: storage cannot shrink: the space has 20 GiB", 1),
        (
            ("--storage-gib", "101", "--yes"),
            "sm-spaces: storage must be from 5 to 100 GiB (the domain's maximum)",
            1,
        ),
        (
            ("--idle-timeout", "9999"),
            "sm-spaces: fraud-detection: idle timeout 9999 min is outside 60–480 min",
            1,
        ),
        (("--image", "not-an-arn"), "sm-spaces: --image: 'not-an-arn' is not a SageMaker image ARN", 2),
        (
            (),
            "sm-spaces: nothing to change: pass --instance-type, --storage-gib, --image or --idle-timeout",
            2,
        ),
    ],
)
def test_edit_refusals_are_one_line(
    served: tuple[Any, dict[str, str]], args: tuple[str, ...], line: str, code: int
) -> None:
    _, env = served
    proc = run(env, "edit", "fraud-detection", *args)
    assert proc.returncode == code, proc.stderr
    assert one_line(proc).startswith(line)
