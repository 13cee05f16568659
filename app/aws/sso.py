"""IAM Identity Center, as the AWS CLI uses it: the accounts and roles an `aws sso login` session
reaches, and a role's temporary keys, resolved in memory when first needed and again before they
expire (never written anywhere).

The login is the profile's: its `sso_session` (or the older `sso_start_url`/`sso_region` keys)
names the token `aws sso login` cached in ~/.aws/sso/cache. A token of an sso-session is read by
aiobotocore's SSO token provider (botocore.tokens.SSOTokenProvider), which also refreshes it with
its refresh token as the CLI does; an older profile's token by botocore's SSOTokenLoader. The
portal's calls (ListAccounts, ListAccountRoles, GetRoleCredentials) go through botocore's `sso`
client, unsigned as its model says: the bearer token is their whole authorisation.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .errors import AwsError

if TYPE_CHECKING:
    from .clients import AwsSession

DEFAULT_CACHE = os.path.join("~", ".aws", "sso", "cache")  # where `aws sso login` leaves its token


def sso_expired(profile: str) -> AwsError:
    """The one line for a login that has ended (or never began), with the command that renews it."""
    fix = f"aws sso login --profile {profile}"
    return AwsError(
        f"the SSO session for profile {profile} has expired or was never started: run `{fix}`",
        kind="credentials",
        fix=fix,
    )


@dataclass(frozen=True)
class SsoLogin:
    """Where a profile's Identity Center login lives and how its portal is reached."""

    profile: str  # named in `aws sso login --profile …`
    start_url: str
    region: str  # the portal's region (sso_region)
    session_name: str | None  # the sso-session's name; None for a profile of the older form
    role_name: str | None = None  # the profile's own sso_role_name: preferred where an account has it
    config_file: str | None = None  # another AWS config file than the user's (the demo's)
    cache_dir: str | None = None  # another token cache than ~/.aws/sso/cache (the demo's)
    endpoint_url: str | None = None  # another portal endpoint than AWS's (the demo's)


def login_of(profile: str, *, config_file: str | None = None, **where: Any) -> SsoLogin | None:
    """The profile's Identity Center login, or None when the profile signs in otherwise.
    Raises AwsError for a profile missing from the AWS config."""
    from botocore.session import Session

    session = Session()
    if config_file:
        session.set_config_variable("config_file", config_file)
    config = session.full_config
    settings = config.get("profiles", {}).get(profile)
    if settings is None:
        raise AwsError(
            f"AWS profile {profile!r} is not in your AWS config; see `aws configure list-profiles`",
            kind="credentials",
            fix="aws configure list-profiles",
        )
    name = settings.get("sso_session")
    source = config.get("sso_sessions", {}).get(name, {}) if name else settings
    start_url, region = source.get("sso_start_url"), source.get("sso_region")
    if not start_url or not region:
        return None
    return SsoLogin(
        profile, start_url, region, name, settings.get("sso_role_name"), config_file=config_file, **where
    )


async def access_token(login: SsoLogin, session: AwsSession) -> str:
    """The login's bearer token, refreshed when the sso-session allows it; AwsError when it has
    expired (the one line with `aws sso login`)."""
    from botocore import exceptions as bce
    from botocore.utils import JSONFileCache

    cache = JSONFileCache(_cache_dir(login))
    try:
        if login.session_name is not None:
            from aiobotocore.tokens import AioSSOTokenProvider

            provider = AioSSOTokenProvider(session.botocore, cache=cache, profile_name=login.profile)
            token = provider.load_token()
            if token is None:
                raise sso_expired(login.profile)
            frozen = await token.get_frozen_token()
            return str(frozen.token)
        from botocore.utils import SSOTokenLoader

        found = SSOTokenLoader(cache=cache)(login.start_url)
    except (bce.SSOTokenLoadError, bce.TokenRetrievalError, bce.UnauthorizedSSOTokenError):
        raise sso_expired(login.profile) from None
    if _expiry(found.get("expiresAt")) <= datetime.now(UTC):
        raise sso_expired(login.profile)
    return str(found["accessToken"])


def _cache_dir(login: SsoLogin) -> str:
    return os.path.expanduser(login.cache_dir or DEFAULT_CACHE)


