"""Faults injected into the simulated account, seen end to end through the service and the CLI.

Real aiobotocore over real HTTP on 127.0.0.1; the simulated account misbehaves on purpose
(app/demo/faults.py). Complements tests/test_aws_service.py (30 % throttling, AccessDenied,
expired credentials, a closed port) with heavier and other faults.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator

import pytest
from sm_spaces.aws.clients import DEFAULT_MAX_ATTEMPTS
from sm_spaces.aws.errors import AwsError
from sm_spaces.aws.service import SpacesService
from sm_spaces.demo.server import DemoServer
from sm_spaces.model import SpaceStatus

from tests.demo_service import demo_service
from tests.reliability_log import record

SM = [sys.executable, "-m", "sm_spaces"]


def _service(demo: DemoServer, **options: object) -> SpacesService:
    return demo_service(demo, poll_interval=0.01, **options)


@pytest.fixture
async def svc(demo: DemoServer) -> AsyncIterator[SpacesService]:
    service = _service(demo)
    yield service
    await service.aclose()


def _view(listing: object) -> list[tuple]:
    return sorted(
        (s.domain_id, s.name, s.status, s.instance_type, s.owner, s.remote_access) for s in listing.spaces
    )  # type: ignore[attr-defined]


# --- throttling and 5xx ------------------------------------------------------------------------


async def _throttled_listings(demo: DemoServer, svc: SpacesService, rounds: int, name: str) -> None:
    expected = _view(await svc.list_all())
    demo.faults.throttle_rate = 0.5
    for _ in range(rounds):
        assert _view(await svc.list_all()) == expected
    assert (
        demo.faults.throttled >= rounds
    )  # (the seeded draw throttles about half of some 10 calls per listing)
    record(name, listings=rounds, throttled_calls=demo.faults.throttled, result="complete, identical")


async def test_half_of_all_calls_throttled_listing_completes_and_is_correct(
    demo: DemoServer, svc: SpacesService
) -> None:
    await _throttled_listings(demo, svc, 1, "faults.throttle_50")


@pytest.mark.fuzz
async def test_half_of_all_calls_throttled_many_listings(demo: DemoServer, svc: SpacesService) -> None:
    await _throttled_listings(demo, svc, 20, "faults.throttle_50.long")


async def _bursts(demo: DemoServer, svc: SpacesService, bursts: int, name: str) -> None:
    """Bursts no longer than botocore's retry budget (3 retries) never fail a listing: each call
    meets at most the whole burst."""
    expected = _view(await svc.list_all())
    for i in range(bursts):
        demo.faults.error_status = 503 if i % 2 else 500
        demo.faults.error_burst = 3
        assert _view(await svc.list_all()) == expected
        assert demo.faults.error_burst == 0  # the burst really hit this listing
    assert demo.faults.errored == 3 * bursts
    record(name, bursts=bursts, errors=demo.faults.errored, result="complete, identical")


async def test_short_5xx_bursts_are_ridden_out(demo: DemoServer, svc: SpacesService) -> None:
    await _bursts(demo, svc, 2, "faults.5xx_bursts")


@pytest.mark.fuzz
async def test_many_short_5xx_bursts(demo: DemoServer, svc: SpacesService) -> None:
    await _bursts(demo, svc, 20, "faults.5xx_bursts.long")


async def test_long_5xx_outage_is_one_line_then_recovers(demo: DemoServer, svc: SpacesService) -> None:
    expected = _view(await svc.list_all())
    demo.faults.error_burst = 10_000  # every call fails until switched off
    with pytest.raises(AwsError) as err:
        await svc.list_all()
    text = str(err.value)
    assert "\n" not in text and "InternalFailure" in text and err.value.kind == "service"
    failed = demo.faults.errored
    demo.faults.error_burst = 0
    assert _view(await svc.list_all()) == expected
    record("faults.5xx_outage", errors=failed, message=text, result="one line, then recovered")


async def test_5xx_on_start_and_stop_calls_still_reach_the_right_state(
    demo: DemoServer, svc: SpacesService
) -> None:
    demo.faults.error_ops = {"CreateApp", "DeleteApp", "DescribeApp", "DescribeSpace", "ListApps"}
    demo.faults.error_burst = 2
    started = await svc.start_space("d-mlplatf0rm01", "feature-store-dev")
    assert started.status is SpaceStatus.RUNNING
    demo.faults.error_burst = 2
    stopped = await svc.stop_space("d-mlplatf0rm01", "feature-store-dev")
    assert stopped.status is SpaceStatus.STOPPED
    assert demo.faults.errored == 4


# --- an endpoint that accepts connections and never answers ---------------------------------------

MAX_SILENT_CONNECTIONS = 4 * DEFAULT_MAX_ATTEMPTS


class SilentEndpoint:
    """A TCP server on 127.0.0.1 that accepts, reads, and never writes a byte."""

    def __init__(self) -> None:
        self.accepted = 0
        self._writers: list[asyncio.StreamWriter] = []
        self._server: asyncio.AbstractServer | None = None
        self.url = ""

    async def _hold(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        self._writers.append(writer)
        while await reader.read(65536):
            pass

    async def __aenter__(self) -> SilentEndpoint:
        self._server = await asyncio.start_server(self._hold, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        for writer in self._writers:
            writer.close()
        assert self._server is not None
        self._server.close()


async def test_silent_endpoint_ends_in_a_clear_message_within_the_configured_timeout() -> None:
    async with (
        SilentEndpoint() as silent,
        SpacesService(
            region="us-east-1",
            endpoint_url=silent.url,
            credentials=("AKIDSILENT", "s" * 40, None),
            connect_timeout=0.2,
            read_timeout=0.2,
        ) as svc,
    ):
        # The guard only turns a hang into a failure; the assertion is on what happened.
        with pytest.raises(AwsError) as err:
            await asyncio.wait_for(svc.list_all(), 120)
    text = str(err.value)
    assert err.value.kind == "endpoint" and silent.url in text and "did not answer in time" in text
    assert "\n" not in text
    # Bounded: the listing's first round (ListDomains and the account-wide first pages, at most four
    # calls at once), each tried as often as botocore's retries allow, each given up after read_timeout.
    assert 1 <= silent.accepted <= MAX_SILENT_CONNECTIONS
    record("faults.silent_endpoint", layer="service", connections=silent.accepted, message=text)


def test_silent_endpoint_cli_honours_the_timeout_setting(tmp_path: object) -> None:
    async def scenario() -> tuple[subprocess.CompletedProcess, int]:
        async with SilentEndpoint() as silent:
            env = dict(
                os.environ,
                AWS_ACCESS_KEY_ID="AKIDSILENT",
                AWS_SECRET_ACCESS_KEY="s" * 40,
                AWS_CONFIG_FILE=os.devnull,
                AWS_SHARED_CREDENTIALS_FILE=os.devnull,
                SM_SPACES_CONNECT_TIMEOUT="0.2",
                SM_SPACES_READ_TIMEOUT="0.2",
            )
            env.pop("AWS_PROFILE", None)
            proc = await asyncio.create_subprocess_exec(
                *SM,
                "--region",
                "us-east-1",
                "--endpoint-url",
                silent.url,
                "list",
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            out, err = await asyncio.wait_for(proc.communicate(), 120)
            done = subprocess.CompletedProcess([], proc.returncode or 0, out.decode(), err.decode())
            return done, silent.accepted

    proc, accepted = asyncio.run(scenario())
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1 and len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "did not answer in time" in lines[0] and "SM_SPACES_READ_TIMEOUT" in lines[0]
    assert 1 <= accepted <= MAX_SILENT_CONNECTIONS
    record("faults.silent_endpoint", layer="cli", connections=accepted, message=lines[0])


def test_bad_timeout_setting_is_a_clear_error() -> None:
    env = dict(os.environ, SM_SPACES_READ_TIMEOUT="soon", AWS_ACCESS_KEY_ID="A", AWS_SECRET_ACCESS_KEY="B")
    proc = subprocess.run(
        [*SM, "--region", "us-east-1", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode != 0 and "SM_SPACES_READ_TIMEOUT='soon'" in proc.stderr
    assert "Traceback" not in proc.stderr


# --- a space that fails while starting ------------------------------------------------------------


async def test_space_failing_while_starting_is_reported_and_listed_failed(
    demo: DemoServer, svc: SpacesService
) -> None:
    space = await svc.find_space("custom-image-test")
    assert space.status is SpaceStatus.STOPPED
    seen: list[SpaceStatus] = []
    with pytest.raises(AwsError) as err:
        await svc.start_space(space.domain_id, space.name, progress=lambda s: seen.append(s.status))
    assert "custom-image-test failed while starting" in str(err.value)
    assert (await svc.describe_space(space.domain_id, space.name)).status is SpaceStatus.FAILED
    assert (await svc.find_space("custom-image-test")).status is SpaceStatus.FAILED
    # The rest of the account is untouched.
    assert (await svc.find_space("fraud-detection")).status is SpaceStatus.RUNNING


def test_space_failing_while_starting_cli_exits_1_with_one_line() -> None:
    proc = subprocess.run(
        [*SM, "--demo", "start", "custom-image-test"],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert lines and "custom-image-test failed while starting" in lines[-1]
    record("faults.failed_start", layer="cli", exit_code=proc.returncode, message=lines[-1])
