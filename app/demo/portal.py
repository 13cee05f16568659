"""The simulated Identity Center portal on the demo endpoint: the three GET operations of
botocore's `sso` model (restJson1, botocore/data/sso/2019-06-10/service-2.json), answered from the
organisation (organisation.py). Their requests are not signed (the model's `authtype: none`): the
bearer token in `x-amz-sso_bearer_token` is the whole authorisation. Errors are restJson1's: the
code in the `x-amzn-ErrorType` header, `{"message": ...}` in the body.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .faults import ApiError
from .organisation import Organisation

TOKEN_HEADER = "x-amz-sso_bearer_token"
Operation = Callable[[str | None, dict[str, str]], dict[str, Any]]


def add_routes(app: web.Application, org: Organisation, answered: Callable[[str], None]) -> None:
    """The portal's routes; `answered` is told each operation's name (the server's log of calls)."""
    app.router.add_get("/assignment/accounts", _route("ListAccounts", org.list_accounts, answered))
    app.router.add_get("/assignment/roles", _route("ListAccountRoles", org.list_roles, answered))
    app.router.add_get(
        "/federation/credentials", _route("GetRoleCredentials", org.role_credentials, answered)
    )


def _route(name: str, operation: Operation, answered: Callable[[str], None]) -> Callable[[web.Request], Any]:
    async def handle(request: web.Request) -> web.Response:
        headers = {"x-amzn-RequestId": str(uuid.uuid4())}
        answered(name)
        try:
            answer = operation(request.headers.get(TOKEN_HEADER), dict(request.query))
        except ApiError as error:
            headers["x-amzn-ErrorType"] = error.code
            body = json.dumps({"message": error.message}).encode()
            return web.Response(
                status=error.status, body=body, content_type="application/json", headers=headers
            )
        return web.Response(
            body=json.dumps(answer).encode(), content_type="application/json", headers=headers
        )

    return handle
