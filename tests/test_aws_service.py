"""The service layer end to end: real aiobotocore over real HTTP against the simulated account."""

import asyncio
import socket

import pytest
from sm_spaces.aws.errors import AwsError, NeedsLargerInstance
from sm_spaces.aws.service import SpacesService
from sm_spaces.model import SpaceStatus

from tests.demo_service import demo_service


@pytest.fixture
async def svc(demo):
    service = demo_service(demo, poll_interval=0.01)
    yield service
    await service.aclose()


async def _raw_listing(demo, region):
    """What a plain botocore client (not our code) sees: {(domain, space): app type}.

    Run on a thread: the simulated account serves on this test's event loop."""
    return await asyncio.to_thread(_raw_listing_sync, demo, region)


def _raw_listing_sync(demo, region):
    import botocore.session

    c = demo.credentials
    client = botocore.session.Session().create_client(
        "sagemaker",
        region_name=region,
        endpoint_url=demo.endpoint_url,
        aws_access_key_id=c.access_key,
        aws_secret_access_key=c.secret_key,
        aws_session_token=c.token,
    )
    seen = {}
    for dom in client.get_paginator("list_domains").paginate().build_full_result()["Domains"]:
        kwargs = {"DomainIdEquals": dom["DomainId"]}
        token = None
        while True:
            page = client.list_spaces(**kwargs, **({"NextToken": token} if token else {}))
            for s in page["Spaces"]:
                seen[(s["DomainId"], s["SpaceName"])] = s["SpaceSettingsSummary"]["AppType"]
            token = page.get("NextToken")
            if not token:
                break
    return seen


async def test_listing_is_complete_and_joined(demo, svc):
    listing = await svc.list_all()
    raw = await _raw_listing(demo, demo.region)
    assert {(s.domain_id, s.name): s.app_type for s in listing.spaces} == raw
    assert len(listing.spaces) >= 20 and len(listing.domains) >= 3 and len(listing.user_profiles) >= 6
    by_name = {s.name: s for s in listing.spaces}
    running = by_name["fraud-detection"]
    assert running.status is SpaceStatus.RUNNING and running.instance_type == "ml.m5.xlarge"
    assert running.remote_access and running.owner == "alice" and running.domain_name == "ml-platform"
    assert running.account == "123456789012"
    assert by_name["team-notebooks"].sharing == "Shared"
    assert by_name["recsys-training"].status is SpaceStatus.FAILED
    assert by_name["model-monitoring"].status is SpaceStatus.STOPPED
    assert all(s.alias.startswith("sm-") for s in listing.spaces)


async def test_other_region_lists_its_own_domains(demo):
    async with demo_service(demo, "eu-west-1") as eu:
        names = {s.name for s in (await eu.list_all()).spaces}
    assert names == {name for (_, name) in await _raw_listing(demo, "eu-west-1")}
    assert "gdpr-reports" in names and "fraud-detection" not in names


async def test_listing_survives_throttling(demo, svc):
    expected = sorted((s.domain_id, s.name, s.status) for s in (await svc.list_all()).spaces)
    demo.faults.throttle_burst = 3  # botocore's retries ride them out (tests/test_aws_retries.py)
    listing = await svc.list_all()
    assert demo.faults.throttled == 3
    assert sorted((s.domain_id, s.name, s.status) for s in listing.spaces) == expected


async def test_access_denied_names_the_action(demo, svc):
    demo.faults.deny.add("StartSession")
    space = await svc.find_space("fraud-detection")
    with pytest.raises(AwsError) as err:
        await svc.start_session(space.arn)
    assert err.value.kind == "access_denied"
    assert "sagemaker:StartSession" in str(err.value)
    assert '"Action": "sagemaker:StartSession"' in str(err.value)


async def test_expired_credentials_say_what_to_run(demo, svc):
    demo.faults.expired = True
    with pytest.raises(AwsError) as err:
        await svc.list_all()
    assert err.value.kind == "credentials"
    assert "aws configure" in str(err.value) and "expired" in str(err.value)


