"""A simulated SSM agent whose port is a byte sink or source, in a process of its own.

For the raw data-channel throughput: port 1 swallows `size` bytes and then answers b"ok";
port 2 sends `size` bytes and closes. An optional second argument caps the data the agent takes
from the client, in bytes/s (AgentFaults.receive_rate: a slow link). Sessions are created on request
over stdin/stdout (one JSON line each way), so the session token travels through a pipe, never a
command line or file.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys

SINK, SOURCE = 1, 2
ARN = "arn:aws:sagemaker:us-east-1:123456789012:space/d-bench/tunnel"
CHUNK = 256 * 1024


async def _sink(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, size: int) -> None:
    got = 0
    while got < size:
        data = await reader.read(CHUNK)
        if not data:
            break
        got += len(data)
    writer.write(b"ok")
    await writer.drain()
    writer.close()


async def _source(writer: asyncio.StreamWriter, size: int) -> None:
    block = b"\xa5" * CHUNK
    sent = 0
    while sent < size:
        part = block[: min(CHUNK, size - sent)]
        writer.write(part)
        await writer.drain()
        sent += len(part)
    writer.close()


async def main(size: int, receive_rate: float | None = None) -> None:
    from sm_spaces.demo.agent_faults import AgentFaults
    from sm_spaces.demo.datachannel import DataChannelService
    from sm_spaces.demo.sessions import SessionRegistry

    tasks: set[asyncio.Task] = set()

    async def open_port(session) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        ours, theirs = socket.socketpair()
        reader, writer = await asyncio.open_connection(sock=ours)
        far_reader, far_writer = await asyncio.open_connection(sock=theirs)
        job = _sink(far_reader, far_writer, size) if session.port == SINK else _source(far_writer, size)
        task = asyncio.ensure_future(job)
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return reader, writer

    registry = SessionRegistry()
    service = DataChannelService(registry, open_port, AgentFaults(receive_rate=receive_rate))
    runner, base = await service.serve_loopback()
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        session = registry.create(ARN, port=int(line))
        print(json.dumps({"url": registry.stream_url(base, session), "token": session.token}), flush=True)
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else None))
