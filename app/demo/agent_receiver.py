"""The simulated agent's receiver: handleStreamDataMessage and processIncomingMessageBufferItems of
amazon-ssm-agent's agent/session/datachannel/datachannel.go (the rules are listed in
agent_session.py's docstring)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ..ssm.frames import Message

# agent/session/config/config.go
INCOMING_BUFFER_CAPACITY = 100_000


class AgentReceiver:
    """handleStreamDataMessage and processIncomingMessageBufferItems of datachannel.go."""

    def __init__(self, capacity: int = INCOMING_BUFFER_CAPACITY) -> None:
        self.expected = 0
        self.capacity = capacity
        self._buffer: dict[int, Message] = {}
        self.buffered = 0  # messages that arrived ahead of order and were kept
        self.duplicates_acked = 0

    async def on_message(
        self,
        message: Message,
        process: Callable[[Message], Awaitable[bool]],
        ack: Callable[[Message], Awaitable[None]],
    ) -> None:
        """`process` answers False when the handler is not ready: then nothing is acked."""
        seq = message.sequence_number
        if seq == self.expected:
            if not await process(message):
                return
            await ack(message)
            self.expected += 1
            while (following := self._buffer.get(self.expected)) is not None:
                if not await process(following):
                    return
                del self._buffer[self.expected]
                self.expected += 1
        elif seq > self.expected:
            if len(self._buffer) < self.capacity:
                await ack(message)
                self._buffer[seq] = message
                self.buffered += 1
        else:
            self.duplicates_acked += 1
            await ack(message)
