"""The JSON messages of a session's set-up and end: the opening text frame, the answer to the
agent's HandshakeRequest, and the reason channel_closed carries. Pure functions; DataChannel
(channel.py) sends and receives them.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from ..safe_text import safe_text

CLOSE_REASON_LIMIT = 400  # characters of channel_closed's Output shown to the user


def opening(token: str, client_id: str, client_version: str) -> str:
    """The first (text) frame on every websocket of a session: a new RequestId, the same ClientId."""
    return json.dumps(
        {
            "MessageSchemaVersion": "1.0",
            "RequestId": str(uuid.uuid4()),
            "TokenValue": token,
            "ClientId": client_id,
            "ClientVersion": client_version,
        }
    )


@dataclass
class HandshakeAnswer:
    response: dict[str, Any]
    session_type: str | None = None
    remote_port: str | None = None
    refused: list[str] = field(default_factory=list)


def answer_handshake(request: dict[str, Any], client_version: str) -> HandshakeAnswer:
    """The HandshakeResponse to the agent's HandshakeRequest: SessionType accepted (and noted),
    anything else refused (KMS encryption is never requested for port sessions)."""
    answer = HandshakeAnswer({})
    processed = []
    for action in request.get("RequestedClientActions") or []:
        action_type = action.get("ActionType") if isinstance(action, dict) else None
        if action_type == "SessionType":
            params = action.get("ActionParameters") or {}
            if isinstance(params, dict):
                answer.session_type = params.get("SessionType")
                properties = params.get("Properties")
                if isinstance(properties, dict) and str(properties.get("portNumber", "")).isdigit():
                    answer.remote_port = str(properties["portNumber"])
            processed.append(
                {"ActionType": "SessionType", "ActionStatus": 1, "ActionResult": None, "Error": ""}
            )
        else:
            answer.refused.append(str(action_type))
            processed.append(
                {
                    "ActionType": action_type,
                    "ActionStatus": 2,
                    "ActionResult": None,
                    "Error": f"{action_type} is not supported by this client",
                }
            )
    answer.response = {"ClientVersion": client_version, "ProcessedClientActions": processed, "Errors": None}
    return answer


def closed_reason(payload: bytes) -> str | None:
    """channel_closed's Output, as one safe line (the agent's "Unable to connect to specified port:
    ..." when the space's port refused us); None when the payload is not such JSON (the session
    still ends, as in HandleChannelClosedMessage, src/datachannel/streaming.go)."""
    try:
        output = json.loads(payload).get("Output") if payload else None
    except (ValueError, AttributeError):
        return None
    if not isinstance(output, str):
        return None
    return " ".join(safe_text(output).split())[:CLOSE_REASON_LIMIT]
