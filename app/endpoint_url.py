"""What an endpoint URL may be: http or https, a host, a port from 1 to 65535, an optional plain path.

Checked when the command line is parsed (`--endpoint-url`, and the AWS_ENDPOINT_URL* variables
botocore would read), before anything is imported or sent, and again where a URL is baked into
~/.ssh/config. Left to botocore and aiohttp, `file:///etc/passwd`, CRLF or port 99999 ended as
"the answer to an AWS call was malformed (ValueError)", and `http://user:pass@host` was quoted in
an aiohttp message. Messages say what is wrong and never quote the URL: it may hold a password.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_SAGEMAKER", "AWS_ENDPOINT_URL")

_HOST = re.compile(r"^(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])$")
_PATH = re.compile(r"^(?:/[A-Za-z0-9._~/-]*)?$")


def check_endpoint_url(url: object, what: str = "the endpoint URL") -> str:
    """`url` unchanged when it is a usable endpoint; else ValueError saying what is wrong with `what`."""
    if not isinstance(url, str) or not url:
        raise ValueError(f"{what} is empty; give an http:// or https:// URL")
    if any(c.isspace() or not c.isprintable() for c in url):
        raise ValueError(f"{what} contains spaces or control characters")
    if "://" not in url or url.partition("://")[0].lower() not in ("http", "https"):
        raise ValueError(f"{what} must start with http:// or https://")
    try:
        parts = urlsplit(url)
    except ValueError:  # an unbalanced [ or ] around an IPv6 address
        raise ValueError(f"{what} has a malformed host") from None
    authority = parts.netloc
    if "@" in authority:
        raise ValueError(f"{what} must not contain a user name or password (credentials come from AWS)")
    host, port = _host_and_port(authority)
    if not host:
        raise ValueError(f"{what} has no host")
    if not _HOST.fullmatch(host):
        raise ValueError(f"{what} has a host name with characters a host name cannot have")
    if port is not None and not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
        raise ValueError(f"{what} has a port that is not a number from 1 to 65535")
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise ValueError(f"{what} must not have a query (?) or a fragment (#)")
    if not _PATH.fullmatch(parts.path):
        raise ValueError(f"{what} has a path with characters an endpoint path cannot have")
    return url


def _host_and_port(authority: str) -> tuple[str, str | None]:
    if authority.startswith("["):  # an IPv6 literal: [::1]:8080
        end = authority.find("]")
        host, rest = authority[: end + 1], authority[end + 1 :]
        if end < 0 or (rest and not rest.startswith(":")):
            return authority, None  # the host check refuses it
        return host, rest[1:] if rest else None
    host, colon, port = authority.partition(":")
    return host, port if colon else None
