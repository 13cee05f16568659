"""Pump bytes between a data channel and a pair of asyncio streams (stdin/stdout for ssh-proxy).

Input EOF closes the session politely (Flag TerminateSession, then the websocket); the session
ending on the agent's side (channel_closed) ends the bridge. A lost connection raises ChannelError.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys

from .channel import DataChannel

READ_SIZE = 64 * 1024


async def bridge(channel: DataChannel, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Pump until input EOF, the session's end, or SIGHUP/SIGTERM; then close the channel politely.

    OpenSSH sends its ProxyCommand SIGHUP as it exits: catching it lets the agent hear
    TerminateSession instead of seeing the websocket drop.
    """
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    handled = _on_signals(loop, stop.set)
    upstream = asyncio.create_task(_upstream(channel, reader))
    downstream = asyncio.create_task(_downstream(channel, writer))
    stopper = asyncio.create_task(stop.wait())
    try:
        done, _ = await asyncio.wait([upstream, downstream, stopper], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()  # raises ChannelError if the connection was lost
    finally:
        for task in (upstream, downstream, stopper):
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        await channel.close()
        for sig in handled:
            loop.remove_signal_handler(sig)


def _on_signals(loop: asyncio.AbstractEventLoop, callback) -> list[signal.Signals]:
    handled: list[signal.Signals] = []
    for sig in (signal.SIGHUP, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, callback)
        except (NotImplementedError, RuntimeError, ValueError):
            continue  # not the main thread, or not a Unix loop: keep the default behaviour
        handled.append(sig)
    return handled


async def _upstream(channel: DataChannel, reader: asyncio.StreamReader) -> None:
    while data := await reader.read(READ_SIZE):
        await channel.send(data)


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
    await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(os.dup(sys.stdin.fileno()), "rb", buffering=0)
    )
    transport, protocol = await loop.connect_write_pipe(
        asyncio.streams.FlowControlMixin, os.fdopen(os.dup(sys.stdout.fileno()), "wb", buffering=0)
    )
    writer = asyncio.StreamWriter(transport, protocol, reader, loop)
    return reader, writer
