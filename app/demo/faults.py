"""Errors the simulated services answer with, and the switches that inject them on purpose.

`Faults` is a plain mutable object on the running server: tests and benchmarks flip its fields
between calls (latency, throttling, access denied, expired tokens, 5xx) and turn on the behaviours
of the real service that make a client's life harder (rate limits per operation, short pages,
stale reads, SSM's registration lag, the session limit). Random draws come from a seeded generator
so a test sees the same sequence on every run.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field


class ApiError(Exception):
    """An AWS-style error: `code` becomes `__type` (JSON) or `<Code>` (query/XML)."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def validation(message: str) -> ApiError:
    return ApiError("ValidationException", message)


def not_found(message: str) -> ApiError:
    return ApiError("ResourceNotFound", message)


def in_use(message: str) -> ApiError:
    return ApiError("ResourceInUse", message)


@dataclass
class Faults:
    """Fault switches. Operation names are SageMaker ones ("ListSpaces") or "GetCallerIdentity"."""

    latency: float = 0.0  # seconds added to every call
    latency_by_op: dict[str, float] = field(default_factory=dict)  # replaces `latency` for these ops
    throttle_rate: float = 0.0  # fraction of SageMaker calls answered with ThrottlingException
    throttle_ops: set[str] = field(default_factory=set)  # empty: every operation may be throttled
    throttle_burst: int = 0  # the next this-many eligible SageMaker calls are throttled, whatever the rate
    deny: set[str] = field(default_factory=set)  # operations answered with AccessDeniedException
    expired: bool = False  # every call fails with ExpiredTokenException
    error_rate: float = 0.0  # fraction of SageMaker calls answered with a 5xx
    error_ops: set[str] = field(default_factory=set)  # empty: every operation may fail
    error_status: int = 500  # 500 InternalFailure or 503 ServiceUnavailable
    error_burst: int = (
        0  # the next this-many eligible SageMaker calls fail with a 5xx, whatever error_rate says
    )
    # AWS throttles by rate, per operation: calls per second each operation may make (a token
    # bucket holding one second's worth), answered ThrottlingException beyond it.
    rate_limits: dict[str, float] = field(default_factory=dict)
    # Share of List pages that come back short, or empty, while NextToken still leads on.
    short_pages: float = 0.0
    # Seconds DescribeSpace still shows a space as it was before an UpdateSpace.
    stale_describe: float = 0.0
    # Seconds StartSession answers InternalFailure after the space's app turned InService (SSM
    # registers the space's agent a little later); None: as long as the account's transitions.
    ssm_registration: float | None = None
    # Enum values the service no longer takes though botocore's model, the client's copy, still
    # lists them (the service's model newer than the client's: an instance type withdrawn from
    # Studio apps, say). Refused as any enum violation is, in AWS's words, listing what is left.
    withdrawn_enum_values: set[str] = field(default_factory=set)
    # Concurrent sessions a space takes; StartSession beyond it is ResourceLimitExceeded.
    sessions_per_space: int = 10
    # Spaces a domain may hold; CreateSpace beyond it is ResourceLimitExceeded (None: no quota).
    spaces_per_domain: int | None = None
    seed: int = 1234
    # Counters, so tests can see that a fault really fired.
    throttled: int = 0
    errored: int = 0
    throttled_by_op: Counter[str] = field(default_factory=Counter)
    shortened_pages: int = 0
    registering: int = 0  # StartSession calls answered InternalFailure while SSM registered
    _rng: random.Random = field(init=False, repr=False)
    _buckets: dict[str, _Bucket] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def reset(self) -> None:
        """Switch every fault off and restart the random sequence."""
        fresh = Faults(seed=self.seed)
        for name in (
            "latency",
            "latency_by_op",
            "throttle_rate",
            "throttle_ops",
            "throttle_burst",
            "deny",
            "expired",
            "error_rate",
            "error_ops",
            "error_status",
            "error_burst",
            "rate_limits",
            "short_pages",
            "stale_describe",
            "ssm_registration",
            "sessions_per_space",
            "spaces_per_domain",
            "throttled",
            "errored",
            "throttled_by_op",
            "shortened_pages",
            "registering",
            "_rng",
            "_buckets",
        ):
            setattr(self, name, getattr(fresh, name))

    def delay_for(self, op: str) -> float:
        return self.latency_by_op.get(op, self.latency)

    def over_rate(self, op: str) -> ApiError | None:
        """ThrottlingException when `op` has used up its rate (rate_limits), else None."""
        rate = self.rate_limits.get(op)
        if not rate:
            return None
        bucket = self._buckets.get(op)
        if bucket is None or bucket.rate != rate:
            bucket = self._buckets[op] = _Bucket(rate)
        if bucket.take():
            return None
        self.throttled += 1
        self.throttled_by_op[op] += 1
        return ApiError("ThrottlingException", "Rate exceeded")

    def page_size(self, requested: int) -> int:
        """How many items this page holds: `requested`, or fewer (even none) with short_pages."""
        if self.short_pages and self._rng.random() < self.short_pages:
            self.shortened_pages += 1
            return self._rng.randrange(0, requested)
        return requested

    def injected_error(self, op: str) -> ApiError | None:
        """Throttling or a server error for this call, drawn from the seeded generator."""
        may_throttle = not self.throttle_ops or op in self.throttle_ops
        if may_throttle and self.throttle_burst > 0:
            self.throttle_burst -= 1  # counted, not drawn, as error_burst below
            self.throttled += 1
            return ApiError("ThrottlingException", "Rate exceeded")
        if may_throttle and self.throttle_rate > 0 and self._rng.random() < self.throttle_rate:
            self.throttled += 1
            return ApiError("ThrottlingException", "Rate exceeded")
        if self.error_burst > 0 and (not self.error_ops or op in self.error_ops):
            self.error_burst -= 1  # a burst is counted, not drawn: exactly this many calls fail
            return self._server_error()
        failing_op = self.error_rate > 0 and (not self.error_ops or op in self.error_ops)
        if failing_op and self._rng.random() < self.error_rate:
            return self._server_error()
        return None

    def _server_error(self) -> ApiError:
        self.errored += 1
        if self.error_status == 503:
            return ApiError("ServiceUnavailable", "Service is unavailable. Please retry.", 503)
        return internal_failure()


class _Bucket:
    """A token bucket: `rate` tokens a second, holding at most one second's worth."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._capacity = max(1.0, rate)
        self._tokens = self._capacity
        self._stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self._tokens = min(self._capacity, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True


def limit_exceeded(message: str) -> ApiError:
    return ApiError("ResourceLimitExceeded", message)


def internal_failure() -> ApiError:
    return ApiError(
        "InternalFailure",
        "The request processing has failed because of an unknown error, exception or failure.",
        500,
    )


def access_denied(caller_arn: str, op: str, resource: str) -> ApiError:
    action = f"sagemaker:{op}"
    return ApiError(
        "AccessDeniedException",
        f"User: {caller_arn} is not authorized to perform: {action} on resource: {resource} "
        f"because no identity-based policy allows the {action} action",
    )


def expired_token() -> ApiError:
    return ApiError("ExpiredTokenException", "The security token included in the request is expired")
