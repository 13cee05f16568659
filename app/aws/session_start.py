"""StartSession, and the one wait it needs: SSM registering a space that has just started.

SageMaker reports a space's app InService a little before SSM has registered the agent on it; until
then StartSession answers InternalFailure (the AWS Toolkit for VS Code retries it too). That one
answer to that one call is a readiness wait, not a retry layer: it is waited out within a time
budget (READY_BUDGET_S), the user is told once that we are waiting, and every other failure is
passed on at once (throttling and transient errors are botocore's retry modes' business).

botocore's standard and adaptive modes retry a 500 themselves, so most of the wait happens inside
one call's attempts: we only watch them (botocore's documented `needs-retry` event, to tell the
user), and cut every attempt off at the budget's end, so botocore's tries and ours together
cannot outlast it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..model import SpaceStatus, space_problem
from ..names import SpaceArn
from .errors import AwsError

if TYPE_CHECKING:
    from .service import SessionInfo, SpacesService

# Long enough for SSM to register a freshly started space, short enough that a space which never
# registers is reported while the user still waits for it.
READY_BUDGET_S = 90.0
REGISTERING = "InternalFailure"

WaitNotice = Callable[[str], None]


async def start_session(
    svc: SpacesService,
    space_arn: str,
    *,
    on_wait: WaitNotice | None = None,
    budget: float = READY_BUDGET_S,
) -> SessionInfo:
    """The session for `space_arn`; waits (at most `budget` seconds in all) while SSM registers it."""
    from .service import session_info

    name = SpaceArn.parse(space_arn).space_name
    told = False

    def tell() -> None:
        nonlocal told
        if not told and on_wait is not None:
            on_wait(f"{name} has started; waiting for SSM to register it (up to {budget:.0f} s)")
        told = True

    loop = asyncio.get_running_loop()
    deadline = loop.time() + budget
    explained = False
    stop_watching = _watch_retries(await svc.client("sagemaker"), space_arn, tell)
    try:
        while True:
            try:
                async with asyncio.timeout_at(deadline):
                    answer = await svc.call("StartSession", ResourceIdentifier=space_arn)
                return session_info(answer)
            except TimeoutError:
                raise _not_registered(name, budget) from None
            except AwsError as err:
                if err.kind in ("validation", "not_found"):
                    await explain_unreachable(svc, space_arn)  # a stopped space says so, plainly
                    raise
                if err.code != REGISTERING or err.operation != "StartSession":
                    raise
                if not explained:  # InternalFailure from a space that is not running is no lag
                    await explain_unreachable(svc, space_arn)
                    explained = True
                tell()
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise _not_registered(name, budget)
            await asyncio.sleep(min(svc.poll_interval, remaining))
    finally:
        stop_watching()


def _watch_retries(client: Any, space_arn: str, seen: Callable[[], None]) -> Callable[[], None]:
    """Call `seen` when botocore is about to retry this space's StartSession after InternalFailure.

    An observer only: it returns None, so botocore's retry handler alone decides what happens."""
    event = f"needs-retry.{client.meta.service_model.service_id.hyphenize()}.StartSession"
    needle = space_arn.encode()

    def observe(response: Any = None, request_dict: Any = None, **_: Any) -> None:
        parsed = response[1] if isinstance(response, tuple) and len(response) == 2 else {}
        code = parsed.get("Error", {}).get("Code") if isinstance(parsed, dict) else None
        body = (request_dict or {}).get("body") or b""
        body = body if isinstance(body, bytes) else str(body).encode()
        if code == REGISTERING and needle in body:
            seen()

    client.meta.events.register(event, observe)
    return lambda: client.meta.events.unregister(event, observe)


def _not_registered(name: str, budget: float) -> AwsError:
    return AwsError(
        f"SSM has not registered {name} after {budget:.0f} s (StartSession keeps answering "
        f"{REGISTERING}); try again in a minute, or stop and start the space",
        kind="service",
        operation="StartSession",
        code=REGISTERING,
    )


async def explain_unreachable(svc: SpacesService, space_arn: str) -> None:
    """After a refused StartSession: a space that is not running, or runs without remote access,
    is reported as such; otherwise nothing is raised and the caller decides."""
    arn = SpaceArn.parse(space_arn)
    space = await svc.describe_space(arn.domain_id, arn.space_name)
    if (problem := space_problem(space)) is not None:
        raise AwsError(problem, kind="validation")
    if space.status is not SpaceStatus.RUNNING:
        raise AwsError(
            f"{space.name} is {space.status.value.lower()}; start it first: sm-spaces start {space.name}",
            kind="validation",
        )
    if not space.remote_access:
        raise AwsError(
            f"{space.name} runs without remote access; enable it (this restarts the space)",
            kind="validation",
        )
