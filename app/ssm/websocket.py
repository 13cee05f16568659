"""The data channel's websocket: how it is opened, and how its failures read.

`ChannelError` is the one failure a channel raises (its message one readable line); `Opening` makes
`DataChannel.connect(...)` both awaitable and an async context manager.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aiohttp

if TYPE_CHECKING:
    from .channel import DataChannel

# A websocket ping after this many seconds without a message, the connection dropped if its pong
# is 10 s late (aiohttp's heartbeat): a silent drop is noticed within about 30 s and the resume
# starts then. The official client pings every 5 minutes and notices nothing in between.
HEARTBEAT_S = 20.0
MAX_FRAME = 1024 * 1024


class ChannelError(Exception):
    """The data channel failed; the message is one readable line."""


class Opening:
    """Awaitable and async context manager around opening a channel."""

    def __init__(self, coro: Any) -> None:
        self._coro = coro
        self._channel: DataChannel | None = None

    def __await__(self):
        return self._coro.__await__()

    async def __aenter__(self) -> DataChannel:
        self._channel = await self._coro
        return self._channel

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._channel is not None
        await self._channel.close()


async def ws_connect(
    http: aiohttp.ClientSession, url: str, heartbeat: float
) -> aiohttp.ClientWebSocketResponse:
    return await http.ws_connect(url, autoping=True, heartbeat=heartbeat, max_msg_size=MAX_FRAME)


def describe(exc: BaseException) -> str:
    """An exception as a short phrase for a ChannelError's line: its type and first line."""
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
