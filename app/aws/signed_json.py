"""One awsJson1.1 request, signed (app.aws.sigv4) and posted with aiohttp.

The light roads (ssh-proxy's single StartSession, a listing's pages) use this instead of a
botocore client's per-call pipeline. The answer comes back raw: the callers decide what counts
as the plain case and hand everything else to the full client.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

from .sigv4 import PostSigner


async def frozen(credentials: Any) -> Any:
    """Current keys of botocore or aiobotocore credentials (refreshing them when they are due)."""
    keys = credentials.get_frozen_credentials()
    return await keys if inspect.isawaitable(keys) else keys


async def post(
    http: Any,
    signer: PostSigner,
    url: str,
    target: str,
    params: dict[str, Any],
    keys: Any,
    proxy: str | None = None,
) -> tuple[int, bytes]:
    """(HTTP status, raw body) of one signed call."""
    body = json.dumps(params).encode()
    async with http.post(url, data=body, headers=signer.headers(target, body, keys), proxy=proxy) as answer:
        return answer.status, await answer.read()


def decoded(raw: bytes) -> Any:
    """A JSON body, or None when it is not JSON."""
    try:
        return json.loads(raw)
    except ValueError:
        return None


def error_code(payload: Any) -> str:
    """The error code of an awsJson error body (`__type`, maybe with a namespace before `#`)."""
    kind = payload.get("__type") if isinstance(payload, dict) else None
    return kind.rsplit("#", 1)[-1] if isinstance(kind, str) else ""
