"""The client side of an SSM data channel for a port session (the role of session-manager-plugin).

    async with DataChannel.connect(stream_url, token) as channel:
        await channel.send(b"...")
        data = await channel.receive()      # b"" once the session has ended cleanly

A lost websocket or a malformed message raises `ChannelError` from send/receive; it never looks
like a clean end of stream, so a cut transfer cannot pass for a complete one. Given a `resume`
call (ssm:ResumeSession, see resume.py), a lost websocket is replaced instead: the sequence
numbers carry on, what was not acknowledged is sent again, duplicates are dropped by the receiver
rules, and send/receive only wait meanwhile; ChannelError comes only once resuming has failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any

import aiohttp

from . import frames, handshake
from .frames import Flag, Message, MessageType, PayloadType, ProtocolError
from .inbox import Inbox
from .recent_acks import RecentAcks
from .reliability import IncomingStream, OutgoingStream
from .resume import ResumeCall, ResumeFailed, ResumeLimits, Resumer
from .websocket import HEARTBEAT_S, ChannelError, Opening, describe, ws_connect

__all__ = ["ChannelError", "DataChannel"]

log = logging.getLogger(__name__)

CLIENT_VERSION = "1.2.0.0"
DATA_PAYLOAD_SIZE = 1024
HANDSHAKE_TIMEOUT_S = 30.0
CLOSE_TIMEOUT_S = 2.0


class DataChannel:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        ws: aiohttp.ClientWebSocketResponse,
        *,
        heartbeat: float = HEARTBEAT_S,
        resumer: Resumer | None = None,
    ) -> None:
        self._http = http
        self._ws = ws
        self._heartbeat = heartbeat
        self._resumer = resumer
        self._resuming: asyncio.Task | None = None
        self._unproven = False  # a resumed websocket that has not carried a message yet
        self._out = OutgoingStream(self._send_frame, MessageType.INPUT)
        self._in = IncomingStream()
        self._recent_acks = RecentAcks()  # sent again after a resume
        self._inbox = Inbox()  # received data for `receive`, with backpressure
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
    def connect(cls, stream_url: str, token: str, **options: Any) -> Opening:
        """Open a channel: `await DataChannel.connect(...)` or `async with DataChannel.connect(...)`."""
        return Opening(cls._open(stream_url, token, **options))

    @classmethod
    async def _open(
        cls,
        stream_url: str,
        token: str,
        *,
        heartbeat: float = HEARTBEAT_S,
        handshake_timeout: float = HANDSHAKE_TIMEOUT_S,
        client_version: str = CLIENT_VERSION,
        resume: ResumeCall | None = None,
        resume_limits: ResumeLimits | None = None,
    ) -> DataChannel:
        # trust_env: HTTP(S)_PROXY and NO_PROXY apply to the websocket as to every other call.
        http = aiohttp.ClientSession(trust_env=True)
        try:
            ws = await ws_connect(http, stream_url, heartbeat)
        except (aiohttp.ClientError, OSError) as exc:
            await http.close()
            raise ChannelError(f"cannot open the data channel: {describe(exc)}") from None
        resumer = Resumer(resume, resume_limits) if resume is not None else None
        channel = cls(http, ws, heartbeat=heartbeat, resumer=resumer)
        try:
            await channel._start(token, client_version, handshake_timeout)
        except BaseException:
            await channel.abort()
            raise
        return channel

    async def _start(self, token: str, client_version: str, timeout: float) -> None:
        self._client_version = client_version
        self._client_id = str(uuid.uuid4())  # the same on every websocket of the session
        await self._ws.send_str(self._opening(token))
        self._tasks = [
            asyncio.create_task(self._read_loop(self._ws), name="ssm-read"),
            asyncio.create_task(self._resend_loop(), name="ssm-resend"),
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
            raise self._fail(f"the data channel connection was lost ({describe(exc)})") from None

    async def receive(self) -> bytes:
        """Data from the remote port in order; b"" once the session ended cleanly."""
        while not self._inbox:
            if self._error is not None:
                raise self._error
            if self._eof:
                return b""
            await self._inbox.wait_readable()
        return self._inbox.take()

    async def drain(self) -> None:
        """Wait until the agent has acknowledged everything sent so far."""
        try:
            await self._out.wait_all_acked()
        except ChannelError:
            raise
        except Exception as exc:
            raise self._fail(f"the data channel connection was lost ({describe(exc)})") from None

    @property
    def at_eof(self) -> bool:
        return self._eof

    @property
    def resends(self) -> int:
        return self._out.resends

    @property
    def resumed(self) -> int:
        """Websockets this session has resumed on after losing one."""
        return self._resumer.resumed if self._resumer is not None else 0

    @property
    def resuming(self) -> bool:
        return self._resuming is not None

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
        if self._resuming is not None:
            self._tasks.append(self._resuming)
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
        self._inbox.wake()
        self._closed_event.set()

    async def wait_closed(self) -> None:
        await self._closed_event.wait()

    async def __aenter__(self) -> DataChannel:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # --- background tasks ------------------------------------------------------------------

    async def _read_loop(self, ws: aiohttp.ClientWebSocketResponse) -> None:
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
                    self._on_websocket_closed(ws, msg.extra)
                    return
                # TEXT frames carry nothing for a port session; pings are answered by aiohttp.
        except ProtocolError as exc:
            self._fail(f"the data channel sent a malformed message ({exc}); reconnect")
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._connection_lost(ws, f"the data channel connection was lost ({describe(exc)})")

    async def _resend_loop(self) -> None:
        try:
            await self._out.run_resends()
        except ChannelError:
            pass

    async def _send_frame(self, frame: bytes) -> None:
        """Send on the current websocket. While it is being replaced the frame is not sent: a
        sequenced one stays unacknowledged and goes out again on the new websocket."""
        ws = self._ws
        if ws.closed or self._resuming is not None:
            return
        try:
            await ws.send_bytes(frame)
        except (ConnectionError, RuntimeError) as exc:
            self._connection_lost(ws, f"the data channel connection was lost ({describe(exc)})")

    # --- resuming --------------------------------------------------------------------------

    def _opening(self, token: str) -> str:
        return handshake.opening(token, self._client_id, self._client_version)

    def _connection_lost(self, ws: aiohttp.ClientWebSocketResponse, text: str) -> None:
        """`ws` failed: resume on a new websocket when we can, else fail with `text`."""
        if ws is not self._ws or self._resuming is not None or self._eof or self.closed:
            return  # an old websocket's last words, or already being dealt with
        if self._resumer is None or not self._handshake_done.is_set() or self._error is not None:
            self._fail(text)
            return
        log.info("data channel: %s; resuming the session", text)
        self._resuming = asyncio.create_task(self._resume(), name="ssm-resume")

    async def _resume(self) -> None:
        assert self._resumer is not None
        try:
            await self._resumer.reconnect(self._reattach)
        except ResumeFailed as exc:
            self._resuming = None
            self._fail(f"the data channel connection was lost and the session could not be resumed: {exc}")
            return
        self._resuming = None
        # The new websocket has carried nothing: everything unacknowledged may have been lost,
        # and so may the acks sent last (a duplicate ack changes nothing for the agent).
        for ack in self._recent_acks.again():
            await self._send_frame(ack)
        await self._out.resend_unacked()

    async def _reattach(self, stream_url: str, token: str) -> None:
        ws = await ws_connect(self._http, stream_url, self._heartbeat)
        try:
            await ws.send_str(self._opening(token))
        except BaseException:
            await ws.close()
            raise
        old, self._ws = self._ws, ws
        self._unproven = True
        self._tasks.append(asyncio.create_task(self._read_loop(ws), name="ssm-read"))
        with contextlib.suppress(Exception):
            await old.close()

    async def _on_frame(self, frame: bytes) -> None:
        if self._unproven and self._resumer is not None:
            self._unproven = False
            self._resumer.proven()
        message = frames.decode(frame)
        kind = message.message_type
        if kind == MessageType.ACK:
            await self._out.on_ack(frames.acked_sequence_number(message))
        elif kind == MessageType.OUTPUT:
            should_ack, ready = self._in.accept(message)
            if should_ack:
                await self._send_frame(self._recent_acks.ack_for(message))
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
            await self._inbox.put(message.payload)
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
        answer = handshake.answer_handshake(request, self._client_version)
        self.session_type, self.remote_port = answer.session_type, answer.remote_port
        await self._out.send(PayloadType.HANDSHAKE_RESPONSE, frames.json_payload(answer.response))

    # --- endings ---------------------------------------------------------------------------

    def _on_channel_closed(self, payload: bytes) -> None:
        """channel_closed ends the session; its Output says why, if anything."""
        reason = handshake.closed_reason(payload)
        if reason is not None:
            self.close_reason = reason
        self._set_eof()

    def _set_eof(self) -> None:
        self.ended_by_agent = True
        self._eof = True
        self._inbox.wake()
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

    def _on_websocket_closed(self, ws: aiohttp.ClientWebSocketResponse, extra: object) -> None:
        if self._eof or ws is not self._ws:
            return
        if not self._handshake_done.is_set() and ws.close_code not in (None, 1000, 1006):
            self._fail("the data channel refused the session (expired or invalid token); start a new session")
        else:
            self._connection_lost(ws, "the data channel connection was lost before the session ended")

    def _fail(self, text: str) -> ChannelError:
        if self._error is None:
            self._error = ChannelError(text)
            self._out.fail(self._error)
            self._inbox.wake(release=True)
        return self._error
