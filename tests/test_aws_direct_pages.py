"""A listing's pages signed and posted directly (app/aws/direct_pages.py), against the simulated
account over real HTTP: the same listing as through botocore, throttling handled the same way, and
botocore answering whenever the direct road meets anything but a plain page."""

from __future__ import annotations

import dataclasses

import pytest

from app.aws.errors import AwsError
from app.aws.service import SpacesService
from app.demo.account import DemoAccount
from app.demo.server import DemoServer


def _service(demo: DemoServer, **kwargs) -> SpacesService:
    c = demo.credentials
    return SpacesService(region=demo.region, endpoint_url=demo.endpoint_url,
                         credentials=(c.access_key, c.secret_key, c.token), **kwargs)


async def _botocore_calls(svc: SpacesService) -> list[str]:
    """Operations that went through the botocore client (its own event system tells)."""
    seen: list[str] = []
    client = await svc._client("sagemaker")
    client.meta.events.register("before-call.sagemaker", lambda model, **_: seen.append(model.name))
    return seen


def _comparable(spaces) -> list:
    return sorted(dataclasses.astuple(s) for s in spaces)


@pytest.fixture
async def big_demo():
    """More spaces and apps than one page of 100 holds: the per-domain fan-out runs."""
    async with DemoServer(DemoAccount.generate(6, 30, seed=3)) as server:
        yield server


async def test_the_listing_goes_direct_and_matches_botocores(big_demo: DemoServer) -> None:
    async with _service(big_demo) as direct:
        through_botocore = await _botocore_calls(direct)
        await direct.list_all()
        # The first round went through botocore (the endpoint had not answered it yet); the rest
        # of that listing and every page of the next came the direct way.
        assert set(through_botocore) == {"ListDomains", "ListSpaces", "ListApps", "ListUserProfiles"}
        assert len(through_botocore) == 4
        through_botocore.clear()
        listing = await direct.list_all()
        assert through_botocore == []
    async with _service(big_demo) as plain:
        plain._direct._open = False  # the road closed from the start: botocore lists alone
        through_botocore = await _botocore_calls(plain)
        expected = await plain.list_all()
        assert {"ListDomains", "ListSpaces", "ListApps", "ListUserProfiles"} <= set(through_botocore)
    assert len(listing.spaces) == 6 * 30
    assert _comparable(listing.spaces) == _comparable(expected.spaces)
    assert listing.user_profiles == expected.user_profiles and listing.domains == expected.domains


async def test_throttled_pages_are_retried_on_the_direct_road(big_demo: DemoServer) -> None:
    async with _service(big_demo) as svc:
        await svc.call("ListDomains")  # the endpoint has answered botocore: the direct road is open
        big_demo.faults.throttle_rate = 0.3
        through_botocore = await _botocore_calls(svc)
        listing = await svc.list_all()
        assert len(listing.spaces) == 6 * 30
        assert big_demo.faults.throttled > 0 and svc.limit.throttles == big_demo.faults.throttled
        assert svc._direct.takes("ListSpaces") and through_botocore == []


async def test_a_server_error_hands_over_to_botocore_for_good(big_demo: DemoServer) -> None:
    async with _service(big_demo) as svc:
        await svc.call("ListDomains")
        big_demo.faults.error_burst = 1  # the next call, a direct one, fails with a 500
        through_botocore = await _botocore_calls(svc)
        listing = await svc.list_all()
        assert big_demo.faults.errored == 1
        assert len(listing.spaces) == 6 * 30
        assert not svc._direct.takes("ListSpaces")  # closed: botocore (and its retries) answer now
        assert "ListSpaces" in through_botocore


async def test_errors_read_as_through_botocore(demo: DemoServer) -> None:
    async with _service(demo) as svc:
        await svc.call("ListDomains")
        demo.faults.deny = {"ListSpaces"}
        with pytest.raises(AwsError) as denied:
            await svc.list_all()
    assert denied.value.kind == "access_denied" and "sagemaker:ListSpaces" in str(denied.value)


async def test_keys_from_the_credential_chain_sign_the_direct_road(demo: DemoServer, monkeypatch, tmp_path) -> None:
    c = demo.credentials
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "absent-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "absent-credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", c.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", c.secret_key)
    if c.token:
        monkeypatch.setenv("AWS_SESSION_TOKEN", c.token)
    async with SpacesService(region=demo.region, endpoint_url=demo.endpoint_url) as svc:
        await svc.call("ListDomains")
        through_botocore = await _botocore_calls(svc)
        listing = await svc.list_all()
        assert listing.spaces and through_botocore == [] and svc._direct.takes("ListSpaces")
