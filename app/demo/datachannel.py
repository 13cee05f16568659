"""The simulated SSM service's data-channel endpoint: websockets in, one agent session each.

Mounted on `/v1/data-channel/{session_id}`. The open message's TokenValue must be the one
StartSession (or, later, ResumeSession) issued for that session, once (anything else closes the
websocket with an error); then `AgentSession` (agent_session.py) plays amazon-ssm-agent's part. A
session outlives a lost websocket (for AgentFaults.disconnect_grace): a websocket opened with a
token from ResumeSession continues it where it was. Websocket pings are answered
here by hand rather than by aiohttp, so tests can see that a client really sent them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
from collections import deque

from aiohttp import WSMsgType, web

from .agent_faults import AgentFaults
from .agent_session import AgentSession, PortOpener
from .sessions import DemoSession, SessionRegistry

log = logging.getLogger(__name__)

OPEN_TIMEOUT_S = 10.0
# What a cut websocket loses is what was in flight toward the client. A real path holds about its
# bandwidth-delay product; loopback's autotuned socket buffers would hold megabytes, each message
# of which the agent sends again only when it is the oldest, one per 100 ms (agent_sender.py). The
# service's send buffer is kept to a real path's worth.
IN_FLIGHT_BYTES = 64 * 1024
MAX_FRAME = 1024 * 1024
ROUTE = "/v1/data-channel/{session_id}"


def _bounded_in_flight(request: web.Request) -> None:
    transport = request.transport
    sock = transport.get_extra_info("socket") if transport is not None else None
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, IN_FLIGHT_BYTES)


class DataChannelService:
    """Accepts data-channel websockets for sessions in `registry` and runs the agent for each."""

    def __init__(
        self, registry: SessionRegistry, open_port: PortOpener, faults: AgentFaults | None = None
    ) -> None:
        self.registry = registry
        self.faults = faults or AgentFaults()
        self._open_port = open_port  # async (session) -> (reader, writer) of the space's port
        # Sessions running now, with their websocket or waiting to be resumed.
        self.live: set[AgentSession] = set()
        # How recent sessions ended ("terminated", "port closed", "port refused", "handshake timed
        # out", "disconnect grace expired", "aborted"), newest last: lets tests see that a client
        # closed politely.
        self.endings: deque[str] = deque(maxlen=100)
        self.pings = 0  # websocket pings received from clients
        # What the agents' receivers did, over the sessions that have ended.
        self.duplicates_acked = 0
        self.buffered_ahead = 0

    def routes(self) -> list[web.RouteDef]:
        """For `DemoServer.add_routes(...)` (or any aiohttp app) before it starts."""
        return [web.get(ROUTE, self.handle)]

    def add_routes(self, app: web.Application) -> None:
        app.add_routes(self.routes())

    async def serve_loopback(self) -> tuple[web.AppRunner, str]:
        """This service alone on 127.0.0.1 (no SageMaker API): the runner to clean up and the
        ws:// base URL for `SessionRegistry.stream_url`."""
        app = web.Application()
        self.add_routes(app)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        return runner, f"ws://127.0.0.1:{runner.addresses[0][1]}"

    def cut_connections(self) -> None:
        """Drop every live websocket abruptly, as a network failure would (the sessions wait to be
        resumed)."""
        for session in list(self.live):
            session.cut()

    async def close(self) -> None:
        """End every session, attached or waiting to be resumed (the server is stopping)."""
        for session in list(self.live):
            await session.abort()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        # The heartbeat, when set, is how the service notices a client that went silent.
        ws = web.WebSocketResponse(
            max_msg_size=MAX_FRAME, autoping=False, compress=False, heartbeat=self.faults.heartbeat
        )
        await ws.prepare(request)
        _bounded_in_flight(request)
        session = await self._authenticate(request.match_info["session_id"], ws)
        if session is None:
            await ws.close(code=1008, message=b"session authentication failed")
            return ws
        agent = session.agent
        if not isinstance(agent, AgentSession):
            agent = AgentSession(session, self._open_port, self.faults, self._count_ping, self._ended)
            session.agent = agent
            self.live.add(agent)
        await agent.serve(ws, request)
        return ws

    def _ended(self, agent: AgentSession) -> None:
        session = agent.session
        session.ended = True
        session.agent = None
        self.live.discard(agent)
        self.endings.append(agent.ending)
        self.duplicates_acked += agent.receiver.duplicates_acked
        self.buffered_ahead += agent.receiver.buffered

    def _count_ping(self) -> None:
        self.pings += 1

    async def _authenticate(self, session_id: str, ws: web.WebSocketResponse) -> DemoSession | None:
        try:
            first = await asyncio.wait_for(ws.receive(), OPEN_TIMEOUT_S)
        except TimeoutError:
            return None
        if first.type is not WSMsgType.TEXT:
            return None
        try:
            opening = json.loads(first.data)
        except ValueError:
            return None
        token = opening.get("TokenValue") if isinstance(opening, dict) else None
        if not isinstance(token, str):
            return None
        session = self.registry.claim(session_id, token)
        if session is None:
            log.info("refused data channel for session %s: bad or reused token", session_id)
        return session
