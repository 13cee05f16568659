"""Errors the simulated services answer with, and the switches that inject them on purpose.

`Faults` is a plain mutable object on the running server: tests and benchmarks flip its fields
between calls (latency, throttling, access denied, expired tokens, 5xx). Random draws come from a
seeded generator so a test sees the same sequence on every run.
"""

from __future__ import annotations

import random
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
    seed: int = 1234
    # Counters, so tests can see that a fault really fired.
    throttled: int = 0
    errored: int = 0
    _rng: random.Random = field(init=False, repr=False)

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
            "throttled",
            "errored",
            "_rng",
        ):
            setattr(self, name, getattr(fresh, name))

    def delay_for(self, op: str) -> float:
        return self.latency_by_op.get(op, self.latency)

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
