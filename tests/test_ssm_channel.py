"""The data-channel client against the simulated agent over real websockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os

import aiohttp
import pytest
from sm_spaces.ssm import frames
from sm_spaces.ssm.channel import ChannelError, DataChannel
from sm_spaces.ssm.frames import MessageType

from tests.ssm_demo import running_agent

LAB_REQUEST = b"GET /jupyterlab/default/lab HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"


async def until(condition, timeout: float = 5.0) -> None:
    """Wait for another task on this loop to make `condition()` true (not a timing assertion)."""
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)


async def read_all(channel: DataChannel) -> bytes:
    parts = []
    while chunk := await channel.receive():
        parts.append(chunk)
    return b"".join(parts)


async def test_port_session_round_trip_and_channel_closed_ends_it() -> None:
    async with running_agent() as agent:
        async with agent.open_channel(port=8888) as channel:
            assert channel.session_type == "Port"
            await channel.send(LAB_REQUEST)
            response = await asyncio.wait_for(read_all(channel), 10)
            assert response.startswith(b"HTTP/1.1 200 OK")
            assert b"my-space" in response
            assert channel.at_eof  # the agent said channel_closed after the port closed
            with pytest.raises(ChannelError):
                await channel.send(b"more")
        await until(lambda: agent.service.endings)
        assert list(agent.service.endings) == ["port closed"]


async def test_ssh_banner_arrives_in_order() -> None:
    async with running_agent() as agent, agent.open_channel() as channel:
        banner = await asyncio.wait_for(channel.receive(), 10)
        assert banner.startswith(b"SSH-2.0-")


async def test_wrong_token_is_refused_with_a_readable_error() -> None:
    async with running_agent() as agent:
        session, url = agent.start_session()
        wrong = session.token[:-4] + "AAAA"
        with pytest.raises(ChannelError, match="refused") as caught:
            await DataChannel.connect(url, wrong, handshake_timeout=5)
        assert wrong not in str(caught.value) and session.token not in str(caught.value)
        # The real token still works afterwards: a refused attempt does not burn the session.
        async with DataChannel.connect(url, session.token) as channel:
            assert channel.session_type == "Port"


async def test_a_token_works_only_once() -> None:
    async with running_agent() as agent:
        session, url = agent.start_session()
        async with DataChannel.connect(url, session.token):
            pass
        with pytest.raises(ChannelError, match="refused"):
            await DataChannel.connect(url, session.token, handshake_timeout=5)


async def test_data_sent_before_the_port_opens_is_resent() -> None:
    async with running_agent() as agent:
        agent.faults.port_open_delay = 0.3
        async with agent.open_channel(port=8888) as channel:
            await channel.send(LAB_REQUEST)  # arrives while the port is still closed: refused
            response = await asyncio.wait_for(read_all(channel), 10)
            assert b"200 OK" in response
            assert channel.resends >= 1


async def test_lossy_agent_still_delivers_in_order() -> None:
    async with running_agent() as agent:
        agent.faults.drop_rate = agent.faults.duplicate_rate = agent.faults.reorder_rate = 0.2
        async with agent.open_channel(port=8888) as channel:
            await channel.send(LAB_REQUEST)
            response = await asyncio.wait_for(read_all(channel), 20)
            assert response.startswith(b"HTTP/1.1 200 OK") and response.endswith(b"</html>\n")


async def test_cut_websocket_is_an_error_not_an_end_of_stream() -> None:
    async with running_agent() as agent, agent.open_channel() as channel:
        assert (await asyncio.wait_for(channel.receive(), 10)).startswith(b"SSH-2.0-")
        agent.service.cut_connections()
        with pytest.raises(ChannelError, match="lost"):
            await asyncio.wait_for(channel.receive(), 10)
        with pytest.raises(ChannelError):
            await channel.send(b"x" * 5000)


async def test_polite_close_terminates_the_agent_session() -> None:
    async with running_agent() as agent:
        async with agent.open_channel() as channel:
            await channel.receive()
            assert len(agent.service.live) == 1
        await until(lambda: agent.service.endings)
        assert not agent.service.live and channel.closed
        assert list(agent.service.endings) == ["terminated"]  # Flag TerminateSession arrived


async def test_unreachable_endpoint_is_one_readable_error() -> None:
    with pytest.raises(ChannelError, match="cannot open the data channel"):
        await DataChannel.connect("ws://127.0.0.1:9/v1/data-channel/x", "secret-token-value")


async def test_token_never_reaches_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with running_agent() as agent:
        session, url = agent.start_session()
        with pytest.raises(ChannelError):
            await DataChannel.connect(url, session.token + "x", handshake_timeout=5)
        async with DataChannel.connect(url, session.token) as channel:
            await channel.receive()
        tokens = [session.token, session.token + "x"]
    assert caplog.records  # something was logged, and none of it is a token
    assert not any(token in caplog.text for token in tokens)


async def test_a_refused_port_ends_the_session_with_the_agents_reason() -> None:
    # port_basic.go: the agent cannot dial the port, and channel_closed's Output says so.
    async with running_agent() as agent:
        async with agent.open_channel(port=9999) as channel:
            assert await asyncio.wait_for(channel.receive(), 10) == b""
            early = channel.early_end()
            assert early is not None and channel.received_bytes == 0
            assert str(early) == (
                "the session ended before port 9999 sent anything: Unable to connect to specified port: "
                "dial tcp 127.0.0.1:9999: connect: connection refused"
            )
        await until(lambda: agent.service.endings)
        assert list(agent.service.endings) == ["port refused"]


async def test_a_session_that_delivered_data_did_not_end_early() -> None:
    async with running_agent() as agent, agent.open_channel(port=8888) as channel:
        await channel.send(LAB_REQUEST)
        assert (await asyncio.wait_for(read_all(channel), 10)).startswith(b"HTTP/1.1 200 OK")
        assert channel.ended_by_agent and channel.early_end() is None and channel.close_reason == ""


async def test_pings_are_sent_and_the_channel_stays_usable() -> None:
    async with running_agent() as agent, agent.open_channel(port=8888, heartbeat=0.3) as channel:
        await until(lambda: agent.service.pings >= 3)
        assert agent.service.pings >= 3  # the agent's side saw them arrive
        await channel.send(LAB_REQUEST)
        assert (await asyncio.wait_for(read_all(channel), 10)).startswith(b"HTTP/1.1 200 OK")


@pytest.mark.parametrize("resume", [True, False], ids=["paused-then-started", "paused-for-good"])
async def test_publication_frames_from_the_service_do_not_stop_the_session(resume: bool) -> None:
    # The service's pause_publication (empty payload, all-zero digest, NUL-padded type) used to end
    # the session as malformed; the official client ignores it, and so do we: data the service
    # dropped while paused is resent, and a pause never lifted does not hang anything.
    async with running_agent() as agent:
        agent.faults.publication_pause, agent.faults.publication_resume = 0.3, resume
        async with agent.ssh() as conn:
            data = os.urandom(256 * 1024)
            result = await asyncio.wait_for(conn.run("sha256sum", input=data, encoding=None), 60)
        assert result.stdout.split()[0].decode() == hashlib.sha256(data).hexdigest()
        assert agent.faults.publication_pauses == 1
        assert agent.faults.dropped_while_paused > 0  # the pause really cost the client messages


async def test_messages_of_unknown_types_are_skipped_and_named_in_the_debug_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="sm_spaces.ssm.channel")
    async with running_agent() as agent:
        agent.faults.session_state_to_client = True
        async with agent.open_channel(port=8888) as channel:
            await channel.send(LAB_REQUEST)
            assert (await asyncio.wait_for(read_all(channel), 10)).startswith(b"HTTP/1.1 200 OK")
    assert "skipped a message of unknown type 'agent_session_state'" in caplog.text


async def test_the_agent_acks_duplicates_again_and_buffers_what_comes_early() -> None:
    async with running_agent() as agent:
        agent.faults.duplicate_rate = agent.faults.reorder_rate = 0.3
        async with agent.ssh() as conn:
            data = os.urandom(512 * 1024)
            result = await asyncio.wait_for(conn.run("sha256sum", input=data, encoding=None), 60)
        assert result.stdout.split()[0].decode() == hashlib.sha256(data).hexdigest()
        await until(lambda: not agent.service.live)
        assert agent.service.duplicates_acked > 0 and agent.service.buffered_ahead > 0


async def test_the_agent_gives_up_on_a_client_that_never_answers_its_handshake() -> None:
    async with running_agent() as agent:
        agent.faults.handshake_timeout = 0.2
        session, url = agent.start_session()
        async with aiohttp.ClientSession() as http, http.ws_connect(url) as ws:
            await ws.send_str(json.dumps({"MessageSchemaVersion": "1.0", "TokenValue": session.token}))
            closed = None
            async for msg in ws:
                message = frames.decode(msg.data)
                if message.message_type == MessageType.CHANNEL_CLOSED:
                    closed = json.loads(message.payload)
                    break
        assert closed is not None and closed["Output"].startswith(
            "Encountered error while initiating handshake. Handshake timed out."
        )
        assert list(agent.service.endings) == ["handshake timed out"]


async def test_the_agents_reason_reaches_the_user_as_one_safe_line() -> None:
    async with running_agent() as agent, agent.open_channel() as channel:
        (session,) = agent.service.live
        await session.close_channel("line one\r\n\x1b]52;c;cGFzdGU=\x07 line two", drain=False)
        await asyncio.wait_for(read_all(channel), 10)  # the banner, perhaps; then the end
        assert (
            channel.ended_by_agent and channel.close_reason == "line one \u241b]52;c;cGFzdGU=\u2407 line two"
        )
