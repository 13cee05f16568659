"""A listing's pages asked without botocore's per-call pipeline.

A listing of 50 domains makes ~100 calls whose answers arrive up to 32 at a time, and the CPU
each one costs the client is paid in series before the next wave can leave. Through a botocore
client that is ~0.67 ms per call on this machine class (event hooks, endpoint rules, user-agent
assembly, request objects, the retry handler); signed by app.aws.sigv4 and posted with aiohttp
it is ~0.2 ms. The pages themselves come back as lean_parser hands them over.

Only the plain case takes this road: the four list operations, an endpoint that `plain_endpoint`
vouches for and has already answered the botocore client once (so an endpoint that is down, silent
or refusing us is reported by botocore alone, with its retries, rather than after a first failure
here as well), and the credentials the client itself signs with. Throttling comes back as the same
AwsError the client would raise, so the service's retry loop and adaptive limit see it; anything
else unusual (an error answer, a malformed page, a network failure) returns None, the caller asks
the botocore client instead, and this road stays closed for the rest of the service's life.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from .errors import THROTTLE_CODES, throttled
from .pages import RAW_PAGES, plain_page
from .quick_session import plain_endpoint
from .signed_json import decoded, error_code, frozen, post
from .sigv4 import PostSigner

if TYPE_CHECKING:
    from .clients import Clients

ITEMS_OF = {shape.removesuffix("Response"): key for shape, key in RAW_PAGES.items()}
_THROTTLED_STATUS = (400, 429)


class DirectPages:
    def __init__(self, clients: Clients, *, max_pool: int, timeouts: tuple[float, float]) -> None:
        self._clients = clients
        self._max_pool = max_pool
        self._timeouts = timeouts
        self._open = True
        self._proven = False  # set once the botocore client has had an answer from the endpoint
        self._url: str | None = None
        self._credentials: Any = None
        self._http: Any = None
        self._signer: PostSigner | None = None
        self._proxy: str | None = None
        self._preparing = asyncio.Lock()

    def takes(self, op: str) -> bool:
        return self._proven and self._open and op in ITEMS_OF

    def proven(self) -> None:
        """The endpoint answered a botocore call: the direct road may open."""
        self._proven = True

    async def fetch(self, op: str, params: dict[str, Any]) -> tuple[int, bytes] | None:
        """(status, raw body) of one list call, or None: ask the botocore client."""
        try:
            if self._http is None and not await self._prepare_once():
                return None
            keys = await frozen(self._credentials)
            return await post(
                self._http, self._signer, self._url, f"SageMaker.{op}", params, keys, proxy=self._proxy
            )
        except Exception:
            self._open = False  # the client will report (and retry) whatever went wrong
            return None

    def decode(self, op: str, answer: tuple[int, bytes]) -> dict | None:
        """The page, or None: ask the botocore client. Raises the client's AwsError for throttling."""
        status, raw = answer
        payload = decoded(raw)
        if status == 200 and plain_page(payload, ITEMS_OF[op]):
            return payload
        if status in _THROTTLED_STATUS and error_code(payload) in THROTTLE_CODES:
            raise throttled(op)
        self._open = False
        return None

    async def _prepare_once(self) -> bool:
        # Calls that arrive together set the road up once: resolving credentials may wait (a
        # refresh), and without the lock each waiting call would make an HTTP session of its own.
        async with self._preparing:
            return self._http is not None or await self._prepare()

    async def _prepare(self) -> bool:
        credentials = await self._clients.signing_credentials()
        url = plain_endpoint(self._clients.region, self._clients.endpoint_url, self._clients.scoped_config())
        if credentials is None or url is None:
            self._open = False
            return False
        import aiohttp

        ssl: Any = None
        if url.startswith("https:"):  # the CA bundle botocore verifies with (certifi's, when present)
            import ssl as ssl_module

            from botocore.httpsession import get_cert_path

            ssl = ssl_module.create_default_context(cafile=get_cert_path(True))
        connect, read = self._timeouts
        self._http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self._max_pool, ssl=ssl if ssl is not None else True),
            timeout=aiohttp.ClientTimeout(sock_connect=connect, sock_read=read),
        )
        # HTTP(S)_PROXY and NO_PROXY apply as botocore applies them, looked up once: aiohttp's
        # trust_env looks them up on every request (~0.1 ms each, 10-15 ms of a 100-call listing).
        self._proxy = env_proxy(url)
        self._url, self._credentials = url + "/", credentials
        self._signer = PostSigner(self._url, self._clients.region)
        return True

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None


def env_proxy(url: str) -> str | None:
    """The proxy the environment names for `url` (HTTP_PROXY/HTTPS_PROXY), unless NO_PROXY exempts it."""
    from urllib.parse import urlsplit
    from urllib.request import getproxies, proxy_bypass

    parts = urlsplit(url)
    proxy = getproxies().get(parts.scheme)
    if not proxy or proxy_bypass(parts.netloc):
        return None
    return proxy
