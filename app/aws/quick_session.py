"""StartSession for ssh-proxy without building a botocore client.

ssh-proxy makes exactly one API call per connect. A botocore client for it loads SageMaker's whole
service model (~4 MB of JSON) and aiobotocore's client machinery: ~150 ms of the proxy's start-up.
This path resolves credentials through the same botocore chain (botocore.Session, afresh on every
connect, in memory only), signs the one request (app.aws.sigv4) and posts it with aiohttp, which
the data channel needs anyway.

It only takes the plain road: an explicit --endpoint-url, or the standard AWS partition with no
endpoint, FIPS, dual-stack or CA-bundle settings in the environment or the profile. Anything else,
and any failure at all (no credentials, an error answer, a malformed one), goes to the full client
path (`SpacesService.start_session`), which owns retries, explanations and error wording.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .service import SessionInfo, SpacesService

# Settings that change where or how botocore would send the call: leave those cases to botocore.
_ENV_SETTINGS = (
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_SAGEMAKER",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_CA_BUNDLE",
)
_PROFILE_SETTINGS = ("endpoint_url", "services", "use_fips_endpoint", "use_dualstack_endpoint", "ca_bundle")
# The aws partition's region pattern (botocore's partitions.json); China, GovCloud and ISO differ.
_AWS_PARTITION_REGION = re.compile(r"^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$")


def plain_endpoint(region: str, endpoint_url: str | None, profile_config: dict[str, Any]) -> str | None:
    """The SageMaker API URL botocore would use, when it is the plain case; else None."""
    if endpoint_url:
        return endpoint_url.rstrip("/")
    if any(os.environ.get(name) for name in _ENV_SETTINGS):
        return None
    if any(key in profile_config for key in _PROFILE_SETTINGS):
        return None
    if not _AWS_PARTITION_REGION.match(region):
        return None
    return f"https://api.sagemaker.{region}.amazonaws.com"


async def start_session(svc: SpacesService, space_arn: str) -> SessionInfo:
    """StartSession the light way when possible, else (or on any failure) through the service."""
    try:
        session = await _signed_call(svc, space_arn)
    except Exception:  # the full path repeats the call and reports whatever is wrong properly
        session = None
    return session if session is not None else await svc.start_session(space_arn)


async def _signed_call(svc: SpacesService, space_arn: str) -> SessionInfo | None:
    from botocore.session import Session

    if svc.uses_explicit_credentials:
        return None
    botocore_session = Session(profile=svc.profile)
    url = plain_endpoint(svc.region, svc.endpoint_url, botocore_session.get_scoped_config())
    credentials = botocore_session.get_credentials()
    if url is None or credentials is None:
        return None
    import aiohttp

    from .service import _session_info
    from .signed_json import decoded, post
    from .sigv4 import PostSigner

    connect, read = svc.timeouts
    timeout = aiohttp.ClientTimeout(sock_connect=connect, sock_read=read)
    # trust_env: HTTP(S)_PROXY and NO_PROXY apply here as they do to botocore and the websocket.
    async with aiohttp.ClientSession(trust_env=True, timeout=timeout) as http:
        status, raw = await post(
            http,
            PostSigner(url + "/", svc.region),
            url + "/",
            "SageMaker.StartSession",
            {"ResourceIdentifier": space_arn},
            credentials.get_frozen_credentials(),
        )
    payload = decoded(raw)
    return _session_info(payload) if status == 200 and isinstance(payload, dict) else None
