"""Coalesce the many small websocket frames written in one event-loop turn into one socket write.

An SSM data channel moves a 1144-byte frame plus a ~300-byte ack frame per KiB of data; aiohttp
writes each frame to the socket at once, so a busy channel spends most of its time in send(2).
Collecting the frames of one loop turn and writing them together cuts that to one call per turn.
Order is preserved (everything goes through the same buffer) and close/abort flush first.
"""

from __future__ import annotations

import asyncio
from typing import Any


class CoalescingTransport:
    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._chunks: list[bytes] = []
        self._scheduled = False
        self._loop = asyncio.get_running_loop()

    def write(self, data: bytes) -> None:
        self._chunks.append(data)
        if not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self.flush)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._scheduled = False
        if self._chunks:
            data = b"".join(self._chunks)
            self._chunks.clear()
            if not self._transport.is_closing():
                self._transport.write(data)

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(map(len, self._chunks))

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def coalesce_writes(ws: Any) -> None:
    """Route an aiohttp websocket's frame writes through a CoalescingTransport.

    Relies on aiohttp's WebSocketWriter keeping its transport in `.transport`; if a future aiohttp
    does not, the websocket is left as it is (correct, only slower).
    """
    writer = getattr(ws, "_writer", None)
    transport = getattr(writer, "transport", None)
    if transport is None or isinstance(transport, CoalescingTransport) or not hasattr(transport, "write"):
        return
    writer.transport = CoalescingTransport(transport)
