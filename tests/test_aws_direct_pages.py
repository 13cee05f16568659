"""A listing's pages signed and posted directly (app/aws/direct_pages.py), against the simulated
account over real HTTP: the same listing as through botocore, throttling handled the same way, and
botocore answering whenever the direct road meets anything but a plain page."""

from __future__ import annotations

import dataclasses

import pytest
from sm_spaces.aws.errors import AwsError
from sm_spaces.aws.service import SpacesService
from sm_spaces.demo.account import DemoAccount
from sm_spaces.demo.server import DemoServer


def _service(demo: DemoServer, **kwargs) -> SpacesService:
    c = demo.credentials
    return SpacesService(
        region=demo.region,
        endpoint_url=demo.endpoint_url,
        credentials=(c.access_key, c.secret_key, c.token),
        **kwargs,
    )


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


async def test_keys_from_the_credential_chain_sign_the_direct_road(
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
        await svc.call("ListDomains")
        through_botocore = await _botocore_calls(svc)
        listing = await svc.list_all()
        assert listing.spaces and through_botocore == [] and svc._direct.takes("ListSpaces")


# --- a refresh asks the known domains' pages beside ListDomains (listing.py) ----------------------


def _answered_before_list_domains(demo: DemoServer, op: str) -> int:
    order = list(demo.answered)
    return order[: order.index("ListDomains")].count(op)


async def test_a_refresh_asks_known_domains_pages_beside_list_domains(big_demo: DemoServer) -> None:
    big_demo.faults.latency_by_op = {"ListDomains": 0.3}  # every other call answers at once
    async with _service(big_demo) as svc:
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
    async with _service(big_demo) as svc:
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
    async with _service(demo) as svc:
        await svc.list_all()
        assert svc.fanned_out == []  # its spaces and apps fit the account-wide first pages
        demo.answered.clear()
        await svc.list_all()
    assert sorted(demo.answered) == sorted(["ListDomains", "ListSpaces", "ListApps", "ListUserProfiles"])


async def test_a_new_service_told_a_cached_listings_domains_asks_them_at_once(big_demo: DemoServer) -> None:
    async with _service(big_demo) as svc:
        cached = (await svc.list_all()).spaces
    big_demo.faults.latency_by_op = {"ListDomains": 0.3}
    async with _service(big_demo) as svc:  # as a new TUI with that listing in its cache
        svc.expect_domains([s.domain_id for s in cached])
        big_demo.answered.clear()
        listing = await svc.list_all()
    assert _answered_before_list_domains(big_demo, "ListSpaces") == 1 + 6
    assert _comparable(listing.spaces) == _comparable(cached)


async def test_a_small_cached_listing_is_not_asked_domain_by_domain(demo: DemoServer) -> None:
    async with _service(demo) as svc:
        cached = (await svc.list_all()).spaces
    async with _service(demo) as svc:
        svc.expect_domains([s.domain_id for s in cached])
        assert len(cached) <= 100 and svc.fanned_out == []


# --- proxies: the environment's, looked up once ------------------------------------------------


def test_env_proxy_follows_http_proxy_and_no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    from sm_spaces.aws.direct_pages import env_proxy

    for name in (
        "http_proxy",
        "https_proxy",
        "no_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "NO_PROXY",
        "ALL_PROXY",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    assert env_proxy("https://api.sagemaker.us-east-1.amazonaws.com/") is None
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    assert env_proxy("https://api.sagemaker.us-east-1.amazonaws.com/") == "http://proxy.internal:3128"
    assert env_proxy("http://127.0.0.1:8080/") is None  # HTTPS_PROXY is for https only
    monkeypatch.setenv("NO_PROXY", ".amazonaws.com")
    assert env_proxy("https://api.sagemaker.us-east-1.amazonaws.com/") is None


async def test_the_direct_road_goes_through_the_environments_proxy(big_demo: DemoServer, monkeypatch) -> None:
    import aiohttp
    from aiohttp import web

    forwarded: list[str] = []

    async def forward(request: web.Request) -> web.Response:  # a plain-HTTP forward proxy
        forwarded.append(request.headers.get("X-Amz-Target", ""))
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "proxy-connection")}
        async with (
            aiohttp.ClientSession() as http,
            http.request(
                request.method, str(request.url), data=await request.read(), headers=headers
            ) as answer,
        ):
            return web.Response(
                status=answer.status, body=await answer.read(), content_type=answer.content_type
            )

    proxy_app = web.Application()
    proxy_app.router.add_route("*", "/{tail:.*}", forward)
    runner = web.AppRunner(proxy_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        for name in ("no_proxy", "NO_PROXY"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
        async with _service(big_demo) as svc:
            listing = await svc.list_all()  # botocore proves the endpoint (through the proxy too)
            forwarded.clear()
            through_botocore = await _botocore_calls(svc)
            again = await svc.list_all()
            assert through_botocore == [] and svc._direct.takes("ListSpaces")
    finally:
        await runner.cleanup()
    assert len(listing.spaces) == len(again.spaces) == 6 * 30
    assert "SageMaker.ListSpaces" in forwarded and "SageMaker.ListApps" in forwarded
