"""The simulated SSM agent: the websocket end of a data channel for a port session.

Mounted on `/v1/data-channel/{session_id}`. It behaves as the real agent does where a client can
tell: the open message's TokenValue must be the one StartSession issued (anything else closes the
websocket with an error), a HandshakeRequest for a Port session opens the conversation, every
handshake message is acknowledged before it is acted on, data that arrives before the port is open
is refused without an ack (clients must resend), and `channel_closed` ends the session when the
space's side of the connection closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import logging
from collections import deque
from collections.abc import Callable

from aiohttp import WSMsgType, web

from ..ssm import frames
from ..ssm.frames import Flag, Message, MessageType, PayloadType, ProtocolError
from ..ssm.reliability import IncomingStream, OutgoingStream
from ..ssm.wsbatch import coalesce_writes
from .agent_faults import AgentFaults, FaultyLink, TokenBucket
from .sessions import DemoSession, SessionRegistry

log = logging.getLogger(__name__)

AGENT_VERSION = "3.3.1959.0"
OPEN_TIMEOUT_S = 10.0
DRAIN_TIMEOUT_S = 5.0
MAX_FRAME = 1024 * 1024
READ_CHUNK = 64 * 1024
# The real agent sends 1024-byte data messages, like the client.
OUTPUT_PAYLOAD_SIZE = 1024
ROUTE = "/v1/data-channel/{session_id}"

PortOpener = Callable[[DemoSession], "asyncio.Future[tuple[asyncio.StreamReader, asyncio.StreamWriter]]"]


class DataChannelService:
    """Accepts data-channel websockets for sessions in `registry` and runs the agent for each."""

    def __init__(
        self, registry: SessionRegistry, open_port: Callable, faults: AgentFaults | None = None
    ) -> None:
        self.registry = registry
        self.faults = faults or AgentFaults()
        self._open_port = open_port  # async (session) -> (reader, writer) of the space's port
        self._live: set[_AgentConnection] = set()
        # How recent sessions ended ("terminated", "port closed", "websocket closed", "cut"),
        # newest last: lets tests see that a client closed politely.
        self.endings: deque[str] = deque(maxlen=100)

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
        for connection in list(self._live):
            connection.cut()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=MAX_FRAME, autoping=True, compress=False)
        await ws.prepare(request)
        coalesce_writes(ws)
        session = await self._authenticate(request.match_info["session_id"], ws)
        if session is None:
            await ws.close(code=1008, message=b"session authentication failed")
            return ws
        connection = _AgentConnection(ws, request, session, self._open_port, self.faults)
        self._live.add(connection)
        try:
            await connection.run()
        finally:
            self._live.discard(connection)
            self.endings.append(connection.ending)
        return ws

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


class _AgentConnection:
    def __init__(
        self,
        ws: web.WebSocketResponse,
        request: web.Request,
        session: DemoSession,
        open_port: Callable,
        faults: AgentFaults,
    ) -> None:
        self._ws = ws
        self._request = request
        self._session = session
        self._open_port = open_port
        self._faults = faults
        self._to_client = FaultyLink(faults, self._send_counted)
        self._from_client = FaultyLink(faults, self._on_sequenced_frame)
        # Frames reach _on_sequenced_frame from the read loop and from the fault link's delayed
        # release at once; without this lock one could write its bytes to the port before an
        # earlier one that is still awaiting its ack, and the stream would arrive reordered.
        self._in_order = asyncio.Lock()
        self._out = OutgoingStream(self._to_client.pass_on, MessageType.OUTPUT)
        self._in = IncomingStream()
        self._bucket = TokenBucket()
        self._bytes_crossed = 0
        self._port_writer: asyncio.StreamWriter | None = None
        self._tasks: list[asyncio.Task] = []
        self._done = asyncio.Event()
        self.ending = "websocket closed"

    async def run(self) -> None:
        self._tasks.append(asyncio.create_task(self._resends()))
        reader = asyncio.create_task(self._read_loop())
        self._tasks.append(reader)
        try:
            await self._out.send(
                PayloadType.HANDSHAKE_REQUEST, frames.json_payload(self._handshake_request())
            )
            await self._done.wait()
        except (ConnectionError, RuntimeError):
            pass
        finally:
            for task in self._tasks:
                task.cancel()
            for task in self._tasks:
                with contextlib.suppress(BaseException):
                    await task
            if self._port_writer is not None:
                self._port_writer.close()
            with contextlib.suppress(Exception):
                await self._ws.close()

    def cut(self) -> None:
        transport = self._request.transport
        if transport is not None:
            transport.abort()
        self._end("cut")

    def _handshake_request(self) -> dict:
        return {
            "AgentVersion": AGENT_VERSION,
            "RequestedClientActions": [
                {
                    "ActionType": "SessionType",
                    "ActionParameters": {
                        "SessionType": "Port",
                        "Properties": {"portNumber": str(self._session.port)},
                    },
                }
            ],
        }

    # --- frames in ---------------------------------------------------------------------------

    async def _read_loop(self) -> None:
        try:
            async for msg in self._ws:
                if msg.type is not WSMsgType.BINARY:
                    continue
                frame = msg.data
                if frame[4:21] == b"input_stream_data":
                    rate = self._faults.receive_rate
                    if rate:  # the cap is on data: headers ride free, as on a real link's payload
                        await self._bucket.take(len(frame) - frames.PAYLOAD_OFFSET, rate)
                    self._count(len(frame))
                    await self._from_client.pass_on(frame)
                else:
                    message = frames.decode(frame)
                    if message.message_type == MessageType.ACK:
                        await self._out.on_ack(frames.acked_sequence_number(message))
        except ProtocolError as exc:
            log.info("closing data channel %s: %s", self._session.session_id, exc)
        except (ConnectionError, RuntimeError):
            pass
        finally:
            self._end("websocket closed")

    async def _on_sequenced_frame(self, frame: bytes) -> None:
        message = frames.decode(frame)
        if message.payload_type == PayloadType.OUTPUT and self._port_writer is None:
            return  # the port is not open yet: refuse without an ack, the client resends
        async with self._in_order:
            should_ack, ready = self._in.accept(message)
            if should_ack:
                await self._ws.send_bytes(frames.ack_frame(message))
            for item in ready:
                await self._process(item)

    async def _process(self, message: Message) -> None:
        kind = message.payload_type
        if kind == PayloadType.OUTPUT:
            writer = self._port_writer
            if writer is not None and not writer.is_closing():
                writer.write(message.payload)
                if writer.transport.get_write_buffer_size() > READ_CHUNK:
                    await writer.drain()
        elif kind == PayloadType.HANDSHAKE_RESPONSE:
            await self._out.send(
                PayloadType.HANDSHAKE_COMPLETE,
                frames.json_payload({"HandshakeTimeToComplete": 1_000_000, "CustomerMessage": ""}),
            )
            self._tasks.append(asyncio.create_task(self._connect_port()))
        elif kind == PayloadType.FLAG:
            flag = frames.parse_flag(message.payload)
            if flag == Flag.TERMINATE_SESSION:
                self._end("terminated")
            elif flag == Flag.DISCONNECT_TO_PORT and self._port_writer is not None:
                self._port_writer.close()

    # --- the space's port --------------------------------------------------------------------

    async def _connect_port(self) -> None:
        if self._faults.port_open_delay:
            await asyncio.sleep(self._faults.port_open_delay)
        try:
            reader, writer = await self._open_port(self._session)
        except OSError:
            await self._out.send(PayloadType.FLAG, frames.flag_payload(Flag.CONNECT_TO_PORT_ERROR))
            await self._close_channel()
            return
        self._port_writer = writer
        try:
            while data := await reader.read(READ_CHUNK):
                view = memoryview(data)
                for start in range(0, len(view), OUTPUT_PAYLOAD_SIZE):
                    await self._out.send(PayloadType.OUTPUT, bytes(view[start : start + OUTPUT_PAYLOAD_SIZE]))
        except (ConnectionError, RuntimeError):
            pass
        await self._close_channel()

    async def _close_channel(self) -> None:
        """The port side closed: let the client take everything, then say channel_closed."""
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._out.wait_all_acked(), DRAIN_TIMEOUT_S)
        payload = frames.json_payload(
            {
                "MessageType": "channel_closed",
                "MessageId": str(frames.new_message_id()),
                "CreatedDate": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
                "DestinationId": "",
                "SessionId": self._session.session_id,
                "SchemaVersion": 1,
                "Output": "",
            }
        )
        with contextlib.suppress(Exception):
            await self._ws.send_bytes(frames.encode(Message(MessageType.CHANNEL_CLOSED, 0, 0, payload)))
        self._end("port closed")

    def _end(self, how: str) -> None:
        if not self._done.is_set():
            self.ending = how
            self._done.set()

    # --- frames out --------------------------------------------------------------------------

    async def _resends(self) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            await self._out.run_resends()

    async def _send_counted(self, frame: bytes) -> None:
        self._count(len(frame))
        await self._ws.send_bytes(frame)

    def _count(self, size: int) -> None:
        self._bytes_crossed += size
        limit = self._faults.cut_after_bytes
        if limit is not None and self._bytes_crossed >= limit:
            self.cut()
