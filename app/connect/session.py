"""Open a data channel to a space: StartSession, then the SSM websocket.

The token returned by StartSession lives only in memory here; it is handed to the channel's opening
message and to nothing else (no argv, no log, no file).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..aws.errors import AwsError

if TYPE_CHECKING:
    from ..aws.api import SpacesApi
    from ..aws.service import SessionInfo
    from ..ssm.channel import DataChannel


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
        return await DataChannel.connect(session.stream_url, session.token)
    except ChannelError as err:
        raise AwsError(str(err), kind="endpoint") from None


async def open_session_channel(session: SessionInfo) -> DataChannel:
    """A channel for a session obtained elsewhere (a Studio deep link)."""
    from ..ssm.channel import ChannelError, DataChannel

    try:
        return await DataChannel.connect(session.stream_url, session.token)
    except ChannelError as err:
        raise AwsError(str(err), kind="endpoint") from None


async def bridge_stdio(session: SessionInfo) -> int:
    """Open `session`'s channel and bridge it to this process's stdin/stdout (a ProxyCommand's
    job) until either side ends; 0 on a clean end, AwsError with one line otherwise.

    stdout is the SSH stream, so what the agent says when it ends the session (channel_closed's
    Output) goes to stderr, where ssh shows it; a session that ended before the port sent
    anything is a failure (the official client prints that Output to stdout and exits 0)."""
    import sys

    from ..ssm.bridge import bridge, open_stdio
    from ..ssm.channel import ChannelError

    channel = await open_session_channel(session)
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
