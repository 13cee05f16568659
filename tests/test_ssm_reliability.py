"""Receiver ordering rules and the sender's window, without a network."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st
from sm_spaces.ssm import frames
from sm_spaces.ssm.frames import Message, MessageType, PayloadType
from sm_spaces.ssm.reliability import (
    MAX_RTO_S,
    CongestionWindow,
    IncomingStream,
    OutgoingStream,
    RttEstimator,
)


def data(seq: int) -> Message:
    return Message(MessageType.OUTPUT, seq, PayloadType.OUTPUT, str(seq).encode())


def test_receiver_rules() -> None:
    incoming = IncomingStream()
    assert incoming.accept(data(1)) == (True, [])  # ahead: ack and buffer
    ack, ready = incoming.accept(data(0))  # expected: deliver and drain
    assert ack and [m.sequence_number for m in ready] == [0, 1]
    assert incoming.accept(data(1)) == (True, [])  # behind: drop the data, ack it again
    assert incoming.expected == 2


def test_receiver_does_not_ack_what_it_cannot_buffer() -> None:
    incoming = IncomingStream(capacity=2)
    assert incoming.accept(data(5))[0] and incoming.accept(data(6))[0]
    assert incoming.accept(data(7)) == (False, [])


@given(st.lists(st.integers(0, 59), min_size=0, max_size=200), st.randoms())
@settings(deadline=None)
def test_any_arrival_order_with_duplicates_delivers_each_message_once_in_order(extra, rnd) -> None:
    arrivals = list(range(60)) + extra
    rnd.shuffle(arrivals)
    incoming = IncomingStream()
    delivered = []
    for seq in arrivals:
        delivered += [m.sequence_number for m in incoming.accept(data(seq))[1]]
    assert delivered == list(range(60))


def test_rto_follows_samples_and_is_capped() -> None:
    rtt = RttEstimator()
    assert rtt.rto == 0.2
    rtt.sample(0.001)
    assert 0.001 < rtt.rto < 0.02
    for _ in range(10):
        rtt.back_off()
    assert rtt.rto == MAX_RTO_S


def test_window_grows_on_acks_and_halves_on_timeout() -> None:
    window = CongestionWindow(initial=8, minimum=4)
    for _ in range(8):
        window.grow()
    assert window.size == 16
    window.shrink()
    assert window.size == 8
    window.shrink()
    window.shrink()
    assert window.size == 4  # never below the minimum


async def test_sender_blocks_on_a_full_window_and_resends_the_oldest() -> None:
    sent: list[bytes] = []

    async def sink(frame: bytes) -> None:
        sent.append(frame)

    out = OutgoingStream(sink, MessageType.INPUT, window=CongestionWindow(initial=4, minimum=2))
    for i in range(4):
        await out.send(PayloadType.OUTPUT, b"x%d" % i)
    blocked = asyncio.create_task(out.send(PayloadType.OUTPUT, b"x4"))
    await asyncio.sleep(0.01)
    assert not blocked.done() and len(sent) == 4
    await out.on_ack(1)  # acks may arrive out of order; the window counts what is still unacked
    await asyncio.wait_for(blocked, 1)
    resender = asyncio.create_task(out.run_resends())
    await asyncio.sleep(0.35)  # initial timeout 200 ms
    resender.cancel()
    resent = [frames.decode(f).sequence_number for f in sent[5:]]
    assert resent and set(resent) == {0}
    assert out.window.size < 4 and out.resends == len(resent)
