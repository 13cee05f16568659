"""Studio's "Open in VS Code" deep link, parsed as untrusted input.

    vscode://amazonwebservices.aws-toolkit-vscode/connect/sagemaker?connection_identifier=<space ARN>
      &domain=…&user_profile=…&session=…&ws_url=…&cell-number=…&token=…[&app_type=…][&X-Amz-…]

The link carries a live session (stream URL + token). Every field we use is checked strictly before
any of it reaches a file, a command line or a network call, and no error message ever repeats the
token or the signed URL parts. Parameters we do not use are ignored, as the AWS Toolkit ignores
them (Studio adds parameters over time): their values are never read, and their names are logged
at debug level only (`--debug`), never passed on.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

from ..config import DOMAIN_ID_RE, USER_PROFILE_RE
from ..model import IDE_APP_TYPES
from ..names import SpaceArn

SCHEME = "vscode"
AUTHORITY = "amazonwebservices.aws-toolkit-vscode"
PATH = "/connect/sagemaker"

REQUIRED = ("connection_identifier", "domain", "user_profile", "session", "ws_url", "cell-number", "token")
OPTIONAL = ("app_type",)
_log = logging.getLogger(__name__)
MAX_LINK_LENGTH = 32_768

_SESSION_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@=,+-]{0,159}")
_TOKEN_RE = re.compile(r"[A-Za-z0-9+/=_-]{16,8192}")
# The service documents cell-number as opaque; real values are base64-like, test values digits.
_CELL_RE = re.compile(r"[A-Za-z0-9+/=_-]{1,1024}")
_AMZ_NAME_RE = re.compile(r"X-Amz-[A-Za-z0-9-]{1,64}")
_AMZ_VALUE_RE = re.compile(r"[A-Za-z0-9._~/+=:-]{1,8192}")
_URL_QUERY_RE = re.compile(r"[A-Za-z0-9._~=&/+%-]{0,2048}")
_AWS_HOST_RE = re.compile(
    r"ssmmessages\.(?P<region>[a-z]{2}(?:-[a-z]+)+-\d{1,2})\.amazonaws\.com(?P<cn>\.cn)?"
)
_LOCAL_PATH_RE = re.compile(r"/[A-Za-z0-9._~/=@,+-]{0,512}")
_LOCAL_HOSTS = ("127.0.0.1", "localhost")
_SHOWN_NAME_RE = re.compile(r"[A-Za-z0-9._~-]{1,64}")  # an ignored name a debug line may repeat


class DeepLinkError(ValueError):
    """A refused link: `field` names the offending parameter; values are never echoed."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"invalid deep link: {field}: {reason}")


@dataclass(frozen=True, slots=True)
class DeepLink:
    space_arn: SpaceArn
    domain: str
    user_profile: str
    session_id: str
    stream_url: str = field(repr=False)  # signed: as secret as the token
    token: str = field(repr=False)
    app_type: str | None = None
    ignored: tuple[str, ...] = ()  # names of the parameters we do not use (values never kept)

    def __repr__(self) -> str:
        return (
            f"DeepLink(space_arn={str(self.space_arn)!r}, domain={self.domain!r}, "
            f"user_profile={self.user_profile!r}, session_id={self.session_id!r}, "
            f"stream_url='{self.stream_url.split('?', 1)[0]}?…', token='…', app_type={self.app_type!r})"
        )

    __str__ = __repr__


def parse_deep_link(uri: str, *, allowed_local_endpoint: str | None = None) -> DeepLink:
    """Validate and decode a deep link, or raise DeepLinkError.

    `allowed_local_endpoint` (e.g. ``ws://127.0.0.1:4566``) admits a loopback stream URL with
    exactly that scheme, host and port — for the simulated account only.
    """
    if not isinstance(uri, str):
        raise DeepLinkError("uri", "not text")
    if len(uri) > MAX_LINK_LENGTH:
        raise DeepLinkError("uri", f"longer than {MAX_LINK_LENGTH} characters")
    if not uri.isprintable() or not uri.isascii() or " " in uri:
        raise DeepLinkError("uri", "contains spaces, control or non-ASCII characters")
    prefix, sep, query = uri.partition("?")
    if prefix != f"{SCHEME}://{AUTHORITY}{PATH}" or not sep:
        raise DeepLinkError("uri", f"not a {SCHEME}://{AUTHORITY}{PATH}?… link")
    if "#" in query:
        raise DeepLinkError("uri", "has a fragment")
    params, ignored = _split_query(query)
    if ignored:
        _log.debug("deep link: ignoring parameters this version does not use: %s", ", ".join(ignored))

    arn = _parse_arn(params["connection_identifier"])
    domain = _check("domain", params["domain"], DOMAIN_ID_RE, "not a domain id (d-…)")
    if domain != arn.domain_id:
        raise DeepLinkError("domain", "does not match the space ARN")
    user = _check("user_profile", params["user_profile"], USER_PROFILE_RE, "not a user profile name")
    session = _check("session", params["session"], _SESSION_RE, "not a session id")
    cell = _check("cell-number", params["cell-number"], _CELL_RE, "not a cell number")
    token = _check("token", params["token"], _TOKEN_RE, "not a session token (characters or length)")
    app_type = params.get("app_type")
    if app_type is not None and app_type not in IDE_APP_TYPES:
        raise DeepLinkError("app_type", f"must be one of {', '.join(IDE_APP_TYPES)}")
    ws_url = _check_ws_url(params["ws_url"], arn, session, allowed_local_endpoint)

    stream_url = ws_url + "&cell-number=" + quote(cell, safe="")
    for name, value in params.items():
        if name.startswith("X-Amz-"):
            stream_url += f"&{name}={quote(value, safe='')}"
    return DeepLink(arn, domain, user, session, stream_url, token, app_type, tuple(ignored))


