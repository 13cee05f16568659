"""The simulated organisation: three accounts behind a simulated IAM Identity Center.

The seeded account (the demo's static keys reach it as an IAM user) is one of three; an Identity
Center user reaches all three through the portal API, and each role's temporary keys sign for
its own account only. The portal answers as botocore's `sso` model defines it
(botocore/data/sso/2019-06-10/service-2.json): GET /assignment/accounts, /assignment/roles and
/federation/credentials, authorised by the `x-amz-sso_bearer_token` header, paginated with
`next_token`/`max_result`; a token that is unknown or past its expiry answers 401
UnauthorizedException, as the AWS CLI sees after an SSO session ends.

One role is denied SageMaker: its calls answer AccessDeniedException, as an IAM policy without
`sagemaker:*` does, while STS still answers (GetCallerIdentity needs no permission).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from .account import DemoAccount
from .faults import ApiError
from .sigv4 import Credentials

SSO_USER = "sam.rivera"  # no user profile carries this SingleSignOnUserValue: every space is shown
START_URL = "https://sm-spaces-demo.awsapps.com/start"
SESSION_NAME = "sm-spaces-demo"
TOKEN_HOURS = 8.0  # Identity Center's default session length
ROLE_HOURS = 1.0


@dataclass
class OrgAccount:
    account_id: str
    name: str
    state: DemoAccount
    roles: dict[str, bool]  # role name -> whether its permission set allows SageMaker

    @property
    def email(self) -> str:
        return f"aws+{self.name}@example.com"


@dataclass(frozen=True)
class Signer:
    """Whose keys signed a request: an account's IAM user (role None) or a role session."""

    account_id: str
    role: str | None
    credentials: Credentials
    expires: float  # epoch seconds
    user: str = SSO_USER

    def caller_arn(self, account: DemoAccount) -> str:
        if self.role is None:
            return account.caller_arn
        return (
            f"arn:{account.partition}:sts::{self.account_id}:assumed-role/"
            f"AWSReservedSSO_{self.role}_{self.account_id[:8]}0a1b2c3d/{self.user}"
        )

    def caller_user_id(self, account: DemoAccount) -> str:
        return (
            account.caller_user_id
            if self.role is None
            else f"AROAXDEMOSSOROLE{self.account_id[:4]}:{self.user}"
        )


def _unauthorized() -> ApiError:
    return ApiError("UnauthorizedException", "Session token not found or invalid", 401)


def _forbidden() -> ApiError:
    # What the portal answers for an account or role the user is not assigned (the AWS CLI shows
    # "ForbiddenException ... No access"); botocore's model does not list it, so a client must
    # handle it as any unmodelled error.
    return ApiError("ForbiddenException", "No access", 403)