def _expiry(text: object) -> datetime:
    try:
        when = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)  # unreadable: as good as expired
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Assignment:
    """An account the login reaches, and the roles it may take there."""

    account_id: str
    name: str
    roles: tuple[str, ...]

    def role_for(self, login: SsoLogin) -> str | None:
        """The profile's own role where the account has it, else the first by name."""
        if login.role_name in self.roles:
            return login.role_name
        return min(self.roles) if self.roles else None


class Portal:
    """The login's portal calls, through one unsigned `sso` client of `session`."""

    def __init__(self, login: SsoLogin, session: AwsSession) -> None:
        self.login = login
        self.session = session

    async def _call(self, op: str, **params: Any) -> dict[str, Any]:
        from aiobotocore.config import AioConfig
        from botocore import UNSIGNED, xform_name

        from .errors import translate

        token = await access_token(self.login, self.session)
        config = AioConfig(signature_version=UNSIGNED, user_agent_extra="sm-spaces")
        try:
            async with self.session.botocore.create_client(
                "sso", region_name=self.login.region, endpoint_url=self.login.endpoint_url, config=config
            ) as client:
                answer: dict[str, Any] = await getattr(client, xform_name(op))(accessToken=token, **params)
                return answer
        except Exception as exc:
            code = _code(exc)
            if code == "UnauthorizedException":
                raise sso_expired(self.login.profile) from None
            raise translate(exc, operation=op, profile=self.login.profile, sso=True) from None

    async def _pages(self, op: str, key: str, **params: Any) -> list[dict]:
        items: list[dict] = []
        token: str | None = None
        while True:
            page = await self._call(op, **params, **({"nextToken": token} if token else {}))
            items.extend(i for i in page.get(key) or [] if isinstance(i, dict))
            token = page.get("nextToken")
            if not token:
                return items

    async def assignments(self) -> list[Assignment]:
        """Every account the login reaches, with its roles (ListAccounts, then each account's
        ListAccountRoles at once), sorted by account name."""
        import asyncio

        accounts = await self._pages("ListAccounts", "accountList", maxResults=100)
        roles = await asyncio.gather(
            *(
                self._pages("ListAccountRoles", "roleList", accountId=a["accountId"], maxResults=100)
                for a in accounts
            )
        )
        found = [
            Assignment(
                str(a.get("accountId", "")),
                str(a.get("accountName") or a.get("accountId", "")),
                tuple(sorted(str(r["roleName"]) for r in rs if r.get("roleName"))),
            )
            for a, rs in zip(accounts, roles, strict=True)
        ]
        return sorted(found, key=lambda a: (a.name.lower(), a.account_id))

    async def role_keys(self, account_id: str, role: str) -> dict[str, str]:
        """GetRoleCredentials, as the metadata aiobotocore's refreshable credentials take."""
        answer = await self._call("GetRoleCredentials", accountId=account_id, roleName=role)
        keys = answer.get("roleCredentials") or {}
        expires = datetime.fromtimestamp(int(keys.get("expiration") or 0) / 1000, UTC)
        return {
            "access_key": str(keys.get("accessKeyId", "")),
            "secret_key": str(keys.get("secretAccessKey", "")),
            "token": str(keys.get("sessionToken", "")),
            "expiry_time": expires.isoformat(),
        }


def _code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    error = response.get("Error", {}) if isinstance(response, dict) else {}
    return str(error.get("Code", ""))


def role_credential_provider(portal: Portal, account_id: str, role: str) -> Any:
    """An aiobotocore credential provider whose keys are the role's, fetched from the portal when
    first needed and again before they expire (aiobotocore's refreshable credentials), in memory."""
    from aiobotocore.credentials import AioRefreshableCredentials
    from botocore.credentials import CredentialProvider

    # aiobotocore's own providers are botocore's with an async load(), which its resolver awaits.
    class RoleKeys(CredentialProvider):
        METHOD = "sm-spaces-sso"
        CANONICAL_NAME = "sm-spaces-sso"

        async def load(self) -> Any:
            async def fetch() -> dict[str, str]:
                return await portal.role_keys(account_id, role)

            return AioRefreshableCredentials.create_from_metadata(await fetch(), fetch, self.METHOD)

    return RoleKeys()
