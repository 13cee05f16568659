"""Our own SpacesService pointed at a simulated account, for tests that check or drive it from
outside the code under test (the TUI, a command) or test the service itself."""

from __future__ import annotations

from typing import Any

from sm_spaces.aws.service import SpacesService
from sm_spaces.demo.server import DemoServer
from sm_spaces.model import Space


def demo_service(server: DemoServer, region: str | None = None, **options: Any) -> SpacesService:
    """A SpacesService on `server`'s endpoint with its keys, in `region` (default: the server's);
    `options` go to SpacesService (poll_interval, timeouts, retries)."""
    c = server.credentials
    return SpacesService(
        region=region or server.region,
        endpoint_url=server.endpoint_url,
        credentials=(c.access_key, c.secret_key, c.token),
        **options,
    )


async def find_space(server: DemoServer, name: str) -> Space:
    """The space called `name` as the account holds it now (a fresh service: nothing cached)."""
    async with demo_service(server) as svc:
        return await svc.find_space(name)
