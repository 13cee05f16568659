"""Shared fixtures: the simulated AWS account (app/demo) on 127.0.0.1, with zero transition delay.

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
Helpers: `botocore_client(server, service="sagemaker", region=None, **config)` -> sync botocore client
(from tests.conftest import botocore_client is avoided: use the `make_botocore_client` fixture).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.demo.account import DemoAccount
from app.demo.server import DemoServer, ThreadedDemo


def client_kwargs(server: DemoServer, region: str | None = None) -> dict[str, Any]:
    creds = server.credentials
    return {
        "endpoint_url": server.endpoint_url,
        "region_name": region or server.region,
        "aws_access_key_id": creds.access_key,
        "aws_secret_access_key": creds.secret_key,
        "aws_session_token": creds.token,
    }


def botocore_client(server: DemoServer, service: str = "sagemaker", region: str | None = None, **config: Any) -> Any:
    """A plain synchronous botocore client pointed at `server` (use it with `demo_thread`)."""
    import botocore.config
    import botocore.session

    cfg = botocore.config.Config(**({"retries": {"max_attempts": 1, "mode": "standard"}} | config))
    return botocore.session.Session().create_client(service, config=cfg, **client_kwargs(server, region))


@pytest.fixture
def make_botocore_client() -> Callable[..., Any]:
    return botocore_client


@pytest.fixture
async def demo() -> AsyncIterator[DemoServer]:
    async with DemoServer(DemoAccount.seeded(), transition_delay=0.0) as server:
        yield server


@pytest.fixture
async def boto_client(demo: DemoServer) -> AsyncIterator[Any]:
    import aiobotocore.config
    import aiobotocore.session

    config = aiobotocore.config.AioConfig(retries={"max_attempts": 1, "mode": "standard"})
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


@pytest.fixture
def demo_env(demo_thread: ThreadedDemo, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(demo_thread.server.env())
    env["AWS_CONFIG_FILE"] = str(tmp_path / "aws-config-absent")
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp_path / "aws-credentials-absent")
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    return env
