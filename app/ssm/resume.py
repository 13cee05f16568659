"""Resuming a data channel whose websocket was lost, as session-manager-plugin does.

On a websocket error the official client calls ssm:ResumeSession with the SessionId, gets a new
token (and stream URL), opens a new websocket with it and carries on: its sequence numbers and its
buffer of unacknowledged messages survive, and its resend scheduler sends what was not
acknowledged (OpenDataChannel and ResumeSessionHandler in
src/sessionmanagerplugin/session/sessionhandler.go; Reconnect in src/datachannel/streaming.go). It
tries with RepeatableExponentialRetryer (src/retry/retryer.go, constants in src/config/config.go):
one call, then up to DataChannelNumMaxRetries = 5 more, the first wait a random 100-199 ms, doubling,
back to the first wait once it would pass 5 s.

`Resumer` does the same, bounded twice: by those tries and by a budget of seconds, both counted
from the loss until the new websocket has carried a message (a websocket that opens and is dropped
at once, as one with a refused token is, does not reset them). A refusal (`ResumeRefused`: SSM says
no, or that the session timed out) ends the attempts at once: trying again cannot help.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

# (stream URL, token) for a new websocket to the same session: ssm:ResumeSession's answer.
ResumeCall = Callable[[], Awaitable[tuple[str, str]]]
Reattach = Callable[[str, str], Awaitable[None]]


class ResumeRefused(Exception):
    """SSM will not resume this session (refused, unknown, or timed out); one readable line."""


@dataclass(frozen=True)
class ResumeLimits:
    tries: int = 6  # the first call and DataChannelNumMaxRetries (5) more
    first_delay: float = 0.1  # DataChannelRetryInitialDelayMillis, plus up to as much at random
    max_delay: float = 5.0  # DataChannelRetryMaxIntervalMillis
    # Seconds from the loss; ours (the plugin has none beyond its tries). With the heartbeat's ~30 s
    # to notice a silent drop, it ends before ssh's keepalives give up (app/connect/ssh_config.py).
    budget: float = 30.0

    def delays(self, rng: random.Random) -> Iterator[float]:
        """The waits between tries: retryer.go's NextSleepTime, reset to the first past max_delay."""
        first = self.first_delay + rng.random() * self.first_delay
        delay = first
        while True:
            yield delay
            delay *= 2
            if delay > self.max_delay:
                delay = first


class ResumeFailed(Exception):
    """The session could not be resumed; the message is one readable line."""


class Resumer:
    """Brings a lost data channel back: `await resumer.reconnect(reattach)` after each loss."""

    def __init__(
        self, resume: ResumeCall, limits: ResumeLimits | None = None, rng: random.Random | None = None
    ) -> None:
        self._resume = resume
        self.limits = limits or ResumeLimits()
        self._rng = rng or random.Random()
        self._tries = 0  # since the last websocket that carried a message
        self._since: float | None = None  # when that run of tries began
        self.resumed = 0  # websockets opened by resuming

    def proven(self) -> None:
        """The current websocket carried a message: the next loss starts a fresh count."""
        self._tries = 0
        self._since = None

    async def reconnect(self, reattach: Reattach) -> None:
        """ResumeSession and `reattach(stream_url, token)`, retried within the limits; raises
        ResumeFailed with the reason when the session cannot be resumed."""
        loop = asyncio.get_running_loop()
        if self._since is None:
            self._since = loop.time()
        deadline = self._since + self.limits.budget
        delays = self.limits.delays(self._rng)
        last = "no attempt was made"
        while self._tries < self.limits.tries:
            if self._tries:  # the first try goes at once, as Call() in retryer.go
                await asyncio.sleep(min(next(delays), max(0.0, deadline - loop.time())))
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            self._tries += 1
            try:
                async with asyncio.timeout(remaining):
                    url, token = await self._resume()
                    await reattach(url, token)
            except ResumeRefused as exc:
                raise ResumeFailed(str(exc)) from None
            except TimeoutError:
                last = "no answer in time"
                break
            except Exception as exc:  # a failed try, whatever broke: the next one may work
                last = _describe(exc)
                continue
            self.resumed += 1
            return
        spent = loop.time() - self._since
        raise ResumeFailed(f"gave up after {self._tries} tries in {spent:.0f} s ({last})")


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:300]
    return text or type(exc).__name__
