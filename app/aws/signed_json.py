"""One awsJson1.1 request signed with botocore's SigV4 signer and posted with aiohttp.

The light roads (ssh-proxy's single StartSession, a listing's pages) use this instead of a
botocore client's per-call pipeline. The answer comes back raw: the callers decide what counts
as the plain case and hand everything else to the full client.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

JSON_1_1 = "application/x-amz-json-1.1"


async def frozen(credentials: Any) -> Any:
    """Current keys of botocore or aiobotocore credentials (refreshing them when they are due)."""
    keys = credentials.get_frozen_credentials()
    return await keys if inspect.isawaitable(keys) else keys


def signed_headers(url: str, target: str, body: bytes, keys: Any, region: str,
                   service: str = "sagemaker") -> dict[str, str]:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    request = AWSRequest(method="POST", url=url, data=body, headers={
        "Content-Type": JSON_1_1,
        "X-Amz-Target": target,
        "User-Agent": "sm-spaces",
    })
    SigV4Auth(keys, service, region).add_auth(request)
    return dict(request.headers.items())


async def post(http: Any, url: str, target: str, params: dict[str, Any], keys: Any,
               region: str) -> tuple[int, bytes]:
    """(HTTP status, raw body) of one signed call."""
    body = json.dumps(params).encode()
    headers = signed_headers(url, target, body, keys, region)
    async with http.post(url, data=body, headers=headers) as answer:
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
