"""One retry layer, botocore's, and a bound on calls in flight; observed from the simulated account's
side (how many calls it answered, how many it held at once), over real HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest
from sm_spaces.aws.clients import DEFAULT_MAX_ATTEMPTS, DEFAULT_RETRY_MODE
from sm_spaces.aws.errors import AwsError
from sm_spaces.aws.service import SpacesService
from sm_spaces.demo.account import DemoAccount
from sm_spaces.demo.server import DemoServer

from tests.demo_service import demo_service


@pytest.fixture(autouse=True)
def no_user_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No AWS config, credentials file or retry setting from the machine running the tests."""
    for name in ("AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE", "AWS_PROFILE", "AWS_DEFAULTS_MODE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "absent-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "absent-credentials"))


def _profile(demo: DemoServer, folder: Path, monkeypatch: pytest.MonkeyPatch, settings: str) -> str:
    """A profile "sim" in an AWS config file of its own, holding the simulator's keys and `settings`."""
    c = demo.credentials
    token = f"aws_session_token = {c.token}\n" if c.token else ""
    config = folder / "config"
    config.write_text(
        "[profile sim]\n"
        f"region = {demo.region}\n"
        f"aws_access_key_id = {c.access_key}\naws_secret_access_key = {c.secret_key}\n{token}{settings}"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    return "sim"


async def _attempts_at_one_throttled_call(demo: DemoServer, svc: SpacesService) -> int:
    """How many times the simulator was asked for one ListDomains call it always throttles."""
    demo.faults.throttle_rate = 1.0
    demo.faults.throttle_ops = {"ListDomains"}
    demo.answered.clear()
    with pytest.raises(AwsError) as refused:
        await svc.call("ListDomains")
    assert refused.value.kind == "throttled" and "\n" not in str(refused.value)
    return list(demo.answered).count("ListDomains")


# --- retries ------------------------------------------------------------------------------------


@pytest.fixture
async def big_demo():
    """Six domains of 30 spaces: the listing fans out into a dozen calls at once."""
    async with DemoServer(DemoAccount.generate(6, 30, seed=3)) as server:
        yield server


async def test_throttled_calls_are_retried_by_botocore_and_the_listing_completes(
    big_demo: DemoServer,
) -> None:
    async with demo_service(big_demo) as svc:
        clean = await svc.list_all()
    calls = len(big_demo.answered)
    big_demo.answered.clear()
    # The next four calls are throttled: even if they all land on one call, its fifth attempt passes.
    big_demo.faults.throttle_burst = DEFAULT_MAX_ATTEMPTS - 1
    async with demo_service(big_demo) as svc:
        throttled = await svc.list_all()
    assert big_demo.faults.throttled == DEFAULT_MAX_ATTEMPTS - 1
    assert len(big_demo.answered) == calls + DEFAULT_MAX_ATTEMPTS - 1  # each throttle asked again once
    assert [s.name for s in throttled.spaces] == [s.name for s in clean.spaces]
    assert len(throttled.spaces) == 6 * 30


async def test_max_attempts_from_the_aws_config_profile_is_honoured(
    demo: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = _profile(demo, tmp_path, monkeypatch, "max_attempts = 2\n")
    async with SpacesService(profile=profile, endpoint_url=demo.endpoint_url) as svc:
        assert await _attempts_at_one_throttled_call(demo, svc) == 2
        assert not svc.uses_explicit_credentials  # the profile's keys signed these calls


async def test_aws_max_attempts_from_the_environment_is_honoured(
    demo: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "3")
    async with demo_service(demo) as svc:
        assert await _attempts_at_one_throttled_call(demo, svc) == 3


async def test_the_environment_wins_over_the_profile_as_in_botocore(
    demo: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = _profile(demo, tmp_path, monkeypatch, "max_attempts = 4\n")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    async with SpacesService(profile=profile, endpoint_url=demo.endpoint_url) as svc:
        assert await _attempts_at_one_throttled_call(demo, svc) == 1


async def test_our_defaults_apply_only_where_the_user_set_nothing(
    demo: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo_service(demo) as plain:
        assert (plain.session.retry_mode, plain.session.max_attempts) == (
            DEFAULT_RETRY_MODE,
            DEFAULT_MAX_ATTEMPTS,
        )
    profile = _profile(demo, tmp_path, monkeypatch, "retry_mode = standard\n")
    async with SpacesService(profile=profile, endpoint_url=demo.endpoint_url) as configured:
        assert (configured.session.retry_mode, configured.session.max_attempts) == (
            "standard",
            DEFAULT_MAX_ATTEMPTS,
        )
        assert len((await configured.list_all()).spaces) >= 20  # standard mode lists as well
    monkeypatch.setenv("AWS_RETRY_MODE", "legacy")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "7")
    async with demo_service(demo) as from_env:
        assert (from_env.session.retry_mode, from_env.session.max_attempts) == ("legacy", 7)


# --- calls in flight ----------------------------------------------------------------------------


async def test_calls_in_flight_are_bounded(big_demo: DemoServer) -> None:
    big_demo.faults.latency = 0.05  # so that the fan-out's calls overlap at the simulator
    async with demo_service(big_demo, max_concurrency=4) as svc:
        listing = await svc.list_all()
    assert len(listing.spaces) == 6 * 30
    assert big_demo.peak_in_flight == 4  # reached, never passed
    big_demo.peak_in_flight = 0
    async with demo_service(big_demo) as unbounded_here:  # 32: more than this listing ever asks at once
        await unbounded_here.list_all()
    assert big_demo.peak_in_flight > 4
