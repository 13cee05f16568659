"""The SSM operation the simulated account answers: ResumeSession (awsJson1.1, `AmazonSSM.*`).

ResumeSession reconnects a session whose websocket was lost: it answers a fresh TokenValue and the
StreamUrl, and from then on only that token opens the session's websocket (sessions.py). The request
and answer follow botocore's SSM model (input SessionId; output SessionId, TokenValue, StreamUrl;
modeled errors DoesNotExistException and InternalServerError); the client's side is
session-manager-plugin's ResumeSessionHandler (src/sessionmanagerplugin/session/sessionhandler.go).

- Only the caller who started the session may resume it: anyone else gets AccessDeniedException in
  IAM's words (the session's resource ARN, arn:aws:ssm:<region>:<account>:session/<id>).
- A session whose agent side has ended (terminated, or its grace period ran out while no websocket
  was attached) answers without a TokenValue: the plugin reads exactly that as "Session: <id> timed
  out" (GetResumeSessionParams / ResumeSessionHandler in sessionhandler.go).
- Whether AWS honours ResumeSession for sessions that sagemaker:StartSession issued is not
  documented. `ResumePolicy.refusal` offers both: None honours it; an error code refuses every
  resume with that error (AccessDeniedException, as IAM would for a session SSM does not let this
  caller touch, or DoesNotExistException, as for a session SSM does not know). The client's tests
  pass against each (tests/test_resume_e2e.py, tests/test_resume_session.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .faults import ApiError
from .sagemaker_api import Call, Params
from .sagemaker_views import parse_space_arn

REFUSALS = ("AccessDeniedException", "DoesNotExistException")


@dataclass
class ResumePolicy:
    """How the simulated SSM answers ResumeSession (tests flip it)."""

    refusal: str | None = None  # None: honoured; else one of REFUSALS, answered to every resume
    resumed: int = 0  # tokens issued
    refused: int = 0  # calls refused by `refusal` or for another caller


def resume_session(call: Call, p: Params, policy: ResumePolicy) -> Params:
    session_id = p["SessionId"]
    session = call.sessions.get(session_id)
    parts = parse_space_arn(session.space_arn) if session is not None else None
    if session is None or parts is None or parts[0] != call.region:
        raise ApiError("DoesNotExistException", f"Session with id {session_id} not found.")
    resource = f"arn:aws:ssm:{call.region}:{call.account.account_id}:session/{session_id}"
    if policy.refusal is not None:
        policy.refused += 1
        raise _refusal(policy.refusal, call.account.caller_arn, resource, session_id)
    if session.owner and session.owner != call.account.caller_arn:
        policy.refused += 1
        raise _refusal("AccessDeniedException", call.account.caller_arn, resource, session_id)
    if session.ended:
        return {"SessionId": session_id}  # no TokenValue: the plugin's "timed out"
    token = call.sessions.resume(session)
    policy.resumed += 1
    return {
        "SessionId": session_id,
        "TokenValue": token,
        "StreamUrl": call.sessions.stream_url(call.ws_base_url, session),
    }


def _refusal(code: str, caller_arn: str, resource: str, session_id: str) -> ApiError:
    if code == "DoesNotExistException":
        return ApiError(code, f"Session with id {session_id} not found.")
    action = "ssm:ResumeSession"
    return ApiError(
        "AccessDeniedException",
        f"User: {caller_arn} is not authorized to perform: {action} on resource: {resource} "
        f"because no identity-based policy allows the {action} action",
    )


HANDLERS: dict[str, Callable[[Call, Params, ResumePolicy], Params]] = {
    "ResumeSession": resume_session,
}
