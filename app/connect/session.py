"""Open a data channel to a space: StartSession, then the SSM websocket; ResumeSession when it drops.

The token returned by StartSession (or ResumeSession) lives only in memory here; it is handed to the
channel's opening message and to nothing else (no argv, no log, no file).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..aws.errors import AwsError

if TYPE_CHECKING:
    from ..aws.api import SpacesApi
    from ..aws.service import SessionInfo
    from ..ssm.channel import DataChannel
    from ..ssm.resume import ResumeCall

# ResumeSession answers that no retry can change: the resume is refused at once.
_REFUSED = {
    "AccessDeniedException": "SSM refused ssm:ResumeSession for it (AccessDeniedException)",
    "DoesNotExistException": "SSM does not know it (ResumeSession: DoesNotExistException)",
}
AGAIN = "connect again to start a new session"


def notice_on_stderr(text: str) -> None:
    """One line for the user while a command waits; stderr, since stdout may be the SSH stream."""
    import sys

    print(f"sm-spaces: {text}", file=sys.stderr, flush=True)


async def open_channel(
    svc: SpacesApi, space_arn: str, *, on_wait: Callable[[str], None] | None = None
) -> DataChannel:
    from ..ssm.channel import ChannelError, DataChannel

    session = await svc.start_session(space_arn, on_wait=on_wait)
    try:
        return await DataChannel.connect(
            session.stream_url, session.token, resume=resume_call(svc, session.session_id)
        )
    except ChannelError as err:
        raise AwsError(str(err), kind="endpoint") from None


def resume_call(svc: SpacesApi, session_id: str) -> ResumeCall:
    """ResumeSession for the channel (app/ssm/resume.py): the new stream URL and token, or
    ResumeRefused with the reason when SSM will not resume the session."""
    from ..ssm.resume import ResumeRefused

    async def resume() -> tuple[str, str]:
        try:
            info = await svc.resume_session(session_id)
        except AwsError as err:
            refused = _REFUSED.get(err.code or "")
            if refused is not None:
                raise ResumeRefused(f"{refused}; {AGAIN}") from None
            if err.kind in ("credentials", "access_denied", "validation"):
                raise ResumeRefused(f"{err}") from None
            raise  # a failed try (network, 5xx, throttling): the next may work
        if info is None:
            raise ResumeRefused(f"SSM ended the session while it was disconnected (it timed out); {AGAIN}")
        return info.stream_url, info.token

    return resume


async def open_session_channel(session: SessionInfo, resume: ResumeCall | None = None) -> DataChannel:
    """A channel for a session obtained elsewhere (a Studio deep link), or by ssh-proxy."""
    from ..ssm.channel import ChannelError, DataChannel

    try:
        return await DataChannel.connect(session.stream_url, session.token, resume=resume)
    except ChannelError as err:
        raise AwsError(str(err), kind="endpoint") from None


async def bridge_stdio(session: SessionInfo, resume: ResumeCall | None = None) -> int:
    """Open `session`'s channel and bridge it to this process's stdin/stdout (a ProxyCommand's
    job) until either side ends; 0 on a clean end, AwsError with one line otherwise.

    stdout is the SSH stream, so what the agent says when it ends the session (channel_closed's
    Output) goes to stderr, where ssh shows it; a session that ended before the port sent
    anything is a failure (the official client prints that Output to stdout and exits 0)."""
    import sys

    from ..ssm.bridge import bridge, open_stdio
    from ..ssm.channel import ChannelError

    channel = await open_session_channel(session, resume)
    reader, writer = await open_stdio()
    try:
        await bridge(channel, reader, writer)
    except ChannelError as err:
        raise AwsError(str(err), kind="endpoint") from None
    early = channel.early_end()
    if early is not None:
        raise AwsError(str(early), kind="endpoint")
    if channel.close_reason:
        print(f"sm-spaces: the session ended: {channel.close_reason}", file=sys.stderr)
    return 0
