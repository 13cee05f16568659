"""The simulated SageMaker/STS API as real botocore and aiobotocore clients see it.

Covers listing with pagination and filters, regions, start/stop/update transitions and the
service's refusals, StartSession, STS identity (IAM and Identity Center), and injected faults.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sm_spaces.demo.account import DemoAccount
from sm_spaces.demo.seed_data import SSO_DEMO_USER
from sm_spaces.demo.server import DemoServer

from tests.cli_run import serve_exports

ML = "d-mlplatf0rm01"
RESEARCH = "d-research5bx2"
SSO = "d-studi0ss0a3b"


async def _error(coro: Any) -> dict[str, str]:
    with pytest.raises(ClientError) as caught:
        await coro
    return caught.value.response["Error"]


async def _all_spaces(client: Any, **params: Any) -> list[dict[str, Any]]:
    spaces, token = [], None
    while True:
        page = await client.list_spaces(**params, **({"NextToken": token} if token else {}))
        spaces += page["Spaces"]
        token = page.get("NextToken")
        if not token:
            return spaces


# --- listing -------------------------------------------------------------------------------------


def test_plain_botocore_lists_seeded_spaces_with_pagination(
    demo_thread: Any, make_botocore_client: Any
) -> None:
    client = make_botocore_client(demo_thread.server)
    first = client.list_spaces()
    assert len(first["Spaces"]) == 10 and first["NextToken"]  # clients must follow NextToken
    everything = client.get_paginator("list_spaces").paginate().build_full_result()["Spaces"]
    names = [(s["DomainId"], s["SpaceName"]) for s in everything]
    assert len(names) == len(set(names)) == 25
    assert {s["SpaceSettingsSummary"]["AppType"] for s in everything} == {"JupyterLab", "CodeEditor"}
    assert {s["SpaceSharingSettingsSummary"]["SharingType"] for s in everything} == {"Private", "Shared"}
    assert {s["SpaceSettingsSummary"]["RemoteAccess"] for s in everything} == {"ENABLED", "DISABLED"}
    apps = (
        client.get_paginator("list_apps")
        .paginate(PaginationConfig={"PageSize": 3})
        .build_full_result()["Apps"]
    )
    assert {a["Status"] for a in apps} >= {"InService", "Failed", "Deleted"}
    assert all(a["ResourceSpec"]["InstanceType"].startswith("ml.") for a in apps)
    domains = client.list_domains()["Domains"]
    assert len(domains) == 3 and {d["DomainName"] for d in domains} >= {"ml-platform", "studio-sso"}
    profiles = client.get_paginator("list_user_profiles").paginate().build_full_result()["UserProfiles"]
    assert len(profiles) == 6


def test_regions_come_from_the_credential_scope(demo_thread: Any, make_botocore_client: Any) -> None:
    server = demo_thread.server
    eu = make_botocore_client(server, region="eu-west-1")
    assert [d["DomainName"] for d in eu.list_domains()["Domains"]] == ["eu-analytics"]
    assert len(eu.list_spaces()["Spaces"]) == 4  # with vision-baseline, still being created
    assert make_botocore_client(server, region="us-west-2").list_domains()["Domains"] == []
    with pytest.raises(ClientError) as caught:
        make_botocore_client(server).describe_domain(DomainId="d-euanalyt1cs4")
    assert caught.value.response["Error"]["Code"] == "ResourceNotFound"


async def test_list_filters_and_bad_pagination(boto_client: Any) -> None:
    ml = await _all_spaces(boto_client, DomainIdEquals=ML, MaxResults=4)
    assert len(ml) == 11 and {s["DomainId"] for s in ml} == {ML}
    found = await _all_spaces(boto_client, SpaceNameContains="forecast")
    assert sorted(s["SpaceName"] for s in found) == ["demand-forecast", "forecasting-lab"]
    apps = (await boto_client.list_apps(DomainIdEquals=ML, SpaceNameEquals="fraud-detection"))["Apps"]
    assert [(a["SpaceName"], a["Status"]) for a in apps] == [("fraud-detection", "InService")]
    token = (await boto_client.list_spaces(MaxResults=2))["NextToken"]
    error = await _error(boto_client.list_spaces(MaxResults=2, NextToken=token, DomainIdEquals=ML))
    assert error["Code"] == "ValidationException"
    error = await _error(boto_client.list_spaces(MaxResults=101))
    assert error["Code"] == "ValidationException"


async def test_describe_carries_settings_and_idle_bounds(boto_client: Any) -> None:
    space = await boto_client.describe_space(DomainId=ML, SpaceName="churn-model")
    settings = space["SpaceSettings"]
    assert settings["JupyterLabAppSettings"]["DefaultResourceSpec"]["InstanceType"] == "ml.t3.medium"
    assert (
        settings["JupyterLabAppSettings"]["AppLifecycleManagement"]["IdleSettings"]["IdleTimeoutInMinutes"]
        == 60
    )
    assert (
        settings["RemoteAccess"] == "DISABLED"
        and settings["SpaceStorageSettings"]["EbsStorageSettings"]["EbsVolumeSizeInGb"] == 5
    )
    assert space["SpaceArn"] == f"arn:aws:sagemaker:us-east-1:123456789012:space/{ML}/churn-model"
    domain = await boto_client.describe_domain(DomainId=ML)
    idle = domain["DefaultUserSettings"]["CodeEditorAppSettings"]["AppLifecycleManagement"]["IdleSettings"]
    assert (
        idle["MinIdleTimeoutInMinutes"],
        idle["MaxIdleTimeoutInMinutes"],
        idle["LifecycleManagement"],
    ) == (60, 480, "ENABLED")
    profile = await boto_client.describe_user_profile(DomainId=ML, UserProfileName="alice")
    assert (
        profile["UserSettings"]["JupyterLabAppSettings"]["AppLifecycleManagement"]["IdleSettings"][
            "MaxIdleTimeoutInMinutes"
        ]
        == 480
    )
    error = await _error(
        boto_client.update_space(
            DomainId=ML,
            SpaceName="feature-store-dev",
            SpaceSettings={
                "CodeEditorAppSettings": {
                    "AppLifecycleManagement": {"IdleSettings": {"IdleTimeoutInMinutes": 600}}
                }
            },
        )
    )
    assert error["Code"] == "ValidationException" and "60-480" in error["Message"]


# --- transitions and refusals ----------------------------------------------------------------------


async def test_start_and_stop_transitions(boto_client: Any) -> None:
    app = {"DomainId": ML, "SpaceName": "feature-store-dev", "AppType": "CodeEditor", "AppName": "default"}
    created = await boto_client.create_app(**app)
    assert created["AppArn"].endswith("app/d-mlplatf0rm01/feature-store-dev/codeeditor/default")
    assert (await boto_client.describe_app(**app))["Status"] == "InService"
    assert (await _error(boto_client.create_app(**app)))["Code"] == "ResourceInUse"
    await boto_client.delete_app(**app)
    assert (await boto_client.describe_app(**app))["Status"] == "Deleted"
    assert (await _error(boto_client.delete_app(**app)))["Code"] == "ResourceNotFound"
    await boto_client.create_app(**app, ResourceSpec={"InstanceType": "ml.m5.xlarge"})
    described = await boto_client.describe_app(**app)
    assert described["Status"] == "InService" and described["ResourceSpec"]["InstanceType"] == "ml.m5.xlarge"
    never = dict(app, SpaceName="rag-prototype")
    assert (await _error(boto_client.delete_app(**never)))["Code"] == "ResourceNotFound"


async def test_transitions_are_visible_with_a_delay(demo: DemoServer, boto_client: Any) -> None:
    now = [1000.0]
    demo.account.clock = lambda: now[0]  # a controllable clock: no sleeping, no timing assertions
    demo.transition_delay = 3.0
    app = {"DomainId": ML, "SpaceName": "data-quality", "AppType": "JupyterLab", "AppName": "default"}
    await boto_client.create_app(**app)
    assert (await boto_client.describe_app(**app))["Status"] == "Pending"
    now[0] += 3.0
    assert (await boto_client.describe_app(**app))["Status"] == "InService"
    await boto_client.delete_app(**app)
    listed = (await boto_client.list_apps(DomainIdEquals=ML, SpaceNameEquals="data-quality"))["Apps"]
    assert [a["Status"] for a in listed] == ["Deleting"]
    now[0] += 3.0
    assert (await boto_client.describe_app(**app))["Status"] == "Deleted"
    await boto_client.update_space(
        DomainId=ML, SpaceName="data-quality", SpaceSettings={"RemoteAccess": "DISABLED"}
    )
    assert (await boto_client.describe_space(DomainId=ML, SpaceName="data-quality"))["Status"] == "Updating"
    # CreateApp on a space that is not InService: ResourceInUse, among CreateApp's errors in botocore's model
    assert (await _error(boto_client.create_app(**app)))["Code"] == "ResourceInUse"
    now[0] += 3.0
    space = await boto_client.describe_space(DomainId=ML, SpaceName="data-quality")
    assert (space["Status"], space["SpaceSettings"]["RemoteAccess"]) == ("InService", "DISABLED")


async def test_small_instances_are_refused_for_remote_access(boto_client: Any) -> None:
    enable = {"RemoteAccess": "ENABLED"}
    error = await _error(
        boto_client.update_space(DomainId=ML, SpaceName="model-monitoring", SpaceSettings=enable)
    )
    assert (
        error["Code"] == "ValidationException"
        and "8 GiB" in error["Message"]
        and "ml.t3.medium" in error["Message"]
    )
    await boto_client.update_space(
        DomainId=ML,
        SpaceName="model-monitoring",
        SpaceSettings=enable
        | {"CodeEditorAppSettings": {"DefaultResourceSpec": {"InstanceType": "ml.t3.large"}}},
    )
    space = await boto_client.describe_space(DomainId=ML, SpaceName="model-monitoring")
    assert space["SpaceSettings"]["RemoteAccess"] == "ENABLED"
    assert (
        space["SpaceSettings"]["CodeEditorAppSettings"]["DefaultResourceSpec"]["InstanceType"]
        == "ml.t3.large"
    )
    app = {"DomainId": ML, "SpaceName": "model-monitoring", "AppType": "CodeEditor", "AppName": "default"}
    for small in ("ml.t3.medium", "ml.c7i.large", "ml.c5.large"):
        error = await _error(boto_client.create_app(**app, ResourceSpec={"InstanceType": small}))
        assert (
            error["Code"] == "ValidationException"
            and small in error["Message"]
            and "8 GiB" in error["Message"]
        )
    await boto_client.create_app(**app)
    assert (await boto_client.describe_app(**app))["Status"] == "InService"


async def test_remote_access_cannot_change_while_running(boto_client: Any) -> None:
    settings = {
        "RemoteAccess": "ENABLED",
        "JupyterLabAppSettings": {"DefaultResourceSpec": {"InstanceType": "ml.t3.large"}},
    }
    error = await _error(
        boto_client.update_space(DomainId=ML, SpaceName="churn-model", SpaceSettings=settings)
    )
    assert error["Code"] == "ValidationException" and "must be stopped" in error["Message"]
    await boto_client.delete_app(
        DomainId=ML, SpaceName="churn-model", AppType="JupyterLab", AppName="default"
    )
    await boto_client.update_space(DomainId=ML, SpaceName="churn-model", SpaceSettings=settings)
    space = await boto_client.describe_space(DomainId=ML, SpaceName="churn-model")
    assert (space["Status"], space["SpaceSettings"]["RemoteAccess"]) == ("InService", "ENABLED")


async def test_seeded_failures(boto_client: Any) -> None:
    failed = await boto_client.describe_app(
        DomainId=ML, SpaceName="recsys-training", AppType="JupyterLab", AppName="default"
    )
    assert failed["Status"] == "Failed" and "capacity" in failed["FailureReason"]
    app = {
        "DomainId": RESEARCH,
        "SpaceName": "custom-image-test",
        "AppType": "CodeEditor",
        "AppName": "default",
    }
    await boto_client.create_app(**app)
    described = await boto_client.describe_app(**app)
    assert described["Status"] == "Failed" and "Lifecycle configuration" in described["FailureReason"]


async def test_start_session(demo: DemoServer, boto_client: Any) -> None:
    arn = (await boto_client.describe_space(DomainId=ML, SpaceName="fraud-detection"))["SpaceArn"]
    answer = await boto_client.start_session(ResourceIdentifier=arn)
    assert answer["StreamUrl"].startswith(f"{demo.ws_base_url}/v1/data-channel/{answer['SessionId']}?")
    session = demo.sessions.claim(answer["SessionId"], answer["TokenValue"])
    assert session is not None and session.space_arn == arn
    for name in ("feature-store-dev", "churn-model"):  # stopped; running without remote access
        other = f"arn:aws:sagemaker:us-east-1:123456789012:space/{ML}/{name}"
        error = await _error(boto_client.start_session(ResourceIdentifier=other))
        assert error["Code"] == "ValidationException"
    assert "not enabled" in error["Message"]
    error = await _error(
        boto_client.start_session(
            ResourceIdentifier="arn:aws:sagemaker:us-east-1:123456789012:space/d-nope1/x"
        )
    )
    assert error["Code"] == "ResourceNotFound"
    error = await _error(boto_client.start_session(ResourceIdentifier="i-0123456789abcdef0"))
    assert error["Code"] == "ValidationException"


# --- STS ------------------------------------------------------------------------------------------


def test_sts_caller_and_identity_center_switch(
    demo_thread: Any, make_botocore_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = demo_thread.server
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    import botocore.session

    sts = botocore.session.Session().create_client("sts")  # found through AWS_ENDPOINT_URL_STS
    assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::123456789012:user/demo-developer"
    server.account.use_sso_user(SSO_DEMO_USER)
    identity = sts.get_caller_identity()
    assert identity["Arn"] == (
        "arn:aws:sts::123456789012:assumed-role/"
        f"AWSReservedSSO_DataScientist_0123456789abcdef/{SSO_DEMO_USER}"
    )
    user = identity["Arn"].rsplit("/", 1)[1]
    sm = make_botocore_client(server)
    assert sm.describe_domain(DomainId=SSO)["AuthMode"] == "SSO"
    mine = [
        p["UserProfileName"]
        for p in sm.list_user_profiles(DomainIdEquals=SSO)["UserProfiles"]
        if sm.describe_user_profile(DomainId=SSO, UserProfileName=p["UserProfileName"]).get(
            "SingleSignOnUserValue"
        )
        == user
    ]
    assert mine == ["maria-garcia"]
    owned = [
        s["SpaceName"]
        for s in sm.list_spaces(DomainIdEquals=SSO)["Spaces"]
        if s["OwnershipSettingsSummary"]["OwnerUserProfileName"] == "maria-garcia"
    ]
    assert "forecasting-lab" in owned and "time-series" not in owned
    server.faults.expired = True
    with pytest.raises(ClientError) as caught:
        sts.get_caller_identity()
    assert caught.value.response["Error"]["Code"] == "ExpiredToken"


def test_demo_env_serves_a_subprocess(demo_env: dict[str, str]) -> None:
    code = (
        "import botocore.session as b; s=b.Session(); "
        "print(len(s.create_client('sagemaker').list_domains()['Domains']), "
        "s.create_client('sts').get_caller_identity()['Account'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=demo_env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["3", "123456789012"]


def test_demo_serve_prints_exports_and_stops_on_ctrl_c(tmp_path: Any) -> None:
    import os
    import signal

    code = "import sys; from sm_spaces.demo.serve_cli import serve; sys.exit(serve(None, 0.0))"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        exports, _ = serve_exports(proc.stdout)  # type: ignore[arg-type]
        assert exports["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
        env |= exports | {
            "AWS_CONFIG_FILE": str(tmp_path / "none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        }
        probe = "import botocore.session as b; print(len(b.Session().create_client('sagemaker').list_spaces()['Spaces']))"
        out = subprocess.run(
            [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60
        )
        assert out.stdout.strip() == "10", out.stderr
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0


# --- faults ---------------------------------------------------------------------------------------


def test_throttling_with_standard_retries_completes_a_listing(
    demo_thread: Any, make_botocore_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import botocore.retries.standard

    # botocore's own retry logic runs unchanged; only its back-off sleep is cut to keep the test fast.
    monkeypatch.setattr(
        botocore.retries.standard.ExponentialBackoff, "delay_amount", lambda self, context: 0.0
    )
    server = demo_thread.server
    server.faults.throttle_rate = 0.3
    client = make_botocore_client(server, retries={"mode": "standard", "max_attempts": 10})
    spaces = (
        client.get_paginator("list_spaces")
        .paginate(PaginationConfig={"PageSize": 2})
        .build_full_result()["Spaces"]
    )
    assert len(spaces) == 25 and server.faults.throttled > 0
    no_retry = make_botocore_client(server)
    server.faults.throttle_rate = 1.0
    with pytest.raises(ClientError) as caught:
        no_retry.list_domains()
    assert caught.value.response["Error"]["Code"] == "ThrottlingException"


async def test_access_denied_names_the_action(demo: DemoServer, boto_client: Any) -> None:
    demo.faults.deny = {"StartSession"}
    arn = f"arn:aws:sagemaker:us-east-1:123456789012:space/{ML}/fraud-detection"
    error = await _error(boto_client.start_session(ResourceIdentifier=arn))
    assert error["Code"] == "AccessDeniedException"
    assert error["Message"] == (
        "User: arn:aws:iam::123456789012:user/demo-developer is not authorized to perform: sagemaker:StartSession "
        f"on resource: {arn} because no identity-based policy allows the sagemaker:StartSession action"
    )
    assert (await boto_client.list_domains())["Domains"]  # other operations still allowed


async def test_expired_token(demo: DemoServer, boto_client: Any) -> None:
    demo.faults.expired = True
    error = await _error(boto_client.list_spaces())
    assert (error["Code"], error["Message"]) == (
        "ExpiredTokenException",
        "The security token included in the request is expired",
    )
    demo.faults.expired = False
    assert (await boto_client.list_spaces())["Spaces"]


async def test_injected_server_errors(demo: DemoServer, boto_client: Any) -> None:
    demo.faults.error_rate = 1.0
    demo.faults.error_ops = {"ListApps"}
    with pytest.raises(ClientError) as caught:
        await boto_client.list_apps()
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert caught.value.response["Error"]["Code"] == "InternalFailure"
    demo.faults.error_status = 503
    with pytest.raises(ClientError) as caught:
        await boto_client.list_apps()
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert (await boto_client.list_spaces())["Spaces"]  # only the chosen operation fails
    demo.faults.reset()
    assert (await boto_client.list_apps())["Apps"] and demo.faults.errored == 0


# --- large accounts -------------------------------------------------------------------------------


def test_large_generator_counts() -> None:
    big = DemoAccount.generate(domains=100, spaces_per_domain=100, seed=7)
    assert len(big.domains) == 100 and sum(len(d.spaces) for d in big.domains.values()) == 10_000
    again = DemoAccount.generate(domains=100, spaces_per_domain=100, seed=7)
    assert [s.instance_type for s in big.domains["d-bench00700042"].spaces] == [
        s.instance_type for s in again.domains["d-bench00700042"].spaces
    ]


async def test_generated_account_lists_through_the_api() -> None:
    import aiobotocore.session

    async with DemoServer(DemoAccount.generate(domains=10, spaces_per_domain=20, seed=1)) as server:
        c = server.credentials
        async with aiobotocore.session.get_session().create_client(
            "sagemaker",
            region_name="us-east-1",
            endpoint_url=server.endpoint_url,
            aws_access_key_id=c.access_key,
            aws_secret_access_key=c.secret_key,
        ) as client:
            domains = (await client.list_domains(MaxResults=100))["Domains"]
            assert len(domains) == 10
            spaces = await _all_spaces(client, MaxResults=100)
            assert len(spaces) == 200 and len({(s["DomainId"], s["SpaceName"]) for s in spaces}) == 200


async def test_latency_overlaps_across_concurrent_calls(demo: DemoServer, boto_client: Any) -> None:
    import asyncio

    demo.faults.latency = 0.5
    answers = await asyncio.gather(*(boto_client.list_spaces(DomainIdEquals=ML) for _ in range(8)))
    assert all(len(a["Spaces"]) == 10 for a in answers)
    # (Nearly) all eight were inside the server at once: latency sleeps overlap, no global lock.
    assert demo.peak_in_flight >= 6
    assert demo.in_flight == 0