async def test_small_instance_needs_explicit_upgrade_then_starts_and_stops(demo, svc):
    space = await svc.find_space("model-monitoring")
    assert space.status is SpaceStatus.STOPPED and not space.remote_access
    with pytest.raises(NeedsLargerInstance) as need:
        await svc.start_space(space.domain_id, space.name)
    assert (need.value.current, need.value.suggested) == ("ml.t3.medium", "ml.t3.large")
    assert (await svc.describe_space(space.domain_id, space.name)).status is SpaceStatus.STOPPED
    seen = []
    started = await svc.start_space(
        space.domain_id, space.name, instance_type="ml.t3.large", progress=lambda s: seen.append(s.status)
    )
    assert started.status is SpaceStatus.RUNNING
    assert started.remote_access and started.instance_type == "ml.t3.large"
    assert seen[-1] is SpaceStatus.RUNNING
    stopped = await svc.stop_space(space.domain_id, space.name)
    assert stopped.status is SpaceStatus.STOPPED


async def test_enable_remote_access_restarts_a_running_space(demo, svc):
    space = await svc.find_space("churn-model")  # running, ml.t3.medium, remote access off
    assert space.status is SpaceStatus.RUNNING and not space.remote_access
    with pytest.raises(NeedsLargerInstance):
        await svc.enable_remote_access(space.domain_id, space.name)
    seen = []
    after = await svc.enable_remote_access(
        space.domain_id, space.name, instance_type="ml.t3.large", progress=lambda s: seen.append(s.status)
    )
    assert after.status is SpaceStatus.RUNNING and after.remote_access
    assert SpaceStatus.STOPPED in seen or SpaceStatus.STOPPING in seen


async def test_failed_start_is_reported(demo, svc):
    space = await svc.find_space("custom-image-test")
    with pytest.raises(AwsError, match="failed while starting"):
        await svc.start_space(space.domain_id, space.name)


async def test_idle_timeout_is_bounded_by_the_domain(demo, svc):
    space = await svc.find_space("fraud-detection")  # ml-platform allows at most 480 minutes
    bounds = await svc.idle_bounds(space.domain_id, space.owner, space.app_type)
    assert bounds.maximum == 480
    with pytest.raises(AwsError, match="outside"):
        await svc.set_idle_timeout(space.domain_id, space.name, 481)
    updated = await svc.set_idle_timeout(space.domain_id, space.name, 300)
    assert updated.idle_timeout_minutes == 300


async def test_start_session_returns_a_fresh_token(demo, svc):
    space = await svc.find_space("fraud-detection")
    one, two = await svc.start_session(space.arn), await svc.start_session(space.arn)
    assert one.token != two.token and one.session_id != two.session_id
    assert one.token not in repr(one) and one.stream_url.startswith("ws://127.0.0.1:")


async def test_unknown_space_and_ambiguity(svc):
    with pytest.raises(AwsError) as err:
        await svc.find_space("no-such-space")
    assert err.value.kind == "not_found" and "sm-spaces list" in str(err.value)


async def test_unreachable_endpoint_is_named(demo, monkeypatch):
    # One retry, as a user may set it: the message is the point here, not botocore's back-off.
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again before use: nothing listens there
    url = f"http://127.0.0.1:{port}"
    async with SpacesService(
        region="us-east-1", endpoint_url=url, credentials=("A", "B", None), connect_timeout=1, read_timeout=1
    ) as svc:
        with pytest.raises(AwsError) as err:
            await svc.list_all()
    assert err.value.kind == "endpoint" and url in str(err.value)


def test_invalid_region_is_refused():
    with pytest.raises(AwsError, match="not an AWS region"):
        SpacesService(region="mars-1", credentials=("A", "B", None))


async def test_unknown_profile_is_named(tmp_path, monkeypatch):
    cfg = tmp_path / "config"
    cfg.write_text("[profile real]\nregion = us-east-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(cfg))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    async with SpacesService(profile="nope", region="us-east-1") as svc:
        with pytest.raises(AwsError) as err:
            await svc.list_all()
    assert err.value.kind == "credentials" and "'nope'" in str(err.value)


async def test_caller_and_identity_center_user(demo, svc):
    caller = await svc.caller()
    assert caller.account == "123456789012" and caller.sso_user is None
    demo.account.use_sso_user("maria.garcia")
    caller = await svc.caller()
    assert caller.sso_user == "maria.garcia"
    listing = await svc.list_all(sso_users=True)
    mine = {p.name for p in listing.user_profiles if p.sso_user_value == "maria.garcia"}
    assert mine == {"maria-garcia"}
