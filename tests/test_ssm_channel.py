"""The data-channel client against the simulated agent over real websockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sm_spaces.ssm.channel import ChannelError, DataChannel

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
    async with running_agent() as agent:
        channel = await agent.open_channel()
        assert (await asyncio.wait_for(channel.receive(), 10)).startswith(b"SSH-2.0-")
        agent.service.cut_connections()
        with pytest.raises(ChannelError, match="lost"):
            await asyncio.wait_for(channel.receive(), 10)
        with pytest.raises(ChannelError):
            await channel.send(b"x" * 5000)
        await channel.close()


async def test_polite_close_terminates_the_agent_session() -> None:
    async with running_agent() as agent:
        async with agent.open_channel() as channel:
            await channel.receive()
            assert len(agent.service._live) == 1
        await until(lambda: agent.service.endings)
        assert not agent.service._live and channel.closed
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


async def test_port_the_space_does_not_serve_is_a_readable_error() -> None:
    async with running_agent() as agent:
        with pytest.raises(ChannelError, match="refused the connection to port 9999"):
            channel = await agent.open_channel(port=9999)
            await asyncio.wait_for(channel.receive(), 10)  # if the refusal came after the handshake


async def test_pings_keep_the_channel_usable() -> None:
    async with running_agent() as agent, agent.open_channel(port=8888, ping_interval=0.01) as channel:
        await asyncio.sleep(0.1)  # several pings go out (and pongs come back) meanwhile
        await channel.send(LAB_REQUEST)
        assert (await asyncio.wait_for(read_all(channel), 10)).startswith(b"HTTP/1.1 200 OK")
