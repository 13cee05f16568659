"""Run asyncssh (or any asyncio protocol) over a data channel.

    tunnel = ChannelTunnel(lambda: DataChannel.connect(stream_url, token))
    async with asyncssh.connect("space", tunnel=tunnel, username="sagemaker-user", ...) as conn:
        ...

asyncssh calls `create_connection(protocol_factory, host, port)` on a tunnel object; we answer with
a transport whose bytes travel over the channel. The protocol package itself stays asyncssh-free.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from .channel import ChannelError, DataChannel

WRITE_HIGH_WATER = 1024 * 1024
WRITE_LOW_WATER = 256 * 1024


class ChannelTransport(asyncio.Transport):
    def __init__(self, channel: DataChannel, protocol: asyncio.Protocol, peer: tuple[str, int]) -> None:
        super().__init__()
        self._channel = channel
        self._protocol = protocol
        self._peer = peer
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._has_pending = asyncio.Event()
        self._writing_paused = False
        self._reading = asyncio.Event()
        self._reading.set()
        self._closing = False
        self._lost = False
        self._tasks: list[asyncio.Task] = []

    def start(self) -> None:
        self._protocol.connection_made(self)
        self._tasks = [asyncio.create_task(self._write_loop()), asyncio.create_task(self._read_loop())]

    # --- asyncio.Transport -------------------------------------------------------------------

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": self._peer, "data_channel": self._channel}.get(name, default)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._closing or not data:
            return
        self._pending.append(bytes(data))
        self._pending_size += len(data)
        self._has_pending.set()
        if not self._writing_paused and self._pending_size > WRITE_HIGH_WATER:
            self._writing_paused = True
            self._protocol.pause_writing()

    def get_write_buffer_size(self) -> int:
        return self._pending_size

    def can_write_eof(self) -> bool:
        return False

    def is_closing(self) -> bool:
        return self._closing

    def pause_reading(self) -> None:
        self._reading.clear()

    def resume_reading(self) -> None:
        self._reading.set()

    def is_reading(self) -> bool:
        return self._reading.is_set()

    def close(self) -> None:
        if not self._closing:
            self._closing = True
            self._has_pending.set()  # the writer flushes, then closes the channel politely

    def abort(self) -> None:
        self._closing = True
        for task in self._tasks:
            task.cancel()
        self._tasks.append(asyncio.ensure_future(self._finish(None, polite=False)))

    # --- pumps -------------------------------------------------------------------------------

    async def _write_loop(self) -> None:
        try:
            while True:
                await self._has_pending.wait()
                self._has_pending.clear()
                if self._pending:
                    data = b"".join(self._pending)
                    self._pending.clear()
                    self._pending_size = 0
                    await self._channel.send(data)
                    if self._writing_paused and self._pending_size < WRITE_LOW_WATER:
                        self._writing_paused = False
                        self._protocol.resume_writing()
                elif self._closing:
                    await self._finish(None, polite=True)
                    return
        except ChannelError as exc:
            await self._finish(exc, polite=False)

    async def _read_loop(self) -> None:
        try:
            while data := await self._channel.receive():
                await self._reading.wait()
                self._protocol.data_received(data)
            # A session the agent ended before the port said anything never reached sshd: the
            # protocol hears why (the agent's reason) instead of a bare end of stream.
            early = self._channel.early_end()
            if early is not None:
                raise early
            self._protocol.eof_received()
            await self._finish(None, polite=False)
        except ChannelError as exc:
            await self._finish(exc, polite=False)

    async def _finish(self, exc: Exception | None, *, polite: bool) -> None:
        if self._lost:
            return
        self._lost = True
        self._closing = True
        if polite:
            await self._channel.close()
        else:
            await self._channel.abort()
        current = asyncio.current_task()
        for task in self._tasks:
            if task is not current:
                task.cancel()
        self._protocol.connection_lost(exc)


class ChannelTunnel:
    """A tunnel for `asyncssh.connect(..., tunnel=...)`: each connection opens a fresh channel."""

    def __init__(self, open_channel: Callable[[], Awaitable[DataChannel]]) -> None:
        self._open_channel = open_channel
        self._transports: list[ChannelTransport] = []

    async def create_connection(
        self, protocol_factory: Callable[[], asyncio.Protocol], remote_host: str, remote_port: int
    ) -> tuple[ChannelTransport, asyncio.Protocol]:
        channel = await self._open_channel()
        protocol = protocol_factory()
        transport = ChannelTransport(channel, protocol, (remote_host, remote_port))
        self._transports.append(transport)
        transport.start()
        return transport, protocol

    def close(self) -> None:
        for transport in self._transports:
            transport.close()

    async def wait_closed(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.gather(*(t._channel.wait_closed() for t in self._transports))
