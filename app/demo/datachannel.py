"""The simulated SSM service's data-channel endpoint: websockets in, one agent session each.

Mounted on `/v1/data-channel/{session_id}`. The open message's TokenValue must be the one
StartSession issued for that session, once (anything else closes the websocket with an error);
then `AgentSession` (agent_session.py) plays amazon-ssm-agent's part. Websocket pings are answered
here by hand rather than by aiohttp, so tests can see that a client really sent them.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque

from aiohttp import WSMsgType, web

from .agent_faults import AgentFaults
from .agent_session import AgentSession, PortOpener
from .sessions import DemoSession, SessionRegistry

log = logging.getLogger(__name__)

OPEN_TIMEOUT_S = 10.0
MAX_FRAME = 1024 * 1024
ROUTE = "/v1/data-channel/{session_id}"


class DataChannelService:
    """Accepts data-channel websockets for sessions in `registry` and runs the agent for each."""

    def __init__(
        self, registry: SessionRegistry, open_port: PortOpener, faults: AgentFaults | None = None
    ) -> None:
        self.registry = registry
        self.faults = faults or AgentFaults()
        self._open_port = open_port  # async (session) -> (reader, writer) of the space's port
        self.live: set[AgentSession] = set()  # sessions running now
        # How recent sessions ended ("terminated", "port closed", "port refused", "handshake timed
        # out", "websocket closed", "cut"), newest last: lets tests see that a client closed politely.
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
        """Drop every live websocket abruptly, as a network failure would."""
        for session in list(self.live):
            session.cut()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=MAX_FRAME, autoping=False, compress=False)
        await ws.prepare(request)
        session = await self._authenticate(request.match_info["session_id"], ws)
        if session is None:
            await ws.close(code=1008, message=b"session authentication failed")
            return ws
        agent = AgentSession(ws, request, session, self._open_port, self.faults, self._count_ping)
        self.live.add(agent)
        try:
            await agent.run()
        finally:
            session.ended = True
            self.live.discard(agent)
            self.endings.append(agent.ending)
            self.duplicates_acked += agent.receiver.duplicates_acked
            self.buffered_ahead += agent.receiver.buffered
        return ws

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