def _used(name: str) -> bool:
    """A parameter whose value reaches the session: the named ones, and X-Amz-* (the stream URL)."""
    return name in REQUIRED or name in OPTIONAL or _AMZ_NAME_RE.fullmatch(name) is not None


def _split_query(query: str) -> tuple[dict[str, str], list[str]]:
    """(the parameters we use, by name; the names of those we ignore, as a log may show them).

    Names are compared decoded, so `%74oken` is `token`: a name we use cannot slip past the checks
    (or in twice) under an encoding; a name that does not decode, or to nothing, is one we ignore."""
    params: dict[str, str] = {}
    ignored: list[str] = []
    for part in query.split("&"):
        raw_name, sep, raw_value = part.partition("=")
        try:
            name = unquote(raw_name, errors="strict")
        except UnicodeDecodeError:
            name = ""
        if not _used(name):
            if part:
                ignored.append(name if _SHOWN_NAME_RE.fullmatch(name) else "(an unusual name)")
            continue  # its value is never read
        if not sep:
            raise DeepLinkError(name, "has no value")
        if name in params:
            raise DeepLinkError(name, "given more than once")
        try:
            value = unquote(raw_value, errors="strict")
        except UnicodeDecodeError:
            raise DeepLinkError(name, "bad percent-encoding") from None
        if not value:
            raise DeepLinkError(name, "is empty")
        # Decoding may reveal characters the raw link could not carry; none is legitimate.
        if not (value.isascii() and value.isprintable()) or " " in value:
            raise DeepLinkError(name, "contains spaces, control or non-ASCII characters")
        if name.startswith("X-Amz-") and not _AMZ_VALUE_RE.fullmatch(value):
            raise DeepLinkError(name, "has unexpected characters")
        params[name] = value
    for name in REQUIRED:
        if name not in params:
            raise DeepLinkError(name, "is missing")
    return params, ignored


def _check(name: str, value: str, pattern: re.Pattern[str], reason: str) -> str:
    if not pattern.fullmatch(value):
        raise DeepLinkError(name, reason)
    return value


def _parse_arn(value: str) -> SpaceArn:
    try:
        arn = SpaceArn.parse(value)
    except ValueError:
        raise DeepLinkError("connection_identifier", "not a SageMaker space ARN") from None
    if str(arn) != value:
        raise DeepLinkError("connection_identifier", "not a SageMaker space ARN")
    return arn


def _check_ws_url(value: str, arn: SpaceArn, session: str, allowed_local: str | None) -> str:
    try:
        url = urlsplit(value)
        port = url.port
    except ValueError:
        raise DeepLinkError("ws_url", "not a URL") from None
    if url.username is not None or url.password is not None or url.fragment:
        raise DeepLinkError("ws_url", "must not carry credentials or a fragment")
    if not _URL_QUERY_RE.fullmatch(url.query) or "?" in url.query:
        raise DeepLinkError("ws_url", "has unexpected characters in its query")
    host = _AWS_HOST_RE.fullmatch(url.hostname or "")
    if url.scheme == "wss" and host and url.netloc == url.hostname:
        if host["region"] != arn.region:
            raise DeepLinkError("ws_url", "region does not match the space ARN")
        if bool(host["cn"]) != (arn.partition == "aws-cn"):
            raise DeepLinkError("ws_url", "AWS partition does not match the space ARN")
        if url.path != f"/v1/data-channel/{session}":
            raise DeepLinkError("ws_url", "path is not the session's data channel")
    elif allowed_local and url.hostname in _LOCAL_HOSTS:
        expected = urlsplit(allowed_local)
        if (url.scheme, url.hostname, port) != (expected.scheme, expected.hostname, expected.port):
            raise DeepLinkError("ws_url", "does not match the allowed local endpoint")
        if url.scheme not in ("ws", "wss") or not _LOCAL_PATH_RE.fullmatch(url.path or "/"):
            raise DeepLinkError("ws_url", "unexpected local stream URL")
    else:
        raise DeepLinkError("ws_url", "must be wss://ssmmessages.<region>.amazonaws.com")
    if not url.query:
        raise DeepLinkError("ws_url", "has no query (cell-number is appended to it)")
    return value
