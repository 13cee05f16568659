"""aiobotocore sessions and clients: one session per profile, one client per service and region.

Creating a botocore client costs tens of milliseconds (loading the service model), so clients are
made once and reused for every call until the service is closed.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from typing import Any

from .errors import AwsError, translate

_REGION = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$")
# Standard retry mode rides out a transient 5xx or dropped connection; few attempts, so an endpoint
# that is down is reported within seconds. Throttling gets its own, longer retry loop (service.call).
_RETRIES = {"mode": "standard", "max_attempts": 3}


def check_region(region: str) -> str:
    if not _REGION.match(region):
        raise AwsError(
            f"{region!r} is not an AWS region name (for example us-east-1, eu-west-1)",
            kind="validation",
            fix="--region us-east-1",
        )
    return region


def default_region(profile: str | None) -> str | None:
    """The region the AWS CLI would use: env vars, then the profile's config."""
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if os.environ.get(var):
            return os.environ[var]
    from botocore.exceptions import ProfileNotFound
    from botocore.session import Session

    try:
        return Session(profile=profile).get_config_variable("region")
    except ProfileNotFound:
        raise AwsError(
            f"AWS profile {profile!r} is not in your AWS config; see `aws configure list-profiles`",
            kind="credentials",
            fix="aws configure list-profiles",
        ) from None
    except Exception:  # a broken config is reported by the first real call
        return None


def fast_timestamp(value: Any) -> datetime:
    """botocore's timestamp parser, minus its cost for the epoch numbers awsJson1.1 sends.

    botocore converts each one with dateutil's tzlocal (about 30 us); a listing of 10,000 spaces
    carries 25,000 of them, which made parsing, not the network, the bottleneck. The result is the
    same instant in the local zone; strings still go through botocore's own parser.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC).astimezone()
        except (OverflowError, OSError, ValueError):  # OSError would read as a network failure
            raise ValueError("timestamp out of range") from None
    from botocore.utils import parse_timestamp

    return parse_timestamp(value)


class Clients:
    """Lazily created, cached aiobotocore clients for one profile, region and endpoint."""

    def __init__(
        self,
        *,
        profile: str | None,
        region: str,
        endpoint_url: str | None = None,
        credentials: tuple[str, str, str | None] | None = None,
        max_pool: int = 32,
        connect_timeout: float = 10.0,
        read_timeout: float = 30.0,
        on_create: Callable[[Any], None] | None = None,
    ) -> None:
        self.profile = profile
        self.region = check_region(region)
        self.endpoint_url = endpoint_url
        self._credentials = credentials
        self._max_pool = max_pool
        self._timeouts = (connect_timeout, read_timeout)
        self._stack = AsyncExitStack()
        self._clients: dict[str, Any] = {}
        self._lock = asyncio.Lock()
        self._session: Any = None
        self._on_create = on_create  # e.g. to hook the new client's events, once per client

    @property
    def credentials(self) -> tuple[str, str, str | None] | None:
        """Keys handed in (the in-process demo); None when the botocore chain finds them."""
        return self._credentials

    async def get(self, service: str) -> Any:
        if service in self._clients:
            return self._clients[service]
        async with self._lock:
            if service not in self._clients:
                client = await self._create(service)
                if self._on_create is not None:
                    self._on_create(client)
                self._clients[service] = client
        return self._clients[service]

    async def _create(self, service: str) -> Any:
        from aiobotocore.config import AioConfig
        from aiobotocore.session import AioSession

        try:
            if self._session is None:
                # Credentials pass in memory only (the demo's per-run keys); never to disk.
                from .lean_parser import LeanParserFactory

                self._session = AioSession(profile=None if self._credentials else self.profile)
                parsers = LeanParserFactory()
                parsers.set_parser_defaults(timestamp_parser=fast_timestamp)
                self._session.register_component("response_parser_factory", parsers)
            kwargs: dict[str, Any] = {}
            if self._credentials:
                key, secret, token = self._credentials
                kwargs.update(aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token)
            config = AioConfig(
                retries=dict(_RETRIES),
                max_pool_connections=self._max_pool,
                connect_timeout=self._timeouts[0],
                read_timeout=self._timeouts[1],
                user_agent_extra="sm-spaces",
            )
            return await self._stack.enter_async_context(
                self._session.create_client(
                    service,
                    region_name=self.region,
                    endpoint_url=self.endpoint_url,
                    config=config,
                    **kwargs,
                )
            )
        except Exception as exc:
            raise translate(exc, profile=self.profile, endpoint=self.endpoint_url) from None

    @property
    def timeouts(self) -> tuple[float, float]:
        """(connect, read) seconds for every call."""
        return self._timeouts

    async def signing_credentials(self) -> Any:
        """The credentials this profile's clients sign with (botocore's chain, resolved once per
        session and refreshed by it), or the keys handed in; None when there are none."""
        if self._credentials:
            from botocore.credentials import Credentials

            return Credentials(*self._credentials)
        await self.get("sagemaker")  # creates the session the chain belongs to
        return await self._session.get_credentials()

    def scoped_config(self) -> dict[str, Any]:
        """The profile's settings from the AWS config files ({} for handed-in keys)."""
        if self._credentials or self._session is None:
            return {}
        return self._session.get_scoped_config()

    @property
    def uses_sso(self) -> bool:
        """Whether the profile logs in through IAM Identity Center (decides the fix we suggest)."""
        if self._credentials or self._session is None:
            return False
        try:
            config = self._session.get_scoped_config()
        except Exception:
            return False
        return bool(config.get("sso_session") or config.get("sso_start_url"))

    async def aclose(self) -> None:
        await self._stack.aclose()
        self._clients.clear()
