"""Data received from the remote port, in order, until the channel's reader takes it.

Past `limit` bytes the channel waits in `put`, so it stops processing messages and with that stops
reading the websocket: a slow reader holds the agent back instead of filling memory.
"""

from __future__ import annotations

import asyncio
from collections import deque

INBOX_LIMIT = 4 * 1024 * 1024


class Inbox:
    def __init__(self, limit: int = INBOX_LIMIT) -> None:
        self._chunks: deque[bytes] = deque()
        self._bytes = 0
        self._limit = limit
        self._readable = asyncio.Event()
        self._space = asyncio.Event()
        self._space.set()

    def __bool__(self) -> bool:
        return bool(self._chunks)

    async def put(self, data: bytes) -> None:
        """Hand `data` to the reader; waits while the reader is more than `limit` bytes behind."""
        self._chunks.append(data)
        self._bytes += len(data)
        self._readable.set()
        if self._bytes > self._limit:
            self._space.clear()
            await self._space.wait()

    def take(self) -> bytes:
        """Everything received so far (b"" when nothing is)."""
        chunks = self._chunks
        data = b"".join(chunks) if len(chunks) > 1 else (chunks[0] if chunks else b"")
        chunks.clear()
        self._bytes = 0
        self._space.set()
        return data

    async def wait_readable(self) -> None:
        """Until data arrives or `wake` is called."""
        self._readable.clear()
        await self._readable.wait()

    def wake(self, *, release: bool = False) -> None:
        """Wake the reader (the session ended or failed); `release` also frees a waiting `put`."""
        self._readable.set()
        if release:
            self._space.set()
