"""One data-channel session of the simulated SSM agent: handshake, ordered delivery, the port.

Each rule follows amazon-ssm-agent and says which file it comes from (paths in that repository):
- the session opens with a HandshakeRequest for a Port session and waits at most 15 s for the
  answer, then gives up with the agent's words (agent/session/datachannel/datachannel.go,
  PerformHandshake; the error text from agent/session/plugins/sessionplugin/sessionplugin.go);
- incoming messages follow handleStreamDataMessage in datachannel.go: the expected one is
  processed, then acked, then buffered followers drained; one ahead of order is acked and buffered
  while the buffer has room (100000, agent/session/config/config.go); one from the past is acked
  again ("Resending acknowledge for already processed message");
- data that arrives before the port is open is refused without an ack, so the client resends it
  (ErrHandlerNotReady, agent/session/plugins/port/port.go InputStreamMessageHandler); data that
  arrives before the handshake has completed is acked and dropped (processStreamDataMessage);
- a port that refuses the connection ends the session with channel_closed whose Output is the
  agent's "Unable to connect to specified port: ..." (agent/session/plugins/port/port_basic.go,
  InitializeSession);
- before closing, the agent waits up to 2 s for the client to acknowledge what it sent
  (PrepareToCloseChannel in datachannel.go), then the session ends with channel_closed;
- output is sent, kept and resent by the agent's own sender (agent_sender.py, after datachannel.go's
  SendStreamDataMessage and ResendStreamDataMessageScheduler: only the oldest unacknowledged
  message, without an attempt limit; the client is the side that gives up);
- a lost client websocket does not end the session: the connection to the port stays open, and
  once the client is back (ResumeSession, then a new websocket; ssm_api.py) what it missed reaches
  it. How is not documented, so both (AgentFaults.pause_agent_while_away): the service holds the
  agent's output for the client and passes it on, or it pauses the agent's publication
  (handlePausePublicationMessage in datachannel.go), the agent keeps its output and, after
  start_publication, its scheduler sends it again one message per tick. Until when the service
  keeps a disconnected session is its idle-session timeout (20 minutes by default in Session
  Manager's preferences): `AgentFaults.disconnect_grace`.
Publication control frames come from the service, not the agent; `AgentFaults.publication_pause`
makes this simulator send them the way the service may (service_publication.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
from collections.abc import Awaitable, Callable

from aiohttp import WSMsgType, web

from ..ssm import frames
from ..ssm.frames import Flag, Message, MessageType, PayloadType, ProtocolError
from .agent_faults import AgentFaults, FaultyLink, TokenBucket
from .agent_receiver import AgentReceiver
from .agent_sender import AgentSender
from .service_publication import PublicationControl
from .sessions import DemoSession

log = logging.getLogger(__name__)

AGENT_VERSION = "3.3.1959.0"
# agent/session/config/config.go and datachannel.go
CLOSE_DRAIN_TIMEOUT_S = 2.0
HANDSHAKE_FAILED = (
    "Encountered error while initiating handshake. Handshake timed out. "
    "Please ensure that you have the latest version of the session manager plugin."
)
READ_CHUNK = 64 * 1024
# The agent reads its port 1024 bytes at a time (StreamDataPayloadSize, config.go).
OUTPUT_PAYLOAD_SIZE = 1024

PortOpener = Callable[[DemoSession], Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]]]


class AgentSession:
    """The agent's side of one session, over one client websocket at a time (`serve`)."""

    def __init__(
        self,
        session: DemoSession,
        open_port: PortOpener,
        faults: AgentFaults,
        on_ping: Callable[[], None],
        on_end: Callable[[AgentSession], None],
    ) -> None:
        # The client's websocket now, None while it is away (the session waits to be resumed).
        self._ws: web.WebSocketResponse | None = None
        self._request: web.Request | None = None
        self._attachment = 0  # websockets the session has had, so an old one's end is told apart
        self._on_end = on_end
        self._linger: asyncio.Task | None = None
        self._aborted = False
        self._cut_done = False
        self.attachments = 0
        self._session = session
        self._open_port = open_port
        self._faults = faults
        self._on_ping = on_ping
        self._to_client = FaultyLink(faults, self._send_counted)
        self._from_client = FaultyLink(faults, self._on_sequenced_frame)
        # Frames reach _on_sequenced_frame from the read loop and from the fault link's delayed
        # release at once; without this lock one could write its bytes to the port before an
        # earlier one that is still awaiting its ack, and the stream would arrive reordered.
        self._in_order = asyncio.Lock()
        self._out = AgentSender(self._to_client.pass_on)  # the agent's own rules: agent_sender.py
        # What the service keeps for a client that is away, in order, once each (the agent's
        # scheduler resends its oldest message meanwhile: the copies are the same bytes).
        self._held: dict[bytes, None] = {}
        self.receiver = AgentReceiver()
        self._bucket = TokenBucket()
        self._bytes_crossed = 0
        self._handshake_answered = asyncio.Event()
        self._handshake_complete = False
        self._port_writer: asyncio.StreamWriter | None = None
        self._publication = PublicationControl(faults, self._send_now, self._start_task)
        self._tasks: list[asyncio.Task] = []
        self._done = asyncio.Event()
        self.ending = "websocket closed"

    @property
    def session(self) -> DemoSession:
        return self._session

    @property
    def ended(self) -> bool:
        return self._done.is_set()

    async def serve(self, ws: web.WebSocketResponse, request: web.Request) -> None:
        """Carry the session over `ws` until that websocket is lost or the session ends. The first
        websocket starts the session (handshake); a later one, after ResumeSession, continues it."""
        if self._done.is_set():
            await ws.close()
            return
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None
        self.cut()  # a websocket the client has left behind (it resumed on a new one)
        self._attachment += 1
        mine = self._attachment
        self.attachments += 1
        self._ws, self._request = ws, request
        reader = asyncio.create_task(self._read_loop(ws))
        ending = asyncio.ensure_future(self._done.wait())
        try:
            if mine == 1:
                self._tasks.append(asyncio.create_task(self._resends()))
                if self._faults.session_state_to_client:
                    await ws.send_bytes(self._session_state_frame())
                await self._out.send(
                    PayloadType.HANDSHAKE_REQUEST, frames.json_payload(self._handshake_request())
                )
                self._tasks.append(asyncio.create_task(self._handshake_deadline()))
            else:
                await self._client_back(ws)
            await asyncio.wait([reader, ending], return_when=asyncio.FIRST_COMPLETED)
        except (ConnectionError, RuntimeError):
            pass
        finally:
            for task in (reader, ending):
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
            if self._attachment == mine:
                self._ws = self._request = None
                # The client is away: the service pauses the agent, or holds its output (a switch).
                self._out.paused = self._faults.pause_agent_while_away
                if self._done.is_set():
                    await self.abort()
                else:
                    self._linger = asyncio.create_task(self._wait_for_resume(self._faults.disconnect_grace))
            with contextlib.suppress(Exception):
                await ws.close()

    async def _client_back(self, ws: web.WebSocketResponse) -> None:
        """A resumed client: the output the service held goes out first; a paused agent gets
        start_publication (handleStartPublicationMessage), after which its scheduler sends again
        what it kept, oldest first, one per tick."""
        held, self._held = self._held, {}
        for frame in held:
            await ws.send_bytes(frame)
        self._out.paused = False

    async def _wait_for_resume(self, grace: float) -> None:
        """The client's websocket is gone: keep the session (and its port) for `grace` seconds
        unless it ends meanwhile (its port closed), then end it."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(grace):
                await self._done.wait()
        self._end("disconnect grace expired")
        await self.abort()

    async def abort(self) -> None:
        """Stop every task of this session and close its websocket and port."""
        if self._aborted:
            return
        self._aborted = True
        self._end("aborted")
        current = asyncio.current_task()
        tasks = [*self._tasks, *([self._linger] if self._linger is not None else [])]
        for task in tasks:
            if task is not current:
                task.cancel()
        for task in tasks:
            if task is not current:
                with contextlib.suppress(BaseException):
                    await task
        if self._port_writer is not None:
            self._port_writer.close()
        ws, self._ws = self._ws, None
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()
        self._on_end(self)

    def cut(self) -> None:
        """Drop the client's websocket abruptly, as a network failure would; the session waits
        to be resumed."""
        request = self._request
        transport = request.transport if request is not None else None
        if transport is not None:
            transport.abort()

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

    def _session_state_frame(self) -> bytes:
        """SendAgentSessionStateMessage in datachannel.go: sequence 0, flags 0, payload type 0."""
        state = {"SchemaVersion": 1, "SessionState": "Connected", "SessionId": self._session.session_id}
        return frames.encode(Message("agent_session_state", 0, PayloadType.NONE, frames.json_payload(state)))

    async def _handshake_deadline(self) -> None:
        try:
            await asyncio.wait_for(self._handshake_answered.wait(), self._faults.handshake_timeout)
        except TimeoutError:
            await self.close_channel(HANDSHAKE_FAILED, how="handshake timed out", drain=False)

    # --- frames in ---------------------------------------------------------------------------

    async def _read_loop(self, ws: web.WebSocketResponse) -> None:
        try:
            while True:
                msg = await ws.receive()
                if msg.type is WSMsgType.PING:
                    self._on_ping()
                    if self._faults.answer_pings:
                        await ws.pong(msg.data)
                    continue
                if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                    break
                if msg.type is not WSMsgType.BINARY:
                    continue
                frame = msg.data
                if frame[4:21] == b"input_stream_data":
                    if self._publication.dropped_while_paused():
                        continue
                    rate = self._faults.receive_rate
                    # The cap is on data: headers ride free, as on a real link's payload.
                    if rate and await self._bucket.take(len(frame) - frames.PAYLOAD_OFFSET, rate):
                        self._faults.rate_waits += 1
                    self._count(len(frame))
                    await self._from_client.pass_on(frame)
                else:
                    message = frames.decode(frame)
                    if message.message_type == MessageType.ACK:
                        self._out.on_ack(frames.acked_sequence_number(message))
                    else:  # datachannel.go: "Invalid message type received"
                        log.debug("agent skipped a message of type %r", message.message_type)
        except ProtocolError as exc:
            log.info("closing data channel %s: %s", self._session.session_id, exc)
        except (ConnectionError, RuntimeError):
            pass

    async def _on_sequenced_frame(self, frame: bytes) -> None:
        message = frames.decode(frame)
        async with self._in_order:
            await self.receiver.on_message(message, self._process, self._ack)
        await self._publication.maybe_pause(self.receiver.expected)

    async def _ack(self, message: Message) -> None:
        await self._send_now(frames.ack_frame(message))

    async def _process(self, message: Message) -> bool:
        kind = message.payload_type
        if kind == PayloadType.HANDSHAKE_RESPONSE:
            self._handshake_answered.set()
            await self._out.send(
                PayloadType.HANDSHAKE_COMPLETE,
                frames.json_payload({"HandshakeTimeToComplete": 1_000_000, "CustomerMessage": ""}),
            )
            self._handshake_complete = True
            self._tasks.append(asyncio.create_task(self._connect_port()))
            return True
        if not self._handshake_complete:
            return True  # processStreamDataMessage: ignored (and acked) until the handshake completes
        if kind == PayloadType.OUTPUT:
            writer = self._port_writer
            if writer is None:
                return False  # ErrHandlerNotReady: the port is not open yet
            if not writer.is_closing():
                writer.write(message.payload)
                if writer.transport.get_write_buffer_size() > READ_CHUNK:
                    await writer.drain()
        elif kind == PayloadType.FLAG:
            flag = frames.parse_flag(message.payload)
            if flag == Flag.TERMINATE_SESSION:
                self._end("terminated")
            elif flag == Flag.DISCONNECT_TO_PORT and self._port_writer is not None:
                self._port_writer.close()
        return True

    # --- the space's port --------------------------------------------------------------------

    async def _connect_port(self) -> None:
        if self._faults.port_open_delay:
            await asyncio.sleep(self._faults.port_open_delay)
        try:
            reader, writer = await self._open_port(self._session)
        except OSError:
            # port_basic.go InitializeSession, with Go's wording for a refused dial.
            reason = f"dial tcp 127.0.0.1:{self._session.port}: connect: connection refused"
            await self.close_channel(f"Unable to connect to specified port: {reason}", how="port refused")
            return
        self._port_writer = writer
        try:
            while data := await reader.read(READ_CHUNK):
                view = memoryview(data)
                for start in range(0, len(view), OUTPUT_PAYLOAD_SIZE):
                    await self._out.send(PayloadType.OUTPUT, bytes(view[start : start + OUTPUT_PAYLOAD_SIZE]))
        except (ConnectionError, RuntimeError):
            pass
        await self.close_channel()

    async def close_channel(self, output: str = "", *, how: str = "port closed", drain: bool = True) -> None:
        """End the session as the agent does: let the client take what was sent (at most 2 s),
        then channel_closed with `output` saying why ("" when the port simply closed); `how` is
        what `DataChannelService.endings` records."""
        if drain:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._out.wait_all_acked(), CLOSE_DRAIN_TIMEOUT_S)
        payload = frames.json_payload(
            {
                "MessageType": "channel_closed",
                "MessageId": str(frames.new_message_id()),
                "CreatedDate": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
                "DestinationId": "",
                "SessionId": self._session.session_id,
                "SchemaVersion": 1,
                "Output": output,
            }
        )
        await self._send_now(frames.encode(Message(MessageType.CHANNEL_CLOSED, 0, 0, payload)))
        self._end(how)

    def _end(self, how: str) -> None:
        if not self._done.is_set():
            self.ending = how
            self._done.set()

    # --- frames out --------------------------------------------------------------------------

    def _start_task(self, work: Awaitable[None]) -> None:
        self._tasks.append(asyncio.ensure_future(work))

    async def _resends(self) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            await self._out.run_resends()

    async def _send_counted(self, frame: bytes) -> None:
        self._count(len(frame))
        await self._send_now(frame)

    async def _send_now(self, frame: bytes) -> None:
        """Send on the client's websocket. What was already on its way when the link broke is
        lost (a sequenced frame stays in the agent's buffer for its scheduler); once the service
        knows the client is away (a write failed, or the websocket is gone) it holds what comes
        for the resumed client, or (AgentFaults.pause_agent_while_away) only what is not the
        agent's output, which the paused agent keeps."""
        ws = self._ws
        if ws is not None and not ws.closed:
            try:
                await ws.send_bytes(frame)
                return
            except (ConnectionError, RuntimeError):
                pass
        if self._done.is_set():
            return
        if self._faults.pause_agent_while_away and frame[4:22] == b"output_stream_data":
            return  # the service paused the agent rather than keep its output: the agent keeps it
        self._held[frame] = None

    def _count(self, size: int) -> None:
        self._bytes_crossed += size
        limit = self._faults.cut_after_bytes
        if limit is not None and not self._cut_done and self._bytes_crossed >= limit:
            self._cut_done = True  # once per session: the resumed websocket is left alone
            self.cut()
