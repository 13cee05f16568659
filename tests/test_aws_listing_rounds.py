"""The listing's rounds (app/aws/listing.py) against the simulated account over real HTTP: every
space of a fanned-out account, failures that botocore retries or reports, and a refresh that asks
the domains it already knows beside ListDomains."""

from __future__ import annotations

import dataclasses

import pytest
from sm_spaces.aws.errors import AwsError
from sm_spaces.aws.service import SpacesService
from sm_spaces.demo.account import DemoAccount
from sm_spaces.demo.server import DemoServer

from tests.demo_service import demo_service


def _comparable(spaces) -> list:
    return sorted(dataclasses.astuple(s) for s in spaces)


@pytest.fixture
async def big_demo():
    """More spaces and apps than one page of 100 holds: the per-domain fan-out runs."""
    async with DemoServer(DemoAccount.generate(6, 30, seed=3)) as server:
        yield server


def _expected(demo: DemoServer) -> set[tuple[str, str]]:
    """(domain id, space name) of every space the simulated account holds in its region."""
    return {
        (domain.domain_id, space.name)
        for domain in demo.account.domains.values()
        if domain.region == demo.region
        for space in domain.spaces
    }


async def test_a_fanned_out_listing_holds_every_space(big_demo: DemoServer) -> None:
    async with demo_service(big_demo) as svc:
        listing = await svc.list_all()
        again = await svc.list_all()  # a refresh: the known domains' pages asked beside ListDomains
    assert {(s.domain_id, s.name) for s in listing.spaces} == _expected(big_demo)
    assert len(listing.spaces) == 6 * 30
    assert _comparable(again.spaces) == _comparable(listing.spaces)
    assert again.user_profiles == listing.user_profiles and again.domains == listing.domains


async def test_a_server_error_is_retried_by_botocore(big_demo: DemoServer) -> None:
    async with demo_service(big_demo) as svc:
        await svc.call("ListDomains")
        big_demo.faults.error_burst = 2  # the next two calls fail with a 500
        listing = await svc.list_all()
    assert big_demo.faults.errored == 2
    assert len(listing.spaces) == 6 * 30


async def test_errors_read_as_one_line(demo: DemoServer) -> None:
    async with demo_service(demo) as svc:
        demo.faults.deny = {"ListSpaces"}
        with pytest.raises(AwsError) as denied:
            await svc.list_all()
    assert denied.value.kind == "access_denied" and "sagemaker:ListSpaces" in str(denied.value)


async def test_keys_from_the_credential_chain_sign_the_listing(
    demo: DemoServer, monkeypatch, tmp_path
) -> None:
    c = demo.credentials
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "absent-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "absent-credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", c.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", c.secret_key)
    if c.token:
        monkeypatch.setenv("AWS_SESSION_TOKEN", c.token)
    async with SpacesService(region=demo.region, endpoint_url=demo.endpoint_url) as svc:
        listing = await svc.list_all()
    assert {(s.domain_id, s.name) for s in listing.spaces} == _expected(demo)
    assert not svc.uses_explicit_credentials


# --- a refresh asks the known domains' pages beside ListDomains (listing.py) ----------------------


def _answered_before_list_domains(demo: DemoServer, op: str) -> int:
    order = list(demo.answered)
    return order[: order.index("ListDomains")].count(op)


async def test_a_refresh_asks_known_domains_pages_beside_list_domains(big_demo: DemoServer) -> None:
    # Every other call answers at once (1 s: room for them on a loaded machine).
    big_demo.faults.latency_by_op = {"ListDomains": 1.0}
    async with demo_service(big_demo) as svc:
        first = await svc.list_all()
        # Cold: nothing but the account-wide first page of spaces could be asked before the domains
        # were known.
        assert _answered_before_list_domains(big_demo, "ListSpaces") == 1
        big_demo.answered.clear()
        second = await svc.list_all()
        assert _answered_before_list_domains(big_demo, "ListSpaces") == 1 + 6
        assert _answered_before_list_domains(big_demo, "ListApps") == 1 + 6
    assert _comparable(second.spaces) == _comparable(first.spaces)


async def test_a_refresh_follows_domains_created_and_deleted_meanwhile(big_demo: DemoServer) -> None:
    account = big_demo.account
    async with demo_service(big_demo) as svc:
        first = await svc.list_all()
        gone = first.domains[0].domain_id
        del account.domains[gone]  # deleted since: its early pages are dropped
        fresh = account.add_domain("d-created0000", "created-later", big_demo.region)
        owner = account.add_profile(fresh, "late-user").name
        account.add_space(fresh, "late-space", app_type="JupyterLab", owner=owner)
        second = await svc.list_all()
    assert {s.domain_id for s in second.spaces} == {d.domain_id for d in first.domains} - {gone} | {
        fresh.domain_id
    }
    assert [s.name for s in second.spaces if s.domain_id == fresh.domain_id] == ["late-space"]
    assert len(second.spaces) == 5 * 30 + 1
    assert svc.fanned_out and gone not in svc.fanned_out and fresh.domain_id in svc.fanned_out


async def test_a_small_account_is_not_fanned_out_on_refresh(demo: DemoServer) -> None:
    async with demo_service(demo) as svc:
        await svc.list_all()
        assert svc.fanned_out == []  # its spaces and apps fit the account-wide first pages
        demo.answered.clear()
        await svc.list_all()
    assert sorted(demo.answered) == sorted(["ListDomains", "ListSpaces", "ListApps", "ListUserProfiles"])


async def test_a_new_service_told_a_cached_listings_domains_asks_them_at_once(big_demo: DemoServer) -> None:
    async with demo_service(big_demo) as svc:
        cached = (await svc.list_all()).spaces
    big_demo.faults.latency_by_op = {"ListDomains": 1.0}
    async with demo_service(big_demo) as svc:  # as a new TUI with that listing in its cache
        svc.expect_domains([s.domain_id for s in cached])
        big_demo.answered.clear()
        listing = await svc.list_all()
    assert _answered_before_list_domains(big_demo, "ListSpaces") == 1 + 6
    assert _comparable(listing.spaces) == _comparable(cached)


async def test_a_small_cached_listing_is_not_asked_domain_by_domain(demo: DemoServer) -> None:
    async with demo_service(demo) as svc:
        cached = (await svc.list_all()).spaces
    async with demo_service(demo) as svc:
        svc.expect_domains([s.domain_id for s in cached])
        assert len(cached) <= 100 and svc.fanned_out == []
