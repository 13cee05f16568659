"""Server-side AWS Signature Version 4 verification, written from the AWS specification.

The demo refuses what AWS refuses: no Authorization header, a signature that leaves out `host`,
`x-amz-date` or (awsJson) `x-amz-target`, an unknown access key or session token, a signature that
does not match, and a request dated more than five minutes away from now.
Error codes are the JSON-protocol ones; the STS module maps them to the query-protocol names.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from urllib.parse import parse_qsl, quote

from .faults import ApiError

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW = timedelta(minutes=5)

_AUTH = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+)\s*,\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+)\s*,\s*Signature=(?P<signature>[0-9a-f]{64})\s*$"
)
_AMZ_DATE = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class Credentials:
    """Per-run credentials; repr never shows the secret or token."""

    access_key: str
    secret_key: str = field(repr=False)
    token: str | None = field(default=None, repr=False)

    @classmethod
    def random(cls, *, with_token: bool = False) -> Credentials:
        alphabet = string.ascii_uppercase + "234567"
        access_key = "AKIA" + "".join(secrets.choice(alphabet) for _ in range(16))
        token = secrets.token_urlsafe(120) if with_token else None
        return cls(access_key, secrets.token_urlsafe(30)[:40], token)


@dataclass(frozen=True)
class Scope:
    """What the credential scope of a verified request says."""

    access_key: str
    date: str
    region: str
    service: str


def _missing() -> ApiError:
    return ApiError("MissingAuthenticationTokenException", "Missing Authentication Token", 403)


def _unrecognized() -> ApiError:
    return ApiError(
        "UnrecognizedClientException", "The security token included in the request is invalid.", 403
    )


def _bad_signature(message: str | None = None) -> ApiError:
    return ApiError(
        "InvalidSignatureException",
        message
        or "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        403,
    )


# Headers a signature must cover, as AWS requires: without `host` a signature could be replayed
# at another endpoint, without `x-amz-date` outside its five minutes, and without `x-amz-target`
# (awsJson's operation name) as another operation with the same parameters — a DescribeApp
# signature replayed as DeleteApp stopped a space. The first wording is AWS's own (its answer to a
# SignedHeaders without host); the others follow it.
_MUST_SIGN = {"host": "Host"}
# X-Amz-Target only comes with awsJson calls (STS's query protocol has none); a missing X-Amz-Date
# gets AWS's "requires existence of either a 'X-Amz-Date' or a 'Date' header" further on.
_MUST_SIGN_WHEN_SENT = {"x-amz-date": "X-Amz-Date", "x-amz-target": "X-Amz-Target"}


def _incomplete(message: str) -> ApiError:
    return ApiError("IncompleteSignatureException", message, 400)


def _check_signed_headers(signed: list[str], headers: Mapping[str, str]) -> None:
    present = {name.lower() for name in headers}
    must = dict(_MUST_SIGN)
    must.update({name: shown for name, shown in _MUST_SIGN_WHEN_SENT.items() if name in present})
    for name, shown in must.items():
        if name not in signed:
            raise _incomplete(f"'{shown}' must be a 'SignedHeader' in the AWS Authorization.")
    for name in signed:
        if name not in present:  # AWS's words for a signed header the request lacks
            raise _incomplete(
                f"'{name}' is named as a SignedHeader, but it does not exist in the HTTP request."
            )


def parse_scope(authorization: str | None) -> Scope | None:
    """The credential scope of an Authorization header, without checking anything else."""
    match = _AUTH.match(authorization or "")
    if not match:
        return None
    parts = match["credential"].split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        return None
    return Scope(*parts[:4])


def canonical_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    encoded = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def canonical_request(
    method: str,
    raw_path: str,
    headers: Mapping[str, str],
    signed_headers: list[str],
    payload_hash: str,
) -> str:
    path, _, query = raw_path.partition("?")
    lines = [method.upper(), quote(path or "/", safe="/~"), canonical_query(query)]
    getall = getattr(headers, "getall", None)  # aiohttp's multidict keeps repeated headers apart
    for name in signed_headers:
        values = getall(name, []) if getall else [headers.get(name)]
        lines.append(f"{name}:" + ",".join(" ".join(str(v).split()) for v in values if v is not None))
    return "\n".join(lines + ["", ";".join(signed_headers), payload_hash])


@lru_cache(maxsize=64)
def _parse_amz_date(amz_date: str) -> datetime:
    # Cached: a burst of concurrent calls carries the same second, and strptime is not cheap.
    return datetime.strptime(amz_date, _AMZ_DATE).replace(tzinfo=UTC)


@lru_cache(maxsize=64)
def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def verify(
    method: str,
    raw_path: str,
    headers: Mapping[str, str],
    body: bytes,
    credentials: Credentials,
    now: datetime | None = None,
) -> Scope:
    """Check a request's SigV4 signature; return its scope or raise ApiError as AWS would."""
    authorization = headers.get("Authorization")
    if not authorization:
        raise _missing()
    match = _AUTH.match(authorization)
    scope = parse_scope(authorization)
    if match is None or scope is None:
        raise ApiError(
            "IncompleteSignatureException",
            "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' "
            "parameters in AWS4-HMAC-SHA256 format.",
            400,
        )
    _check_signed_headers(match["signed"].split(";"), headers)
    if not hmac.compare_digest(scope.access_key, credentials.access_key):
        raise _unrecognized()
    presented = headers.get("X-Amz-Security-Token")
    if credentials.token is not None:
        if not hmac.compare_digest(presented or "", credentials.token):
            raise _unrecognized()
    elif presented:  # AWS refuses a session token sent with long-term keys that have none
        raise _unrecognized()
    amz_date = headers.get("X-Amz-Date") or ""
    try:
        when = _parse_amz_date(amz_date)
    except ValueError:
        raise ApiError(
            "IncompleteSignatureException",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
            400,
        ) from None
    now = now or datetime.now(UTC)
    if when < now - MAX_SKEW:
        stamp = now.strftime(_AMZ_DATE)
        earliest = (now - MAX_SKEW).strftime(_AMZ_DATE)
        raise _bad_signature(
            f"Signature expired: {amz_date} is now earlier than {earliest} ({stamp} - 5 min.)"
        )
    if when > now + MAX_SKEW:
        latest = (now + MAX_SKEW).strftime(_AMZ_DATE)
        raise _bad_signature(
            f"Signature not yet current: {amz_date} is still later than {latest} "
            f"({now.strftime(_AMZ_DATE)} + 5 min.)"
        )
    signed = match["signed"].split(";")
    if scope.date != amz_date[:8]:
        raise _bad_signature()
    body_hash = hashlib.sha256(body).hexdigest()
    claimed = headers.get("X-Amz-Content-SHA256")
    if claimed is not None and claimed != body_hash:
        raise _bad_signature()
    request = canonical_request(method, raw_path, headers, signed, body_hash)
    to_sign = "\n".join(
        [
            ALGORITHM,
            amz_date,
            f"{scope.date}/{scope.region}/{scope.service}/aws4_request",
            hashlib.sha256(request.encode()).hexdigest(),
        ]
    )
    key = signing_key(credentials.secret_key, scope.date, scope.region, scope.service)
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, match["signature"]):
        raise _bad_signature()
    return scope
