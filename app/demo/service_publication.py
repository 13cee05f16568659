"""The service's publication control frames toward the client (`AgentFaults.publication_pause`).

Once the client's data flows, the service may send `pause_publication`, drop the client's data for
a while (as a service whose other side is away may), then `start_publication` unless
`publication_resume` is off (a pause that is never lifted). The frames are as the service sends
them: the type padded with NULs, an empty payload and an all-zero digest, which is why the official
client never validates these two types (session-manager-plugin src/message/messageparser.go,
Validate). The timing is a guess; tests run both the resumed and the never-resumed pause.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from ..ssm import frames
from ..ssm.frames import Message, MessageType, PayloadType
from .agent_faults import AgentFaults


class PublicationControl:
    """One session's pause of the client's publication, at most once."""

    def __init__(
        self,
        faults: AgentFaults,
        send_now: Callable[[bytes], Awaitable[None]],
        start_task: Callable[[Awaitable[None]], None],
    ) -> None:
        self._faults = faults
        self._send_now = send_now
        self._start_task = start_task  # the session's, so its end cancels the lift
        self._paused_until: float | None = None  # the service drops client data until then
        self._done = False

    def dropped_while_paused(self) -> bool:
        """Whether the client's data that arrives now is dropped (and counted)."""
        if self._paused_until is not None and asyncio.get_running_loop().time() < self._paused_until:
            self._faults.dropped_while_paused += 1
            return True
        return False

    async def maybe_pause(self, messages_received: int) -> None:
        window = self._faults.publication_pause
        if window is None or self._done or messages_received < 2:
            return
        self._done = True
        self._faults.publication_pauses += 1
        self._paused_until = asyncio.get_running_loop().time() + window
        await self._send_control(MessageType.PAUSE_PUBLICATION)
        self._start_task(self._lift(window))

    async def _lift(self, window: float) -> None:
        await asyncio.sleep(window)
        self._paused_until = None
        if self._faults.publication_resume:
            await self._send_control(MessageType.START_PUBLICATION)

    async def _send_control(self, kind: str) -> None:
        frame = frames.encode(Message(kind, 0, PayloadType.NONE, b""))
        frame = frame[:4] + kind.encode("ascii").ljust(32, b"\0") + frame[36:80] + bytes(32) + frame[112:]
        await self._send_now(frame)
