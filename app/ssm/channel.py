"""The client side of an SSM data channel for a port session (the role of session-manager-plugin).

    async with DataChannel.connect(stream_url, token) as channel:
        await channel.send(b"...")
        data = await channel.receive()      # b"" once the session has ended cleanly

A lost websocket or a malformed message raises `ChannelError` from send/receive; it never looks
like a clean end of stream, so a cut transfer cannot pass for a complete one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections import deque
from typing import Any

import aiohttp

from ..safe_text import safe_text
from . import frames
from .frames import Flag, Message, MessageType, PayloadType, ProtocolError
from .reliability import IncomingStream, OutgoingStream

log = logging.getLogger(__name__)

CLIENT_VERSION = "1.2.0.0"
DATA_PAYLOAD_SIZE = 1024
PING_INTERVAL_S = 300.0
HANDSHAKE_TIMEOUT_S = 30.0
CLOSE_TIMEOUT_S = 2.0
# Received data held for a slow reader before we stop reading the websocket (backpressure).
INBOX_LIMIT = 4 * 1024 * 1024
MAX_FRAME = 1024 * 1024
CLOSE_REASON_LIMIT = 400  # characters of channel_closed's Output shown to the user


class ChannelError(Exception):
    """The data channel failed; the message is one readable line."""


class DataChannel:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        ws: aiohttp.ClientWebSocketResponse,
        *,
        ping_interval: float = PING_INTERVAL_S,
    ) -> None:
        self._http = http
        self._ws = ws
        self._ping_interval = ping_interval
        self._out = OutgoingStream(ws.send_bytes, MessageType.INPUT)
        self._in = IncomingStream()
        self._inbox: deque[bytes] = deque()
        self._inbox_bytes = 0
        self._readable = asyncio.Event()
        self._inbox_space = asyncio.Event()
        self._inbox_space.set()
        self._handshake_done = asyncio.Event()
        self._eof = False
        self._error: ChannelError | None = None
        self._tasks: list[asyncio.Task] = []
        self.closed = False
        self._closed_event = asyncio.Event()
        self.session_type: str | None = None
        self.remote_port: str | None = None
        self.received_bytes = 0  # data from the remote port so far
        # Set when the agent's side ended the session (channel_closed or Flag TerminateSession);
        # the reason is channel_closed's Output, "" when it gave none.
        self.ended_by_agent = False
        self.close_reason = ""

    # --- opening ---------------------------------------------------------------------------

    @classmethod
    def connect(cls, stream_url: str, token: str, **options: Any) -> _Opening:
        """Open a channel: `await DataChannel.connect(...)` or `async with DataChannel.connect(...)`."""
        return _Opening(cls._open(stream_url, token, **options))

    @classmethod
    async def _open(
        cls,
        stream_url: str,
        token: str,
        *,
        ping_interval: float = PING_INTERVAL_S,
        handshake_timeout: float = HANDSHAKE_TIMEOUT_S,
        client_version: str = CLIENT_VERSION,
    ) -> DataChannel:
        # trust_env: HTTP(S)_PROXY and NO_PROXY apply to the websocket as to every other call.
        http = aiohttp.ClientSession(trust_env=True)
        try:
            ws = await http.ws_connect(stream_url, autoping=True, max_msg_size=MAX_FRAME)
        except (aiohttp.ClientError, OSError) as exc:
            await http.close()
            raise ChannelError(f"cannot open the data channel: {_describe(exc)}") from None
        channel = cls(http, ws, ping_interval=ping_interval)
        try:
            await channel._start(token, client_version, handshake_timeout)
        except BaseException:
            await channel.abort()
            raise
        return channel

    async def _start(self, token: str, client_version: str, timeout: float) -> None:
        self._client_version = client_version
        opening = {
            "MessageSchemaVersion": "1.0",
            "RequestId": str(uuid.uuid4()),
            "TokenValue": token,
            "ClientId": str(uuid.uuid4()),
            "ClientVersion": client_version,
        }
        await self._ws.send_str(json.dumps(opening))
        self._tasks = [
            asyncio.create_task(self._read_loop(), name="ssm-read"),
            asyncio.create_task(self._resend_loop(), name="ssm-resend"),
            asyncio.create_task(self._ping_loop(), name="ssm-ping"),
        ]
        waiter = asyncio.ensure_future(self._handshake_done.wait())
        try:
            await asyncio.wait([waiter, self._tasks[0]], timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
        if self._error is not None:
            raise self._error
        if not self._handshake_done.is_set():
            if self._eof:
                why = f": {self.close_reason}" if self.close_reason else "; start a new session"
                raise ChannelError(f"the data channel closed before the session started{why}")
            raise ChannelError("the data channel did not finish its handshake in time; try again")

    # --- public API ------------------------------------------------------------------------

    async def send(self, data: bytes) -> None:
        """Queue `data` for the remote port, in 1024-byte messages, as the window allows."""
        if self._error is not None:
            raise self._error
        if self.closed or self._eof:
            raise self.early_end() or ChannelError("the data channel is closed")
        view = memoryview(data)
        try:
            for start in range(0, len(view), DATA_PAYLOAD_SIZE):
                await self._out.send(PayloadType.OUTPUT, bytes(view[start : start + DATA_PAYLOAD_SIZE]))
        except (ConnectionError, RuntimeError) as exc:
            raise self._fail(f"the data channel connection was lost ({_describe(exc)})") from None

    async def receive(self) -> bytes:
        """Data from the remote port in order; b"" once the session ended cleanly."""
        while not self._inbox:
            if self._error is not None:
                raise self._error
            if self._eof:
                return b""
            self._readable.clear()
            await self._readable.wait()
        data = b"".join(self._inbox) if len(self._inbox) > 1 else self._inbox[0]
        self._inbox.clear()
        self._inbox_bytes = 0
        self._inbox_space.set()
        return data

    async def drain(self) -> None:
        """Wait until the agent has acknowledged everything sent so far."""
        try:
            await self._out.wait_all_acked()
        except ChannelError:
            raise
        except Exception as exc:
            raise self._fail(f"the data channel connection was lost ({_describe(exc)})") from None

    @property
    def at_eof(self) -> bool:
        return self._eof

    @property
    def resends(self) -> int:
        return self._out.resends

    async def close(self, *, timeout: float = CLOSE_TIMEOUT_S) -> None:
        """Politely end the session: flush, send Flag TerminateSession, close the websocket."""
        if self.closed:
            return
        if self._error is None and not self._eof:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._terminate(), timeout)
        await self.abort()

    async def _terminate(self) -> None:
        await self._out.wait_all_acked()
        await self._out.send(PayloadType.FLAG, frames.flag_payload(Flag.TERMINATE_SESSION))
        await self._out.wait_all_acked()

    async def abort(self) -> None:
        """Close at once, without telling the agent."""
        self.closed = True
        current = asyncio.current_task()
        for task in self._tasks:
            if task is not current:
                task.cancel()
        for task in self._tasks:
            if task is not current:
                with contextlib.suppress(BaseException):
                    await task
        self._out.fail(self._error or ChannelError("the data channel is closed"))
        with contextlib.suppress(Exception):
            await self._ws.close()
        await self._http.close()
        self._eof = True
        self._readable.set()
        self._closed_event.set()

    async def wait_closed(self) -> None:
        await self._closed_event.wait()

    async def __aenter__(self) -> DataChannel:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # --- background tasks ------------------------------------------------------------------

    async def _read_loop(self) -> None:
        ws = self._ws
        try:
            while True:
                msg = await ws.receive()
                if msg.type is aiohttp.WSMsgType.BINARY:
                    await self._on_frame(msg.data)
                    if self._eof:
                        return
                elif msg.type in (
                    aiohttp.WSMsgType.CLOSE,
                    aiohttp.WSMsgType.CLOSING,
                    aiohttp.WSMsgType.CLOSED,
                    aiohttp.WSMsgType.ERROR,
                ):
                    self._on_websocket_closed(ws.close_code, msg.extra)
                    return
                # TEXT frames carry nothing for a port session; pings are answered by aiohttp.
        except ProtocolError as exc:
            self._fail(f"the data channel sent a malformed message ({exc}); reconnect")
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._fail(f"the data channel connection was lost ({_describe(exc)})")

    async def _resend_loop(self) -> None:
        try:
            await self._out.run_resends()
        except ChannelError:
            pass
        except (ConnectionError, RuntimeError) as exc:
            self._fail(f"the data channel connection was lost ({_describe(exc)})")

    async def _ping_loop(self) -> None:
        while True:
            await asyncio.sleep(self._ping_interval)
            with contextlib.suppress(Exception):
                await self._ws.ping()

    async def _on_frame(self, frame: bytes) -> None:
        message = frames.decode(frame)
        kind = message.message_type
        if kind == MessageType.ACK:
            await self._out.on_ack(frames.acked_sequence_number(message))
        elif kind == MessageType.OUTPUT:
            should_ack, ready = self._in.accept(message)
            if should_ack:
                await self._ws.send_bytes(frames.ack_frame(message))
            for item in ready:
                await self._process(item)
        elif kind == MessageType.CHANNEL_CLOSED:
            self._on_channel_closed(message.payload)
        elif kind in (MessageType.START_PUBLICATION, MessageType.PAUSE_PUBLICATION):
            # Ignored, as the official client ignores them (OutputMessageHandler in
            # src/datachannel/streaming.go): a pause never holds our sends, so it cannot hang a
            # session, and whatever the service drops while paused is resent like any lost message.
            log.debug("data channel: %s received (ignored, as the official client does)", kind)
        else:
            log.debug("data channel: skipped a message of unknown type %r", kind)

    async def _process(self, message: Message) -> None:
        kind = message.payload_type
        if kind == PayloadType.OUTPUT:
            if self._eof:
                return
            self.received_bytes += len(message.payload)
            self._inbox.append(message.payload)
            self._inbox_bytes += len(message.payload)
            self._readable.set()
            if self._inbox_bytes > INBOX_LIMIT:
                self._inbox_space.clear()
                await self._inbox_space.wait()
        elif kind == PayloadType.HANDSHAKE_REQUEST:
            await self._answer_handshake(frames.parse_json_payload(message.payload))
        elif kind == PayloadType.HANDSHAKE_COMPLETE:
            self._handshake_done.set()
        elif kind == PayloadType.FLAG:
            flag = frames.parse_flag(message.payload)
            if flag == Flag.CONNECT_TO_PORT_ERROR:
                port = self.remote_port or "the requested port"
                self._fail(
                    f"the space refused the connection to port {port}; check that the space is running"
                )
            elif flag == Flag.TERMINATE_SESSION:
                self._set_eof()
        # StdErr, ExitCode and others belong to shell sessions and carry nothing here.

    async def _answer_handshake(self, request: dict) -> None:
        processed = []
        for action in request.get("RequestedClientActions") or []:
            action_type = action.get("ActionType") if isinstance(action, dict) else None
            if action_type == "SessionType":
                params = action.get("ActionParameters") or {}
                if isinstance(params, dict):
                    self.session_type = params.get("SessionType")
                    properties = params.get("Properties")
                    if isinstance(properties, dict) and str(properties.get("portNumber", "")).isdigit():
                        self.remote_port = str(properties["portNumber"])
                processed.append(
                    {"ActionType": "SessionType", "ActionStatus": 1, "ActionResult": None, "Error": ""}
                )
            else:
                # KMS encryption is never requested for port sessions; refuse what we cannot do.
                processed.append(
                    {
                        "ActionType": action_type,
                        "ActionStatus": 2,
                        "ActionResult": None,
                        "Error": f"{action_type} is not supported by this client",
                    }
                )
        response = {
            "ClientVersion": self._client_version,
            "ProcessedClientActions": processed,
            "Errors": None,
        }
        await self._out.send(PayloadType.HANDSHAKE_RESPONSE, frames.json_payload(response))

    # --- endings ---------------------------------------------------------------------------

    def _on_channel_closed(self, payload: bytes) -> None:
        """channel_closed ends the session; its JSON payload's Output says why, if anything (the
        agent's "Unable to connect to specified port: ..." when the space's port refused us). A
        payload that is not such JSON still ends the session, without a reason (as in
        HandleChannelClosedMessage, src/datachannel/streaming.go)."""
        try:
            output = json.loads(payload).get("Output") if payload else None
        except (ValueError, AttributeError):
            output = None
        if isinstance(output, str):
            self.close_reason = " ".join(safe_text(output).split())[:CLOSE_REASON_LIMIT]
        self._set_eof()

    def _set_eof(self) -> None:
        self.ended_by_agent = True
        self._eof = True
        self._readable.set()
        self._out.fail(ChannelError("the session has ended"))

    def early_end(self) -> ChannelError | None:
        """A readable error if the agent ended the session before the remote port sent anything
        (for a port session that is always a failure: the port never answered); None otherwise."""
        if not self.ended_by_agent or self.received_bytes:
            return None
        port = f"port {self.remote_port}" if self.remote_port else "the remote port"
        if self.close_reason:
            return ChannelError(f"the session ended before {port} sent anything: {self.close_reason}")
        return ChannelError(f"the session ended before {port} sent anything; check that the space is running")

    def _on_websocket_closed(self, code: int | None, extra: object) -> None:
        if self._eof:
            return
        if not self._handshake_done.is_set() and code not in (None, 1000, 1006):
            self._fail("the data channel refused the session (expired or invalid token); start a new session")
        else:
            self._fail("the data channel connection was lost before the session ended")

    def _fail(self, text: str) -> ChannelError:
        if self._error is None:
            self._error = ChannelError(text)
            self._out.fail(self._error)
            self._readable.set()
            self._inbox_space.set()
        return self._error


class _Opening:
    """Awaitable and async context manager around opening a channel."""

    def __init__(self, coro: Any) -> None:
        self._coro = coro
        self._channel: DataChannel | None = None

    def __await__(self):
        return self._coro.__await__()

    async def __aenter__(self) -> DataChannel:
        self._channel = await self._coro
        return self._channel

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._channel is not None
        await self._channel.close()


def _describe(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
