"""Switches that make the simulated SSM agent misbehave on purpose, and the link that applies them.

`AgentFaults` is a plain mutable object shared by every data-channel connection of a demo server:
tests flip its fields between (or during) sessions. Only sequenced data-channel messages are dropped,
duplicated or reordered: the websocket runs over TCP, so what really goes missing in SSM is a message
the agent refused, never an acknowledgement. Random draws come from a seeded generator.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


@dataclass
class AgentFaults:
    drop_rate: float = 0.0  # share of sequenced frames lost, each direction
    duplicate_rate: float = 0.0  # share of sequenced frames delivered twice
    reorder_rate: float = 0.0  # share of sequenced frames held back behind the next one
    receive_rate: float | None = None  # data bytes/s the agent takes from the client, None = unlimited
    cut_after_bytes: int | None = None  # abort the websocket once this much data crossed it
    port_open_delay: float = 0.0  # seconds between HandshakeComplete and the port being open
    # How long the agent waits for the client's HandshakeResponse (datachannel.go: 15 s).
    handshake_timeout: float = 15.0
    # The service's publication control frames: once data flows, pause_publication, the client's
    # data dropped for this many seconds, then start_publication unless publication_resume is off.
    publication_pause: float | None = None
    publication_resume: bool = True
    # The agent's agent_session_state "Connected" message (sessionplugin.go sends it to the service
    # before the handshake) passed on to the client: a message type clients do not handle.
    session_state_to_client: bool = False
    # Seconds a session whose websocket was lost waits to be resumed before it ends (the service's
    # idle-session timeout: 20 minutes by default in Session Manager's preferences).
    disconnect_grace: float = 1200.0
    # What the service does with the agent's output while the client is away is not documented
    # (a guess, both variants tested). False: it holds what the agent sends and passes it on once
    # the client is back; the agent never knows. True: it pauses the agent's publication
    # (handlePausePublicationMessage in datachannel.go): the agent keeps its output, and once
    # publication starts again its scheduler sends it, one message per 100 ms tick.
    pause_agent_while_away: bool = False
    # The service's side of noticing a dead client: a websocket ping every this many seconds, the
    # connection dropped when the pong is late (aiohttp's heartbeat); None: never (a stopped client
    # then keeps its websocket, as over a link that stays up).
    heartbeat: float | None = None
    # False: the websocket goes silent without closing (a NAT that forgot the flow, a sleeping
    # laptop's peer): the agent no longer answers pings, so only the client's heartbeat notices.
    answer_pings: bool = True
    seed: int = 1
    rng: random.Random = field(default_factory=random.Random, repr=False)
    # What the switches did, so a test can tell a lossy run really lost frames.
    dropped: int = 0
    duplicated: int = 0
    reordered: int = 0
    rate_waits: int = 0  # times receive_rate held the client's data back
    publication_pauses: int = 0
    dropped_while_paused: int = 0

    def __post_init__(self) -> None:
        self.rng.seed(self.seed)

    def reset(self) -> None:
        fresh = AgentFaults(seed=self.seed)
        for name in (
            "drop_rate",
            "duplicate_rate",
            "reorder_rate",
            "receive_rate",
            "cut_after_bytes",
            "port_open_delay",
            "handshake_timeout",
            "publication_pause",
            "publication_resume",
            "session_state_to_client",
            "disconnect_grace",
            "pause_agent_while_away",
            "heartbeat",
            "answer_pings",
        ):
            setattr(self, name, getattr(fresh, name))


class TokenBucket:
    """Paces a byte stream to `rate` bytes/s with a small burst allowance."""

    def __init__(self, burst: int = 16 * 1024) -> None:
        self._burst = burst
        self._tokens = float(burst)
        self._stamp = time.monotonic()

    async def take(self, amount: int, rate: float) -> bool:
        """Take `amount`, sleeping until the rate allows it; whether it had to wait."""
        now = time.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * rate)
        self._stamp = now
        self._tokens -= amount
        if self._tokens < 0:
            await asyncio.sleep(-self._tokens / rate)
            return True
        return False


class FaultyLink:
    """Applies `AgentFaults` to one direction's sequenced frames before handing them on."""

    HOLD_S = 0.002  # a held-back frame goes out at the latest after this long

    def __init__(self, faults: AgentFaults, deliver: Callable[[bytes], Awaitable[None]]) -> None:
        self._faults = faults
        self._deliver = deliver
        self._held: bytes | None = None
        self._flush_handle: asyncio.TimerHandle | None = None
        self._releases: set[asyncio.Task] = set()  # held references: the loop keeps only weak ones

    async def pass_on(self, frame: bytes) -> None:
        faults = self._faults
        if not (faults.drop_rate or faults.duplicate_rate or faults.reorder_rate or self._held):
            await self._deliver(frame)
            return
        rng = faults.rng
        if rng.random() < faults.drop_rate:
            faults.dropped += 1
            return
        if self._held is None and rng.random() < faults.reorder_rate:
            faults.reordered += 1
            self._held = frame
            self._flush_handle = asyncio.get_running_loop().call_later(self.HOLD_S, self._flush_later)
            return
        await self._deliver(frame)
        if rng.random() < faults.duplicate_rate:
            faults.duplicated += 1
            await self._deliver(frame)
        await self._release_held()

    async def _release_held(self) -> None:
        held, self._held = self._held, None
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        if held is not None:
            await self._deliver(held)

    def _flush_later(self) -> None:
        self._flush_handle = None
        if self._held is not None:
            task = asyncio.ensure_future(self._release_held())
            self._releases.add(task)
            task.add_done_callback(self._releases.discard)
