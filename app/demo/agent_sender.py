"""The simulated agent's sending half, by amazon-ssm-agent's rules, not the client's.

Follows agent/session/datachannel/datachannel.go (amazon-ssm-agent, read at commit 1c217c89) with
the constants of agent/session/config/config.go. Kept apart from the client's sender
(app/ssm/reliability.py, which has a congestion window, fast resend and Karn's rule) so that a
mistake in either shows against the other:

- SendStreamDataMessage: an empty payload is not sent; the first message (sequence 0) carries
  flag 1; each message goes out at once (no window) unless publication is paused, and is kept in
  the outgoing buffer, unless the buffer already holds OutgoingMessageBufferCapacity (100000)
  messages: such a message is sent but not kept, so never resent (AddDataToOutgoingMessageBuffer).
- ResendStreamDataMessageScheduler: every ResendSleepInterval (100 ms), unless paused, only the
  oldest kept message is looked at, and resent when longer than RetransmissionTimeout has passed
  since it was last sent. There is no attempt limit: the agent never gives up on a message (the
  session ends by other means: the client's channel_closed, the service's timeout, the port).
- ProcessAcknowledgedMessage: the acknowledged message leaves the buffer wherever it is, and the
  time since it was last sent (since its resend, if it was resent: no Karn's rule) is a round-trip
  sample for calculateRetransmissionTimeout: RTTVAR = 3/4 RTTVAR + 1/4 |RTT - sample|,
  RTT = 7/8 RTT + 1/8 sample, RTO = RTT + max(ClockGranularity 10 ms, 4 RTTVAR), at most
  MaxTransmissionTimeout (1 s); it starts at RTT 100 ms, RTTVAR 0, RTO 200 ms. No back-off.
- PrepareToCloseChannel: the caller waits (at most 2 s) for the buffer to empty (`wait_all_acked`).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from ..ssm import frames
from ..ssm.frames import MessageType

# agent/session/config/config.go
OUTGOING_MESSAGE_BUFFER_CAPACITY = 100_000
RESEND_SLEEP_INTERVAL_S = 0.1
DEFAULT_TRANSMISSION_TIMEOUT_S = 0.2
DEFAULT_ROUND_TRIP_TIME_S = 0.1
DEFAULT_ROUND_TRIP_TIME_VARIATION_S = 0.0
RTT_CONSTANT = 1.0 / 8.0
RTTV_CONSTANT = 1.0 / 4.0
CLOCK_GRANULARITY_S = 0.01
MAX_TRANSMISSION_TIMEOUT_S = 1.0
SYN = 1  # the flag SendStreamDataMessage sets on sequence number 0


class _Kept:
    """StreamingMessage in datachannel.go: the frame, its sequence number (the key), LastSentTime."""

    __slots__ = ("frame", "last_sent")

    def __init__(self, frame: bytes, last_sent: float) -> None:
        self.frame = frame
        self.last_sent = last_sent


class AgentSender:
    """Sequence numbers, the outgoing buffer and the resend scheduler of one agent data channel."""

    def __init__(
        self, send_frame: Callable[[bytes], Awaitable[None]], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._send_frame = send_frame
        self._clock = clock
        self._buffer: OrderedDict[int, _Kept] = OrderedDict()  # OutgoingMessageBuffer, oldest first
        self.next_seq = 0  # StreamDataSequenceNumber
        self.paused = False  # dataChannel.Pause: pause_publication from the service
        self.round_trip_time = DEFAULT_ROUND_TRIP_TIME_S
        self.round_trip_time_variation = DEFAULT_ROUND_TRIP_TIME_VARIATION_S
        self.retransmission_timeout = DEFAULT_TRANSMISSION_TIMEOUT_S
        self.resends = 0
        self.not_kept = 0  # sent while the buffer was full: never resent
        self._emptied = asyncio.Event()
        self._emptied.set()

    @property
    def unacked_count(self) -> int:
        return len(self._buffer)

    async def send(self, payload_type: int, payload: bytes) -> None:
        """SendStreamDataMessage."""
        if not payload:
            return  # "Ignoring empty stream data payload"
        seq = self.next_seq
        frame = frames.encode_new(MessageType.OUTPUT, seq, payload_type, payload, SYN if seq == 0 else 0)
        if not self.paused:  # paused: kept only, for the scheduler to send once publication resumes
            await self._send_frame(frame)
        if len(self._buffer) < OUTGOING_MESSAGE_BUFFER_CAPACITY:
            self._buffer[seq] = _Kept(frame, self._clock())
            self._emptied.clear()
        else:
            self.not_kept += 1
        self.next_seq = seq + 1

    def on_ack(self, seq: int) -> None:
        """ProcessAcknowledgedMessage: an ack for a message not kept (any more) changes nothing."""
        kept = self._buffer.pop(seq, None)
        if kept is None:
            return
        self._sample(self._clock() - kept.last_sent)
        if not self._buffer:
            self._emptied.set()

    def _sample(self, rtt: float) -> None:
        """calculateRetransmissionTimeout."""
        self.round_trip_time_variation = (1 - RTTV_CONSTANT) * self.round_trip_time_variation + (
            RTTV_CONSTANT * abs(self.round_trip_time - rtt)
        )
        self.round_trip_time = (1 - RTT_CONSTANT) * self.round_trip_time + RTT_CONSTANT * rtt
        timeout = self.round_trip_time + max(CLOCK_GRANULARITY_S, 4 * self.round_trip_time_variation)
        self.retransmission_timeout = min(timeout, MAX_TRANSMISSION_TIMEOUT_S)

    async def run_resends(self) -> None:
        """ResendStreamDataMessageScheduler: runs until cancelled."""
        while True:
            await asyncio.sleep(RESEND_SLEEP_INTERVAL_S)
            if self.paused or not self._buffer:
                continue
            kept = next(iter(self._buffer.values()))
            if self._clock() - kept.last_sent > self.retransmission_timeout:
                await self._send_frame(kept.frame)
                kept.last_sent = self._clock()
                self.resends += 1

    async def wait_all_acked(self) -> None:
        """Until the outgoing buffer is empty (PrepareToCloseChannel polls it every 10 ms)."""
        await self._emptied.wait()
