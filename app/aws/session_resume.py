"""ssm:ResumeSession: a new token for a session whose websocket was lost.

Called the way session-manager-plugin calls it (GetResumeSessionParams in
src/sessionmanagerplugin/session/sessionhandler.go): through a client made for this call from a new
session, so the credential chain is resolved afresh (a resume may come an hour into a session, after
the keys the session started with have been rotated), with the session's region and endpoint
settings; the new session shares the service models already loaded (AwsSession.renewed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import AwsError

if TYPE_CHECKING:
    from .service import SessionInfo, SpacesService

OPERATION = "ResumeSession"


async def resume_session(svc: SpacesService, session_id: str) -> SessionInfo | None:
    """The session's new stream URL and token; None when SSM answers without a token, which the
    official client reads as "Session: <id> timed out" (the session ended while it was away)."""
    from .service import SpacesService

    connect, read = svc.timeouts
    fresh = SpacesService(
        session=svc.session.renewed(),
        region=svc.region,
        endpoint_url=svc.endpoint_url,
        connect_timeout=connect,
        read_timeout=read,
    )
    async with fresh:
        answer = await fresh.call(OPERATION, service="ssm", SessionId=session_id)
    token, url = answer.get("TokenValue"), answer.get("StreamUrl")
    if not token:
        return None
    if not isinstance(token, str) or not isinstance(url, str) or not url:
        raise AwsError(
            f"{OPERATION} answered without a usable StreamUrl; connect again",
            kind="service",
            operation=OPERATION,
        )
    from .service import SessionInfo

    return SessionInfo(session_id, url, token)
