"""Shared fixtures: the simulated AWS account (app/demo) on 127.0.0.1, with zero transition delay.

Every test runs with the simulator's shape check on (SM_SPACES_DEMO_SHAPE_LOG): an answer outside
botocore's model fails the test that caused it.

Every test has settings and cache folders of its own (SM_SPACES_CONFIG_DIR, SM_SPACES_CACHE_DIR), never
the user's: `tmp_path / "config"` and `tmp_path / "cache"`, created by whoever writes there first; ask for
`own_dirs` to read them. Module-scoped fixtures (which set up before any one test) see folders shared by
the session instead. Subprocesses inherit the variables with os.environ.

Fixtures (stable: other test files rely on them)
- `demo` (async): a started `DemoServer` on the seeded account, `transition_delay=0`, so the next
  Describe/List after CreateApp/DeleteApp/UpdateSpace already shows the settled state.
  Flip `demo.faults.*` for latency, throttling, AccessDenied, expired tokens and 5xx;
  `demo.account.use_sso_user("maria.garcia")` makes the caller an Identity Center user.
- `boto_client` (async): an aiobotocore SageMaker client for `demo` (region us-east-1, no retries).
- `demo_thread` (sync): a `ThreadedDemo` (server on its own thread/loop) for sync code and subprocesses;
  `demo_thread.server` is the `DemoServer`.
- `demo_env` (sync): a full environment (os.environ with AWS_* cleared + `demo_thread.server.env()`,
  config and credential files pointed at absent paths) for running `sm-spaces`/boto in a subprocess.
- `served` (sync, module scope): `(server, env)` — one threaded DemoServer shared by a module's tests
  and the environment (os.environ without AWS_PROFILE, plus `server.env()`) for subprocesses.
- `make_botocore_client` (sync): `make_botocore_client(server, service="sagemaker", region=None, **config)`
  builds a plain synchronous botocore client for `server` (retries off unless `retries=` is given).
- `signed_call` (async helper): `await signed_call(server, "ListSpaces", {...}, region=..., service=...)`
  sends one raw SigV4-signed request (signed by botocore's signer) and returns (status, headers, body bytes).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from sm_spaces.demo.account import DemoAccount
from sm_spaces.demo.server import SHAPE_LOG_ENV, DemoServer, ThreadedDemo

from tests.own_dirs import OwnDirs, use_dirs

# Hypothesis's per-example deadline (200 ms) measures the machine, not the code: on a loaded
# two-core CI runner it fails correct tests. Examples still run; only the clock is off.
settings.register_profile("sm-spaces", deadline=None)
settings.load_profile("sm-spaces")

# Every simulator the suite starts, in this process or in a child (which inherits the environment),
# checks each of its answers against botocore's model and writes any mismatch to this file; the
# autouse fixture below fails the test during which one was written.
_OURS = not os.environ.get(SHAPE_LOG_ENV)
if _OURS:
    import tempfile

    _handle, _path = tempfile.mkstemp(prefix="sm-spaces-shape-problems-", suffix=".log")
    os.close(_handle)
    os.environ[SHAPE_LOG_ENV] = _path
SHAPE_LOG = Path(os.environ[SHAPE_LOG_ENV])


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _OURS:  # each failing test has quoted what it found; the file would only pile up in /tmp
        SHAPE_LOG.unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def answers_fit_botocore_shapes(request: pytest.FixtureRequest) -> Iterator[None]:
    before = SHAPE_LOG.stat().st_size if SHAPE_LOG.exists() else 0
    yield
    with open(SHAPE_LOG, encoding="utf-8") as log:
        log.seek(before)
        problems = log.read().strip()
    # A test marked non_aws_endpoint plays an endpoint that is not AWS (names AWS would refuse).
    if problems and request.node.get_closest_marker("non_aws_endpoint") is None:
        pytest.fail(f"the simulator answered outside botocore's shapes:\n{problems[:4000]}")


@pytest.fixture(scope="session", autouse=True)
def session_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OwnDirs]:
    # What module-scoped fixtures copy into their subprocesses' environment.
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield use_dirs(monkeypatch, tmp_path_factory.mktemp("sm-spaces-session"))


@pytest.fixture(autouse=True)
def own_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> OwnDirs:
    # The user's own settings (regions, profile, grouping) or cache would change what a test sees.
    return use_dirs(monkeypatch, tmp_path)


def client_kwargs(server: DemoServer, region: str | None = None) -> dict[str, Any]:
    creds = server.credentials
    return {
        "endpoint_url": server.endpoint_url,
        "region_name": region or server.region,
        "aws_access_key_id": creds.access_key,
        "aws_secret_access_key": creds.secret_key,
        "aws_session_token": creds.token,
    }


def botocore_client(
    server: DemoServer, service: str = "sagemaker", region: str | None = None, **config: Any
) -> Any:
    """A plain synchronous botocore client pointed at `server` (use it with `demo_thread`)."""
    import botocore.config
    import botocore.session

    cfg = botocore.config.Config(**({"retries": {"total_max_attempts": 1, "mode": "standard"}} | config))
    return botocore.session.Session().create_client(service, config=cfg, **client_kwargs(server, region))


@pytest.fixture
def make_botocore_client() -> Callable[..., Any]:
    return botocore_client


async def _signed_call(
    server: DemoServer,
    op: str,
    params: dict[str, Any] | None = None,
    *,
    region: str | None = None,
    service: str = "sagemaker",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    secret_key: str | None = None,
    access_key: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    import json

    import aiohttp
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    if body is None:
        body = json.dumps(params or {}).encode()
    all_headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"SageMaker.{op}"} | (
        headers or {}
    )
    request = AWSRequest(method="POST", url=server.endpoint_url + "/", data=body, headers=all_headers)
    creds = server.credentials
    SigV4Auth(
        Credentials(access_key or creds.access_key, secret_key or creds.secret_key, creds.token),
        service,
        region or server.region,
    ).add_auth(request)
    async with (
        aiohttp.ClientSession() as session,
        session.post(server.endpoint_url + "/", data=body, headers=dict(request.headers.items())) as rsp,
    ):
        return rsp.status, dict(rsp.headers), await rsp.read()


@pytest.fixture
def signed_call() -> Callable[..., Any]:
    return _signed_call


@pytest.fixture
async def demo() -> AsyncIterator[DemoServer]:
    async with DemoServer(DemoAccount.seeded(), transition_delay=0.0) as server:
        yield server


@pytest.fixture
async def boto_client(demo: DemoServer) -> AsyncIterator[Any]:
    import aiobotocore.config
    import aiobotocore.session

    config = aiobotocore.config.AioConfig(retries={"total_max_attempts": 1, "mode": "standard"})
    session = aiobotocore.session.get_session()
    async with session.create_client("sagemaker", config=config, **client_kwargs(demo)) as client:
        yield client


@pytest.fixture
def demo_thread() -> Iterator[ThreadedDemo]:
    handle = DemoServer(DemoAccount.seeded(), transition_delay=0.0).start_in_thread()
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[DemoServer, dict[str, str]]]:
    handle = DemoServer(DemoAccount.seeded(), transition_delay=0.0).start_in_thread()
    env = dict(os.environ)
    env.pop("AWS_PROFILE", None)
    env.update(handle.server.env())
    try:
        yield handle.server, env
    finally:
        handle.stop()


@pytest.fixture
def demo_env(demo_thread: ThreadedDemo, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(demo_thread.server.env())
    env["AWS_CONFIG_FILE"] = str(tmp_path / "aws-config-absent")
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp_path / "aws-credentials-absent")
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    return env