class Organisation:
    """The accounts, the roles the Identity Center user has in them, and every key issued."""

    def __init__(self, main: DemoAccount) -> None:
        self.accounts: dict[str, OrgAccount] = {}
        self.add(OrgAccount(main.account_id, "studio-prod", main, {"DataScientist": True}))
        self.add(OrgAccount("234567890123", "vision-research", _research(), {"DataScientist": True}))
        self.add(OrgAccount("345678901234", "sandbox", _sandbox(), {"ReadOnly": False}))
        self._signers: dict[str, Signer] = {}  # role keys issued by GetRoleCredentials
        self.token = secrets.token_urlsafe(48)
        self.token_expires = time.time() + TOKEN_HOURS * 3600
        self.page_size = 20  # the portal's own default for max_result is larger; small pages test paging

    def add(self, account: OrgAccount) -> None:
        self.accounts[account.account_id] = account

    @property
    def states(self) -> list[DemoAccount]:
        return [a.state for a in self.accounts.values()]

    def signer(self, access_key: str) -> Signer | None:
        return self._signers.get(access_key)

    @property
    def issued(self) -> list[Credentials]:
        """Every role key issued so far (tests look for them where they must never be)."""
        return [s.credentials for s in self._signers.values()]

    def expire_token(self) -> None:
        """The user's Identity Center session ends (as after its duration, or a sign-out)."""
        self.token_expires = time.time() - 1

    # --- the portal API -----------------------------------------------------------------------

    def _check(self, token: str | None) -> None:
        if not token or not secrets.compare_digest(token, self.token) or time.time() >= self.token_expires:
            raise _unauthorized()

    def list_accounts(self, token: str | None, query: dict[str, str]) -> dict[str, Any]:
        self._check(token)
        items = [
            {"accountId": a.account_id, "accountName": a.name, "emailAddress": a.email}
            for a in self.accounts.values()
        ]
        return self._page(items, "accountList", query)

    def list_roles(self, token: str | None, query: dict[str, str]) -> dict[str, Any]:
        self._check(token)
        account = self.accounts.get(query.get("account_id", ""))
        if account is None:
            raise _forbidden()
        items = [{"roleName": role, "accountId": account.account_id} for role in account.roles]
        return self._page(items, "roleList", query)

    def role_credentials(self, token: str | None, query: dict[str, str]) -> dict[str, Any]:
        self._check(token)
        account = self.accounts.get(query.get("account_id", ""))
        role = query.get("role_name", "")
        if account is None or role not in account.roles:
            raise _forbidden()
        keys = Credentials.random(with_token=True)
        expires = min(time.time() + ROLE_HOURS * 3600, self.token_expires)
        self._signers[keys.access_key] = Signer(account.account_id, role, keys, expires)
        return {
            "roleCredentials": {
                "accessKeyId": keys.access_key,
                "secretAccessKey": keys.secret_key,
                "sessionToken": keys.token,
                "expiration": int(expires * 1000),  # epoch milliseconds, as the portal sends
            }
        }

    def may_use_sagemaker(self, signer: Signer) -> bool:
        return signer.role is None or self.accounts[signer.account_id].roles.get(signer.role, False)

    def _page(self, items: list[dict], key: str, query: dict[str, str]) -> dict[str, Any]:
        try:
            start = int(query.get("next_token") or 0)
            size = min(int(query.get("max_result") or self.page_size), self.page_size)
        except ValueError:
            raise ApiError("InvalidRequestException", "Invalid pagination parameters", 400) from None
        answer: dict[str, Any] = {key: items[start : start + size]}
        if start + size < len(items):
            answer["nextToken"] = str(start + size)
        return answer


_EPOCH = 1_767_600_000.0  # the seeded account's instants, so every run shows the same account


def _research() -> DemoAccount:
    """A second account with a domain of its own: a few spaces, one running."""
    account = DemoAccount("234567890123")
    domain = account.add_domain("d-rsrchlab0x7q", "vision-lab", "us-east-1", created=_EPOCH)
    for who in ("priya", "tomas"):
        account.add_profile(domain, who, created=_EPOCH + 3600)
    rows = [
        ("segmentation-v2", "JupyterLab", "priya", "ml.g5.xlarge", True),
        ("label-review", "CodeEditor", "tomas", "ml.t3.large", False),
        ("dataset-curation", "JupyterLab", "tomas", "ml.m5.large", False),
    ]
    for index, (name, app_type, owner, instance, running) in enumerate(rows):
        space = account.add_space(
            domain, name, app_type=app_type, owner=owner, instance_type=instance, created=_EPOCH + index * 60
        )
        if running:
            account.put_app(space, status="InService", created=_EPOCH + 86_400)
    return account


def _sandbox() -> DemoAccount:
    """An account whose only role may not use SageMaker: its spaces exist but cannot be listed."""
    account = DemoAccount("345678901234")
    domain = account.add_domain("d-sandb0xq9z2", "sandbox", "us-east-1", created=_EPOCH)
    account.add_profile(domain, "intern", created=_EPOCH)
    account.add_space(domain, "scratch", app_type="JupyterLab", owner="intern", created=_EPOCH)
    return account
