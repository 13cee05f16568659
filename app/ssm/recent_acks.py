"""The acks the client sent last, to send again after a resume.

Acks in flight when a websocket breaks are lost, and amazon-ssm-agent sends an unacknowledged
message again only when it is its oldest, one per 100 ms (agent/session/datachannel/datachannel.go,
ResendStreamDataMessageScheduler): every lost ack would cost a tick. Sending the last acks again on
the new websocket costs one frame each; a duplicate ack changes nothing for the agent.
"""

from __future__ import annotations

from collections import deque

from . import frames
from .frames import Message

# About as many messages as a path holds in flight, and more.
RECENT_ACKS = 4096


class RecentAcks:
    def __init__(self, size: int = RECENT_ACKS) -> None:
        self._frames: deque[bytes] = deque(maxlen=size)

    def ack_for(self, message: Message) -> bytes:
        """The ack frame for `message`, remembered."""
        frame = frames.ack_frame(message)
        self._frames.append(frame)
        return frame

    def again(self) -> list[bytes]:
        """The remembered acks, oldest first."""
        return list(self._frames)
