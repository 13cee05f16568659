"""ssh-proxy's light StartSession: same endpoint as botocore, same credentials chain, and the full
client path whenever the light one does not apply or fails."""

from __future__ import annotations

import botocore.session
import pytest
from sm_spaces.aws.errors import AwsError
from sm_spaces.aws.quick_session import plain_endpoint, start_session
from sm_spaces.aws.service import SpacesService
from sm_spaces.model import SpaceArn

_SETTINGS = (
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_SAGEMAKER",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_CA_BUNDLE",
    "AWS_PROFILE",
)


@pytest.fixture
def plain_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    for name in _SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "absent-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "absent-credentials"))


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "ap-southeast-2", "il-central-1", "sa-east-1"])
def test_plain_endpoint_is_the_one_botocore_resolves(plain_env: None, region: str) -> None:
    client = botocore.session.Session().create_client(
        "sagemaker", region_name=region, aws_access_key_id="k", aws_secret_access_key="s"
    )
    assert plain_endpoint(region, None, {}) == client.meta.endpoint_url


@pytest.mark.parametrize("region", ["cn-north-1", "us-gov-west-1", "us-iso-east-1"])
def test_other_partitions_are_left_to_botocore(plain_env: None, region: str) -> None:
    assert plain_endpoint(region, None, {}) is None


def test_endpoint_settings_are_left_to_botocore(plain_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    assert plain_endpoint("us-east-1", "http://127.0.0.1:9/", {}) == "http://127.0.0.1:9"  # explicit wins
    assert plain_endpoint("us-east-1", None, {"use_fips_endpoint": "true"}) is None
    assert plain_endpoint("us-east-1", None, {"endpoint_url": "https://proxy.example"}) is None
    monkeypatch.setenv("AWS_USE_DUALSTACK_ENDPOINT", "true")
    assert plain_endpoint("us-east-1", None, {}) is None


@pytest.fixture
def chain_credentials(demo, plain_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's keys where the botocore chain finds them (the environment), as ssh-proxy sees them."""
    c = demo.credentials
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", c.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", c.secret_key)
    if c.token:
        monkeypatch.setenv("AWS_SESSION_TOKEN", c.token)
    else:
        monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)


def _running_arn(demo) -> str:
    for domain in demo.account.domains.values():
        for space in domain.spaces:
            if space.remote_access and space.app is not None and space.app.status == "InService":
                return f"arn:aws:sagemaker:{domain.region}:{demo.account.account_id}:space/{domain.domain_id}/{space.name}"
    raise AssertionError("the seeded account has a running space with remote access")


async def test_light_path_starts_a_session_without_a_botocore_client(demo, chain_credentials: None) -> None:
    async with SpacesService(region=demo.region, endpoint_url=demo.endpoint_url) as svc:
        session = await start_session(svc, _running_arn(demo))
        assert session.token and session.stream_url.startswith("ws://127.0.0.1:")
        assert svc._clients._clients == {}  # no aiobotocore client was built


async def test_a_refused_call_is_reported_by_the_full_path(demo, chain_credentials: None) -> None:
    arn = SpaceArn.parse(_running_arn(demo))
    missing = str(SpaceArn(arn.partition, arn.region, arn.account, arn.domain_id, "no-such-space"))
    async with SpacesService(region=demo.region, endpoint_url=demo.endpoint_url, poll_interval=0.0) as svc:
        with pytest.raises(AwsError) as caught:
            await start_session(svc, missing)
        assert "no-such-space" in str(caught.value) and "\n" not in str(caught.value)
        assert "sagemaker" in svc._clients._clients  # the full client path answered


async def test_wrong_keys_fall_back_and_are_reported_as_credentials(
    demo, chain_credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    async with SpacesService(region=demo.region, endpoint_url=demo.endpoint_url, poll_interval=0.0) as svc:
        with pytest.raises(AwsError) as caught:
            await start_session(svc, _running_arn(demo))
        assert caught.value.kind == "credentials"
        assert "not-the-secret" not in str(caught.value)
