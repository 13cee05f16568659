"""The SageMaker service as the rest of the program sees it: async methods returning model objects.

One instance per profile and region; its clients are created once and reused. Every botocore
failure leaves here as an AwsError carrying one actionable line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..model import App, Domain, Space
from ..safe_text import safe_text
from ..space_changes import IdleBounds, NewSpace, SpaceEdit, SpaceOptions
from . import lifecycle, listing, parse, space_admin
from .clients import AwsSession, Clients, Keys
from .errors import AwsError, translate
from .listing import Listing

if TYPE_CHECKING:
    from .session_start import WaitNotice

Progress = Callable[[Space], None] | None

# Seconds to wait for a connection and for each answer; the CLI, the TUI and ssh-proxy all honour them.
CONNECT_TIMEOUT_ENV = "SM_SPACES_CONNECT_TIMEOUT"
READ_TIMEOUT_ENV = "SM_SPACES_READ_TIMEOUT"


def _timeout_from_env(name: str, default: float) -> float:
    import os

    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        raise AwsError(f"{name}={text!r} is not a number of seconds between 0 and 3600", kind="validation")
    return value


__all__ = ["Caller", "Listing", "SessionInfo", "SpacesService"]


@dataclass(frozen=True)
class Caller:
    account: str
    arn: str
    user_id: str
    partition: str = "aws"

    @property
    def sso_user(self) -> str | None:
        """The Identity Center user behind an AWSReservedSSO_* role session, if that is who calls."""
        parts = self.arn.split(":", 5)
        resource = parts[5] if len(parts) == 6 else ""
        pieces = resource.split("/")
        if len(pieces) == 3 and pieces[0] == "assumed-role" and pieces[1].startswith("AWSReservedSSO_"):
            return pieces[2]
        return None

    @property
    def display(self) -> str:
        return self.arn.rsplit("/", 1)[-1] if "/" in self.arn else self.arn.rsplit(":", 1)[-1]


@dataclass(frozen=True)
class SessionInfo:
    session_id: str
    stream_url: str
    token: str

    def __repr__(self) -> str:  # the token is a credential: keep it out of logs and tracebacks
        return f"SessionInfo(session_id={self.session_id!r}, stream_url=<hidden>, token=<hidden>)"


class SpacesService:
    """One region of one profile (or of handed-in keys). Services of several regions made with
    `in_region` (or a ServicePool) share one AwsSession: one credential chain, one service model.
    Given a `session`, the profile and keys are the session's and the arguments for them unused."""

    def __init__(
        self,
        *,
        profile: str | None = None,
        region: str | None = None,
        endpoint_url: str | None = None,
        credentials: Keys | None = None,
        max_concurrency: int = 32,
        poll_interval: float = 2.0,
        wait_timeout: float = 900.0,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
        session: AwsSession | None = None,
    ) -> None:
        from .clients import default_region

        session = session or AwsSession(profile, credentials)
        region = region or default_region(session.profile)
        if not region:
            raise AwsError("no AWS region is set; pass --region or set AWS_REGION", kind="validation")
        self.session = session
        self.profile = session.profile
        self.region = region
        self.endpoint_url = endpoint_url
        self.poll_interval = poll_interval
        self.wait_timeout = wait_timeout
        self.max_concurrency = max_concurrency
        # At most this many calls in flight; botocore's retries (and their back-off) happen inside a
        # call, so a throttled call keeps its slot while it waits to try again.
        self._in_flight = asyncio.Semaphore(max_concurrency)
        self._clients = Clients(
            session,
            region=region,
            endpoint_url=endpoint_url,
            max_pool=max_concurrency,
            connect_timeout=connect_timeout
            if connect_timeout is not None
            else _timeout_from_env(CONNECT_TIMEOUT_ENV, 10.0),
            read_timeout=read_timeout
            if read_timeout is not None
            else _timeout_from_env(READ_TIMEOUT_ENV, 30.0),
        )
        self._domains: dict[str, Domain] = {}
        # Domains whose pages the last listing had to ask one by one (the account-wide first pages
        # did not hold everything): a refresh asks them beside ListDomains (listing.py).
        self.fanned_out: list[str] = []

    def in_region(self, region: str) -> SpacesService:
        """A service for another region with the same session, endpoint and settings."""
        connect, read = self.timeouts
        return SpacesService(
            region=region,
            endpoint_url=self.endpoint_url,
            max_concurrency=self.max_concurrency,
            poll_interval=self.poll_interval,
            wait_timeout=self.wait_timeout,
            connect_timeout=connect,
            read_timeout=read,
            session=self.session,
        )

    # --- plumbing ---------------------------------------------------------------------------

    async def call(self, op: str, *, service: str = "sagemaker", **params: Any) -> dict[str, Any]:
        """One API call through the service's aiobotocore client (with botocore's retries), at most
        `max_concurrency` at once; failures become AwsError."""
        from botocore import xform_name

        client = await self.client(service)
        async with self._in_flight:
            try:
                result: dict[str, Any] = await getattr(client, xform_name(op))(**params)
            except Exception as exc:
                raise self._translate(exc, op, service, params) from None
        return result

    def _translate(self, exc: Exception, op: str, service: str, params: dict[str, Any]) -> AwsError:
        return translate(
            exc,
            operation=op,
            profile=self.profile,
            sso=self.session.uses_sso,
            endpoint=self.endpoint_url or f"the {service} endpoint in {self.region}",
            space=params.get("SpaceName"),
            domain=params.get("DomainId"),
        )

    async def client(self, service: str = "sagemaker") -> Any:
        """This region's aiobotocore client for `service` (made on first use), e.g. to observe
        botocore's events."""
        return await self._clients.get(service)

    @property
    def credentials(self) -> Keys | None:
        return self.session.credentials

    @property
    def uses_explicit_credentials(self) -> bool:
        """Keys handed in (the in-process demo) rather than found by the botocore chain."""
        return self.session.credentials is not None

    @property
    def timeouts(self) -> tuple[float, float]:
        """(connect, read) seconds, as every call of this service uses them."""
        return self._clients.timeouts

    async def aclose(self) -> None:
        await self._clients.aclose()

    async def __aenter__(self) -> SpacesService:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # --- who and what -------------------------------------------------------------------------

    async def caller(self) -> Caller:
        answer = await self.call("GetCallerIdentity", service="sts")
        account, arn, user = (safe_text(str(answer.get(k, ""))) for k in ("Account", "Arn", "UserId"))
        partition = arn.split(":")[1] if arn.count(":") >= 5 else "aws"
        return Caller(account, arn, user, partition)

    async def list_all(self, *, sso_users: bool = False) -> Listing:
        return await listing.list_all(self, sso_users=sso_users)

    def expect_domains(self, domain_of_each_space: list[str]) -> None:
        """Before any listing has run here: the domains of a cached listing's spaces, which the next
        listing asks beside ListDomains when they are too many for the account-wide first page."""
        if not self.fanned_out and len(domain_of_each_space) > listing.PAGE:
            self.fanned_out = sorted(set(domain_of_each_space))

    def remember_domains(self, domains: list[Domain]) -> None:
        self._domains.update((d.domain_id, d) for d in domains)

    async def domain(self, domain_id: str) -> Domain:
        if domain_id not in self._domains:
            desc = await self.call("DescribeDomain", DomainId=domain_id)
            self._domains[domain_id] = parse.domain(desc, self.region)
        return self._domains[domain_id]

    async def find_space(self, name: str, domain: str | None = None) -> Space:
        """The one space called `name` (in `domain`, an id or a name, when given)."""
        spaces = [s for s in (await self.list_all()).spaces if s.name == name]
        if domain:
            spaces = [s for s in spaces if domain in (s.domain_id, s.domain_name)]
        if not spaces:
            where = f" in domain {domain}" if domain else ""
            raise AwsError(
                f"no space named {name!r}{where} in {self.region}; run `sm-spaces list` to see them",
                kind="not_found",
            )
        if len(spaces) > 1:
            domains = ", ".join(s.domain_id for s in spaces)
            raise AwsError(
                f"{len(spaces)} spaces are named {name!r} (domains {domains}); pass --domain",
                kind="validation",
            )
        return spaces[0]

    async def describe_space(self, domain_id: str, space_name: str) -> Space:
        desc, app, dom = await asyncio.gather(
            self.call("DescribeSpace", DomainId=domain_id, SpaceName=space_name),
            self.current_app(domain_id, space_name),
            self.domain(domain_id),
        )
        partition, account = parse.arn_account(desc.get("SpaceArn") or dom.arn)
        space = parse.space_detail(desc, dom, account, partition, app)
        from ..model import alias_for

        return space.with_alias(alias_for(space.name))

    async def current_app(self, domain_id: str, space_name: str) -> App | None:
        items = await listing.paginate(
            self, "ListApps", "Apps", DomainIdEquals=domain_id, SpaceNameEquals=space_name
        )
        return parse.pick_app([a for a in map(parse.app, items) if a is not None])

    async def idle_bounds(self, domain_id: str, owner: str | None, app_type: str | None = None) -> IdleBounds:
        if app_type is None:
            app_type = "JupyterLab"
        dom = await self.call("DescribeDomain", DomainId=domain_id)
        blocks = []
        if owner:
            prof = await self.call("DescribeUserProfile", DomainId=domain_id, UserProfileName=owner)
            blocks.append(prof.get("UserSettings"))
        blocks.append(dom.get("DefaultUserSettings"))
        return parse.idle_bounds(*blocks, app_type=app_type)

    # --- actions ------------------------------------------------------------------------------

    async def start_space(
        self,
        domain_id: str,
        space_name: str,
        *,
        instance_type: str | None = None,
        progress: Progress = None,
        wait: bool = True,
    ) -> Space:
        return await lifecycle.start(self, domain_id, space_name, instance_type, progress, wait)

    async def stop_space(
        self, domain_id: str, space_name: str, *, progress: Progress = None, wait: bool = True
    ) -> Space:
        return await lifecycle.stop(self, domain_id, space_name, progress, wait)

    async def enable_remote_access(
        self, domain_id: str, space_name: str, *, instance_type: str | None = None, progress: Progress = None
    ) -> Space:
        return await lifecycle.enable_remote_access(self, domain_id, space_name, instance_type, progress)

    async def set_idle_timeout(self, domain_id: str, space_name: str, minutes: int) -> Space:
        return await lifecycle.set_idle_timeout(self, domain_id, space_name, minutes)

    async def space_options(
        self, domain_id: str, *, owner: str | None = None, shared: bool = False
    ) -> SpaceOptions:
        return await space_admin.options(self, domain_id, owner=owner, shared=shared)

    async def create_space(self, new: NewSpace, *, progress: Progress = None) -> Space:
        return await space_admin.create(self, new, progress)

    async def delete_space(self, domain_id: str, space_name: str, *, progress: Progress = None) -> None:
        await space_admin.delete(self, domain_id, space_name, progress)

    async def edit_space(
        self,
        domain_id: str,
        space_name: str,
        change: SpaceEdit,
        *,
        restart: bool = False,
        progress: Progress = None,
    ) -> Space:
        return await space_admin.edit(self, domain_id, space_name, change, progress, restart=restart)

    async def start_session(self, space_arn: str, *, on_wait: WaitNotice | None = None) -> SessionInfo:
        """StartSession, waiting (within a budget, telling `on_wait`) while SSM registers a space
        that has just started; see session_start.py."""
        from .session_start import start_session

        return await start_session(self, space_arn, on_wait=on_wait)

    async def resume_session(self, session_id: str) -> SessionInfo | None:
        """ssm:ResumeSession with credentials resolved afresh; None if the session timed out
        (session_resume.py)."""
        from .session_resume import resume_session

        return await resume_session(self, session_id)


def session_info(answer: dict[str, Any]) -> SessionInfo:
    """The three StartSession fields, checked: a malformed answer is a clear error, not a crash later."""
    keys = ("SessionId", "StreamUrl", "TokenValue")
    fields = [value if isinstance(value := answer.get(key), str) and value else None for key in keys]
    session_id, stream_url, token = fields
    if session_id is None or stream_url is None or token is None:
        missing = [key for key, value in zip(keys, fields, strict=True) if value is None]
        # Names the fields only: the token itself must never reach a message.
        raise AwsError(
            f"StartSession answered without a usable {', '.join(missing)}; retry, and report it "
            "if it persists",
            kind="service",
            operation="StartSession",
        )
    return SessionInfo(session_id, stream_url, token)
