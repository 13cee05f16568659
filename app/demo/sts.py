"""STS on the demo endpoint: GetCallerIdentity in the query protocol (form POST in, XML out)."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from aiohttp import web

from .account import DemoAccount
from .faults import ApiError

_NS = "https://sts.amazonaws.com/doc/2011-06-15/"

# JSON-protocol auth error codes -> the names the query protocol uses for them.
_QUERY_CODES = {
    "MissingAuthenticationTokenException": "MissingAuthenticationToken",
    "UnrecognizedClientException": "InvalidClientTokenId",
    "InvalidSignatureException": "SignatureDoesNotMatch",
    "IncompleteSignatureException": "IncompleteSignature",
    "ExpiredTokenException": "ExpiredToken",
}


def error_response(error: ApiError) -> web.Response:
    code = _QUERY_CODES.get(error.code, error.code)
    kind = "Receiver" if error.status >= 500 else "Sender"
    body = (
        f'<ErrorResponse xmlns="{_NS}"><Error><Type>{kind}</Type><Code>{escape(code)}</Code>'
        f"<Message>{escape(error.message)}</Message></Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    )
    return web.Response(status=error.status, body=body.encode(), content_type="text/xml")


def action_of(body: bytes) -> tuple[str, str]:
    """(Action, Version) of a form-encoded query-protocol request."""
    form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return form.get("Action", [""])[0], form.get("Version", [""])[0]


def handle(
    account: DemoAccount, body: bytes, arn: str | None = None, user_id: str | None = None
) -> web.Response:
    """GetCallerIdentity for the signer: `arn` and `user_id` (default: the account's own caller)."""
    action, version = action_of(body)
    if action != "GetCallerIdentity":
        raise ApiError(
            "InvalidAction", f"Could not find operation {action[:64]!r} for version {version[:16]!r}"
        )
    if version != "2011-06-15":
        raise ApiError("InvalidAction", f"Could not find operation {action} for version {version[:16]!r}")
    answer = (
        f'<GetCallerIdentityResponse xmlns="{_NS}"><GetCallerIdentityResult>'
        f"<Arn>{escape(arn or account.caller_arn)}</Arn><UserId>{escape(user_id or account.caller_user_id)}</UserId>"
        f"<Account>{account.account_id}</Account></GetCallerIdentityResult>"
        f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
    )
    return web.Response(body=answer.encode(), content_type="text/xml")
