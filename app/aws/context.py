"""Where the program can talk to: profiles of the AWS config, regions offering SageMaker, and a pool
of services (one per region) for a profile."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .clients import AwsSession, Keys
from .service import SpacesService


@lru_cache(maxsize=8)
def available_regions(partition: str = "aws") -> list[str]:
    """Regions where SageMaker is offered, from botocore's bundled endpoint data (no network)."""
    from botocore.session import Session

    return sorted(Session().get_available_regions("sagemaker", partition_name=partition))


def available_profiles() -> list[str]:
    """Profile names from ~/.aws/config and ~/.aws/credentials (or AWS_CONFIG_FILE & co)."""
    from botocore.session import Session

    try:
        return sorted(Session().available_profiles)
    except Exception:  # a malformed AWS config: show no profiles rather than crash
        return []


class ServicePool:
    """One SpacesService per region for a profile, created on first use and reused. They share one
    AwsSession: credentials are resolved, and SageMaker's service model loaded, once for all regions."""

    def __init__(
        self,
        profile: str | None,
        *,
        endpoint_url: str | None = None,
        credentials: Keys | None = None,
        session: AwsSession | None = None,
        **options: Any,
    ) -> None:
        self.session = session or AwsSession(profile, credentials)
        self.profile = self.session.profile
        self.endpoint_url = endpoint_url
        self._options = options
        self._services: dict[str, SpacesService] = {}

    def get(self, region: str) -> SpacesService:
        if region not in self._services:
            self._services[region] = SpacesService(
                region=region, endpoint_url=self.endpoint_url, session=self.session, **self._options
            )
        return self._services[region]

    async def aclose(self) -> None:
        services, self._services = list(self._services.values()), {}
        for svc in services:
            await svc.aclose()
