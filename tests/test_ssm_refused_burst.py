"""A burst the agent refuses (data sent before it opened the port) is recovered in one timeout.

Regression: each refused message used to wait its own timeout, doubled every time (Karn's rule
gave no fresh sample), so the last of a 32-message burst waited the full 1 s cap: ~1 s stalls at
the start of uploads. Counted in timeouts and resends, not in wall-clock time.
"""

from __future__ import annotations

import asyncio

from sm_spaces.ssm import frames
from sm_spaces.ssm.frames import MessageType, PayloadType
from sm_spaces.ssm.reliability import MAX_RTO_S, OutgoingStream


class RefusingAgent:
    """Acks nothing until its port is open, then acks every message it receives, in order."""

    def __init__(self) -> None:
        self.port_open = False
        self.out: OutgoingStream | None = None
        self.received: list[int] = []

    async def receive(self, frame: bytes) -> None:
        seq = frames.decode(frame).sequence_number
        if self.port_open and self.out is not None:
            self.received.append(seq)
            asyncio.get_running_loop().call_soon(lambda: asyncio.ensure_future(self.out.on_ack(seq)))


async def test_a_refused_burst_costs_one_timeout_not_one_per_message() -> None:
    agent = RefusingAgent()
    out = OutgoingStream(agent.receive, MessageType.INPUT)
    agent.out = out
    timeouts = 0
    back_off = out.rtt.back_off

    def counted_back_off() -> None:
        nonlocal timeouts
        timeouts += 1
        back_off()

    out.rtt.back_off = counted_back_off  # type: ignore[method-assign]
    burst = int(out.window.size)  # a full window: nothing new can go out until something is acked
    for i in range(burst):
        await out.send(PayloadType.OUTPUT, b"%d" % i)
    assert out.unacked_count == burst  # all refused
    agent.port_open = True
    resender = asyncio.create_task(out.run_resends())

    async def keep_writing() -> None:
        for i in range(burst, burst + 8):
            await out.send(PayloadType.OUTPUT, b"%d" % i)

    try:
        await asyncio.wait_for(keep_writing(), 60)  # safety nets, not timing assertions
        await asyncio.wait_for(out.wait_all_acked(), 60)
    finally:
        resender.cancel()
    assert sorted(set(agent.received)) == list(range(burst + 8))
    assert timeouts == 1
    assert out.resends == burst  # each refused message resent once, none twice
    assert out.rtt.rto < MAX_RTO_S
