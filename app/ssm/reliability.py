"""Reliable, ordered delivery over SSM sequence numbers, shared by the client and the demo agent.

`OutgoingStream` numbers messages, keeps them until acknowledged, resends the oldest after an
adaptive timeout (DESIGN section 5) and clocks new messages out with a congestion window that grows
while acks come back and halves when a resend is needed. `IncomingStream` turns messages that may
arrive late, twice or out of order back into one ordered stream.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable

from . import frames
from .frames import Message

INITIAL_RTO_S = 0.2
MAX_RTO_S = 1.0
CLOCK_GRANULARITY_S = 0.01
# Queueing delay the window may add on top of the smallest RTT seen before it stops growing:
# enough to keep a fast path full, small enough that a slow link does not fill with seconds of data.
QUEUE_TARGET_S = 0.03
# The official client looks for overdue messages every 100 ms, so nothing is resent younger than
# that: a busy event loop's pause must not pass for a lost message.
MIN_RESEND_AGE_S = 0.1
# A message is presumed lost once a message sent this many places after it has been acknowledged
# (acks are per message, so later acks arrive while a lost one stays missing). Larger than the
# reordering an SSM path shows, so reordering alone does not trigger resends.
REORDER_THRESHOLD = 3


class RttEstimator:
    """RFC 6298 smoothing with the agent's constants: RTO = SRTT + max(10 ms, 4 RTTVAR), at most 1 s."""

    def __init__(self) -> None:
        self.srtt: float | None = None
        self.rttvar = 0.0
        self.min_rtt = float("inf")
        self.rto = INITIAL_RTO_S

    def sample(self, rtt: float) -> None:
        if self.srtt is None:
            self.srtt, self.rttvar = rtt, rtt / 2
        else:
            self.rttvar = 0.75 * self.rttvar + 0.25 * abs(self.srtt - rtt)
            self.srtt = 0.875 * self.srtt + 0.125 * rtt
        self.min_rtt = min(self.min_rtt, rtt)
        self.rto = self._measured_rto()

    def _measured_rto(self) -> float:
        if self.srtt is None:
            return INITIAL_RTO_S
        return min(MAX_RTO_S, self.srtt + max(CLOCK_GRANULARITY_S, 4 * self.rttvar))

    def back_off(self) -> None:
        self.rto = min(MAX_RTO_S, self.rto * 2)

    def end_back_off(self) -> None:
        """An ack came back: the path works, so the timeout returns to what the samples say.

        Karn's rule keeps resent messages from giving samples; without this, a burst the agent
        refused (data sent before it opened the port) doubled the timeout once per message and
        the last of them waited the full 1 s cap each (Linux likewise resets its backoff on an ack).
        """
        self.rto = self._measured_rto()

    def queue_is_short(self) -> bool:
        return self.srtt is None or self.srtt < self.min_rtt + QUEUE_TARGET_S


class CongestionWindow:
    """How many messages may be unacknowledged at once.

    The websocket runs over TCP, so an SSM path never loses messages to congestion: congestion
    shows up as delay. The window therefore grows by one message per ack (doubling per round
    trip) for as long as the measured delay stays near the path's minimum (the sender checks
    `RttEstimator.queue_is_short`), and halves when a message has to be resent.
    """

    def __init__(self, initial: int = 32, minimum: int = 4, maximum: int = 4096) -> None:
        self.size = float(initial)
        self.minimum = minimum
        self.maximum = maximum

    def grow(self) -> None:
        if self.size < self.maximum:
            self.size += 1.0

    def shrink(self) -> None:
        self.size = max(float(self.minimum), self.size / 2)


class _Unacked:
    __slots__ = ("frame", "resent", "sent_at")

    def __init__(self, frame: bytes, sent_at: float) -> None:
        self.frame = frame
        self.sent_at = sent_at
        self.resent = False


