"""The simulated agent sends by amazon-ssm-agent's rules (app/demo/agent_sender.py, after
agent/session/datachannel/datachannel.go), not by the client's: a raw websocket client that
withholds its acks sees only the oldest unacknowledged message come again, byte for byte, for as
long as it withholds the ack; the round-trip arithmetic is config.go's."""

from __future__ import annotations

import asyncio
import json

import aiohttp
from sm_spaces.demo.agent_sender import AgentSender
from sm_spaces.ssm import frames
from sm_spaces.ssm.frames import Message, MessageType, PayloadType

from tests.ssm_demo import running_agent

GUARD_S = 30  # a hang guard, not a timing claim


async def _next(ws: aiohttp.ClientWebSocketResponse) -> tuple[bytes, Message]:
    while True:
        msg = await asyncio.wait_for(ws.receive(), GUARD_S)
        assert msg.type is aiohttp.WSMsgType.BINARY, msg
        message = frames.decode(msg.data)
        if message.message_type == MessageType.OUTPUT:
            return msg.data, message


def _handshake_response() -> bytes:
    answer = {
        "ClientVersion": "1.2.0.0",
        "ProcessedClientActions": [
            {"ActionType": "SessionType", "ActionStatus": 1, "ActionResult": None, "Error": ""}
        ],
        "Errors": None,
    }
    return frames.encode_new(
        MessageType.INPUT, 0, PayloadType.HANDSHAKE_RESPONSE, frames.json_payload(answer)
    )


async def test_only_the_oldest_unacknowledged_message_is_resent_and_never_given_up() -> None:
    async with running_agent() as agent:
        session, url = agent.start_session()
        async with aiohttp.ClientSession() as http, http.ws_connect(url) as ws:
            await ws.send_str(json.dumps({"MessageSchemaVersion": "1.0", "TokenValue": session.token}))
            first, request = await _next(ws)
            assert request.sequence_number == 0 and request.payload_type == PayloadType.HANDSHAKE_REQUEST
            assert request.flags == 1  # SendStreamDataMessage: flag 1 on sequence 0
            for _ in range(3):  # not acknowledged: the very same frame again, and again
                assert (await _next(ws))[0] == first
            await ws.send_bytes(frames.ack_frame(request))
            await ws.send_bytes(_handshake_response())
            # HandshakeComplete (1), then the space's sshd banner (2, and more): none acknowledged.
            seen: dict[int, list[bytes]] = {}
            while len(seen.get(1, [])) < 4:
                frame, message = await _next(ws)
                assert message.sequence_number != 0  # acknowledged: never sent again
                seen.setdefault(message.sequence_number, []).append(frame)
            assert set(seen[1]) == {seen[1][0]} and seen[1][0] != first
            assert 2 in seen and all(len(copies) == 1 for seq, copies in seen.items() if seq != 1), {
                seq: len(copies) for seq, copies in seen.items()
            }
            complete = frames.decode(seen[1][0])
            assert complete.payload_type == PayloadType.HANDSHAKE_COMPLETE and complete.flags == 0
            await ws.send_bytes(frames.ack_frame(complete))
            # Now sequence 2 is the oldest unacknowledged message: it comes again, unchanged.
            while True:
                frame, message = await _next(ws)
                if message.sequence_number == 2:
                    break
            assert frame == seen[2][0]


def test_round_trip_arithmetic_is_the_agents() -> None:
    now = [0.0]
    sent: list[bytes] = []

    async def send(frame: bytes) -> None:
        sent.append(frame)

    async def scenario() -> None:
        sender = AgentSender(send, clock=lambda: now[0])
        assert sender.retransmission_timeout == 0.2  # DefaultTransmissionTimeout
        await sender.send(PayloadType.OUTPUT, b"")  # an empty payload is not sent
        assert sent == [] and sender.next_seq == 0
        await sender.send(PayloadType.OUTPUT, b"a")
        await sender.send(PayloadType.OUTPUT, b"b")
        now[0] = 0.05
        sender.on_ack(1)  # acks leave the buffer wherever the message is
        assert sender.unacked_count == 1
        # RTTVAR = 3/4 * 0 + 1/4 * |0.1 - 0.05|; RTT = 7/8 * 0.1 + 1/8 * 0.05; RTO = RTT + max(10 ms, 4 RTTVAR)
        assert abs(sender.round_trip_time - 0.09375) < 1e-9
        assert abs(sender.retransmission_timeout - (0.09375 + 0.05)) < 1e-9
        now[0] = 30.0
        sender.on_ack(0)  # a sample of 30 s: capped at MaxTransmissionTimeout
        assert sender.retransmission_timeout == 1.0 and sender.unacked_count == 0
        sender.on_ack(0)  # an ack for nothing kept changes nothing
        assert sender.retransmission_timeout == 1.0

    asyncio.run(scenario())
    assert [frames.decode(f).sequence_number for f in sent] == [0, 1]
    assert [frames.decode(f).flags for f in sent] == [1, 0]


def test_a_paused_agent_keeps_its_output_and_its_scheduler_sends_it_later() -> None:
    sent: list[bytes] = []
    arrived = asyncio.Event()

    async def send(frame: bytes) -> None:
        sent.append(frame)
        arrived.set()

    async def scenario() -> None:
        sender = AgentSender(send)
        sender.paused = True  # pause_publication: kept, not sent
        await sender.send(PayloadType.OUTPUT, b"kept")
        resends = asyncio.create_task(sender.run_resends())
        try:
            await asyncio.sleep(0.5)  # scheduler ticks while paused: nothing goes out
            assert sent == [] and sender.unacked_count == 1
            sender.paused = False  # start_publication
            await arrived.wait()
        finally:
            resends.cancel()
        assert frames.decode(sent[0]).payload == b"kept" and sender.resends == 1

    asyncio.run(asyncio.wait_for(scenario(), GUARD_S))
