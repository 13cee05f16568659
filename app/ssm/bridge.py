"""Pump bytes between a data channel and a pair of asyncio streams (stdin/stdout for ssh-proxy).

Input EOF closes the session politely (Flag TerminateSession, then the websocket); the session
ending on the agent's side (channel_closed) ends the bridge. A lost connection raises ChannelError.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys

from app.ssm.channel import DataChannel

READ_SIZE = 64 * 1024


async def bridge(channel: DataChannel, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    upstream = asyncio.create_task(_upstream(channel, reader))
    downstream = asyncio.create_task(_downstream(channel, writer))
    try:
        done, _ = await asyncio.wait([upstream, downstream], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()  # raises ChannelError if the connection was lost
    finally:
        for task in (upstream, downstream):
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        await channel.close()


async def _upstream(channel: DataChannel, reader: asyncio.StreamReader) -> None:
    while data := await reader.read(READ_SIZE):
        await channel.send(data)
    await channel.close()


async def _downstream(channel: DataChannel, writer: asyncio.StreamWriter) -> None:
    while data := await channel.receive():
        writer.write(data)
        await writer.drain()
    with contextlib.suppress(Exception):
        writer.close()


async def open_stdio() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Asyncio streams over this process's stdin and stdout (for a ProxyCommand)."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=READ_SIZE * 4)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader),
                                 os.fdopen(os.dup(sys.stdin.fileno()), "rb", buffering=0))
    transport, protocol = await loop.connect_write_pipe(
        asyncio.streams.FlowControlMixin, os.fdopen(os.dup(sys.stdout.fileno()), "wb", buffering=0))
    writer = asyncio.StreamWriter(transport, protocol, reader, loop)
    return reader, writer