class OutgoingStream:
    """The sending half of one direction: sequence numbers, window, resends."""

    def __init__(
        self,
        send_frame: Callable[[bytes], Awaitable[None]],
        message_type: str,
        window: CongestionWindow | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._send_frame = send_frame
        self._message_type = message_type
        self.window = window or CongestionWindow()
        self.rtt = RttEstimator()
        self._clock = clock
        self._unacked: OrderedDict[int, _Unacked] = OrderedDict()
        self._loss_scan: deque[int] = deque()  # sequence numbers not yet checked for loss
        self._highest_acked = -1
        self._recovery_until = -1  # one window reduction per loss episode
        # When the last timeout resend went out, while it is unclear whether that was a loss.
        self._recovery_moment: float | None = None
        self._recovery_burst = 1
        self._wake_at: float | None = None  # when the resend loop's current sleep ends
        self.next_seq = 0
        self.resends = 0
        self._room = asyncio.Event()
        self._room.set()
        self._pending = asyncio.Event()
        self._front_acked = asyncio.Event()
        self._all_acked = asyncio.Event()
        self._all_acked.set()
        self._failure: BaseException | None = None

    @property
    def unacked_count(self) -> int:
        return len(self._unacked)

    async def send(self, payload_type: int, payload: bytes) -> int:
        """Send one sequenced message once the window has room; returns its sequence number."""
        while len(self._unacked) >= self.window.size:
            self._raise_if_failed()
            self._room.clear()
            await self._room.wait()
        self._raise_if_failed()
        seq = self.next_seq
        self.next_seq = seq + 1
        frame = frames.encode_new(self._message_type, seq, payload_type, payload)
        self._unacked[seq] = _Unacked(frame, self._clock())
        self._loss_scan.append(seq)
        self._pending.set()
        self._all_acked.clear()
        await self._send_frame(frame)
        return seq

    async def on_ack(self, seq: int) -> None:
        unacked = self._unacked
        was_front = bool(unacked) and next(iter(unacked)) == seq
        entry = unacked.pop(seq, None)
        if entry is None:
            return  # a duplicate ack, or one for a message already acknowledged
        if entry.resent:  # Karn: an ack of a resent message says nothing about the RTT
            self.rtt.end_back_off()
            await self._continue_recovery(entry)
        else:
            self.rtt.sample(self._clock() - entry.sent_at)
            if self._recovery_moment is not None and entry.sent_at < self._recovery_moment:
                self._recovery_moment = None  # sent before the timeout and got through: only slow
        if self.rtt.queue_is_short() and len(unacked) + 1 >= self.window.size / 2:
            self.window.grow()
        if was_front and self._wake_at is not None and (entry.resent or self._new_front_due_sooner()):
            # The resend loop sleeps on the old front's timeout: let it look at the new oldest.
            self._front_acked.set()
        if seq > self._highest_acked:
            self._highest_acked = seq
            await self._resend_presumed_lost()
        if len(self._unacked) < self.window.size:
            self._room.set()
        if not self._unacked:
            self._all_acked.set()

    async def _resend_presumed_lost(self) -> None:
        """Fast resend: do not wait for the timeout when later messages got through."""
        scan = self._loss_scan
        limit = self._highest_acked - REORDER_THRESHOLD
        while scan and scan[0] < limit:
            seq = scan.popleft()
            entry = self._unacked.get(seq)
            if entry is not None:
                await self._resend(seq, entry)

    def _new_front_due_sooner(self) -> bool:
        """Whether the oldest message now falls due clearly before the resend loop wakes (the
        timeout shrank, as after the first RTT sample); in steady flow it does not, and the loop
        is left asleep instead of waking on every ack."""
        if not self._unacked or self._wake_at is None:
            return False
        front = next(iter(self._unacked.values()))
        return front.sent_at + max(self.rtt.rto, MIN_RESEND_AGE_S) < self._wake_at - CLOCK_GRANULARITY_S

    async def _continue_recovery(self, entry: _Unacked) -> None:
        """After a timeout: was the acked resend really what came back, or the late original?

        The first ack for a resent message is the resend's only if it came at least about one
        minimum RTT after it; an earlier one answers the original (the agent acknowledges the
        duplicate again later, and that ack finds nothing left to do). Then the messages outstanding at
        the timeout were refused or lost, not slow: resend the oldest of them, twice as many per
        such ack (as slow start does), instead of one timeout each. An ack too early to be the
        resend's means the path is only slow: stop, so a stalled receiver costs a few duplicates,
        not a window's worth.
        """
        if self._recovery_moment is None:
            return
        elapsed = self._clock() - entry.sent_at
        if self.rtt.min_rtt != float("inf") and elapsed < 0.75 * self.rtt.min_rtt:
            self._recovery_moment = None
            return
        self._recovery_burst *= 2
        moment = self._recovery_moment
        overdue: list[tuple[int, _Unacked]] = []
        for seq, other in self._unacked.items():
            if len(overdue) >= self._recovery_burst:
                break
            if other.sent_at < moment:
                overdue.append((seq, other))
        for seq, other in overdue:
            if self._unacked.get(seq) is other:
                await self._resend(seq, other)

    async def _resend(self, seq: int, entry: _Unacked) -> None:
        entry.sent_at = self._clock()
        entry.resent = True
        self.resends += 1
        if seq > self._recovery_until:
            self._recovery_until = self.next_seq
            self.window.shrink()
        await self._send_frame(entry.frame)

    async def run_resends(self) -> None:
        """Resend the oldest unacknowledged message whenever it is older than the timeout."""
        while True:
            self._raise_if_failed()
            if not self._unacked:
                self._pending.clear()
                await self._pending.wait()
                continue
            seq, entry = next(iter(self._unacked.items()))
            delay = entry.sent_at + max(self.rtt.rto, MIN_RESEND_AGE_S) - self._clock()
            if delay > 0:
                await self._sleep_unless_woken(delay)
                continue
            self.rtt.back_off()
            await self._resend(seq, entry)
            self._recovery_moment, self._recovery_burst = entry.sent_at, 1

    async def _sleep_unless_woken(self, delay: float) -> None:
        """Sleep `delay` seconds or until on_ack wakes us, whichever is first.

        Not asyncio.wait_for: on Python 3.11 it can swallow a cancellation that arrives as the
        event fires; the loop then waited forever and the agent's session never finished closing.
        """
        self._front_acked.clear()
        self._wake_at = self._clock() + delay
        timer = asyncio.get_running_loop().call_later(delay, self._front_acked.set)
        try:
            await self._front_acked.wait()
        finally:
            timer.cancel()
            self._wake_at = None

    async def resend_unacked(self) -> None:
        """Send every unacknowledged message again, oldest first: after a new websocket replaced a
        lost one, everything sent on the old one may be gone (the receiver drops and acks again
        what it already has)."""
        for seq, entry in list(self._unacked.items()):
            if self._unacked.get(seq) is entry:
                await self._resend(seq, entry)

    async def wait_all_acked(self) -> None:
        while self._unacked:
            self._raise_if_failed()
            await self._all_acked.wait()
        self._raise_if_failed()

    def fail(self, exc: BaseException) -> None:
        """Wake every waiter with `exc` (the connection is gone)."""
        if self._failure is None:
            self._failure = exc
        for event in (self._room, self._pending, self._all_acked, self._front_acked):
            event.set()

    def _raise_if_failed(self) -> None:
        if self._failure is not None:
            raise self._failure


class IncomingStream:
    """Receiver rules: in order -> deliver (and drain the buffer), ahead -> buffer, behind -> drop.

    `accept` says whether to acknowledge: everything delivered or buffered is acked, and so is a
    message from the past (a duplicate: its first ack may have been lost, and acking it again costs
    one frame where silence costs resends until the sender gives up; amazon-ssm-agent does the same,
    agent/session/datachannel/datachannel.go). Only a message that does not fit the buffer is
    dropped without an ack. The official client buffers up to 10000 messages ahead (its
    IncomingMessageBufferCapacity, src/config/config.go).
    """

    def __init__(self, capacity: int = 10000) -> None:
        self.expected = 0
        self.capacity = capacity
        self._ahead: dict[int, Message] = {}

    def accept(self, message: Message) -> tuple[bool, list[Message]]:
        seq = message.sequence_number
        if seq == self.expected:
            ready = [message]
            self.expected = seq + 1
            ahead = self._ahead
            while ahead:
                following = ahead.pop(self.expected, None)
                if following is None:
                    break
                ready.append(following)
                self.expected += 1
            return True, ready
        if seq > self.expected and (seq in self._ahead or len(self._ahead) < self.capacity):
            self._ahead.setdefault(seq, message)
            return True, []
        return seq < self.expected, []
