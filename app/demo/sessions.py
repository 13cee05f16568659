"""Sessions issued by the simulated StartSession, shared by the SageMaker API and the data channel.

Each StartSession gets a fresh random session id and token; the data-channel server accepts a
websocket only with the token issued for that session id, and only once. ResumeSession (ssm_api.py)
issues a new token for the same session: from then on only the new one opens a websocket.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class DemoSession:
    session_id: str
    token: str
    space_arn: str
    # The space port the agent connects the session to: 22 for SSH, others for port forwarding.
    port: int = 22
    # The space's app (JupyterLab or CodeEditor): what its web server on port 8888 serves.
    app_type: str = "JupyterLab"
    # Who called StartSession: only they may resume the session.
    owner: str = ""
    created: float = field(default_factory=time.monotonic)
    used: bool = False
    ended: bool = False  # the agent's side of the session has ended
    # The agent's side (an AgentSession), kept while its websocket is away so a resumed websocket
    # finds the session, its sequence numbers and its connection to the space's port as they were.
    agent: Any = None
    resumes: int = 0  # tokens ResumeSession issued for it


class SessionRegistry:
    # A token that is not presented within this many seconds expires, as the real ones do.
    TOKEN_TTL_S = 300.0

    def __init__(self) -> None:
        self._sessions: dict[str, DemoSession] = {}

    def create(
        self, space_arn: str, port: int = 22, app_type: str = "JupyterLab", owner: str = ""
    ) -> DemoSession:
        session_id = f"sagemaker-user-{secrets.token_hex(8)}"
        session = DemoSession(session_id, _new_token(), space_arn, port, app_type, owner)
        self._sessions[session_id] = session
        return session

    def get(self, session_id: str) -> DemoSession | None:
        return self._sessions.get(session_id)

    def resume(self, session: DemoSession) -> str:
        """A fresh token for `session` (the previous one is refused from now on), good for one
        websocket within TOKEN_TTL_S, as StartSession's is."""
        session.token = _new_token()
        session.used = False
        session.created = time.monotonic()
        session.resumes += 1
        return session.token

    def all(self) -> list[DemoSession]:
        return list(self._sessions.values())

    def claim(self, session_id: str, token: str) -> DemoSession | None:
        """The session if `token` is the one issued for it, unused and fresh; None otherwise."""
        session = self._sessions.get(session_id)
        if session is None or session.used:
            return None
        if not secrets.compare_digest(session.token, token):
            return None
        if time.monotonic() - session.created > self.TOKEN_TTL_S:
            return None
        session.used = True
        return session

    def issued(self) -> list[DemoSession]:
        """Every session StartSession has issued, oldest first, used or not: what a test checks
        for leaked tokens or sessions that should never have been created."""
        return list(self._sessions.values())

    def active(self, space_arn: str) -> int:
        """Sessions on `space_arn` that count against its limit: those whose data channel was opened
        and whose agent side has not ended (one waiting to be resumed still counts). (Whether SSM
        also counts a session issued but not yet opened is not documented; counting only opened
        ones is the lenient reading.)"""
        return sum(
            1
            for s in self._sessions.values()
            if s.space_arn == space_arn and (s.used or s.agent is not None) and not s.ended
        )

    def stream_url(self, base_ws_url: str, session: DemoSession) -> str:
        """The StreamUrl StartSession returns, in the real service's shape."""
        return f"{base_ws_url}/v1/data-channel/{session.session_id}?role=publish_subscribe&cell-number=1"


def _new_token() -> str:
    # Real tokens are long base64-ish strings; ours are as long and as random (ResumeSession's
    # TokenValue may hold at most 300 characters, botocore's SSM model).
    return secrets.token_urlsafe(96)
