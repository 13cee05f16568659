"""ssm:ResumeSession in the simulator and in the client's data channel (in-process, no ssh binary).

The simulator's rules (app/demo/ssm_api.py): signed, only for the session's owner, a fresh token each
time, the old token refused, no token once the session has ended. The client (app/ssm/resume.py):
asyncssh above a channel whose websocket is cut finishes its command as if nothing happened; the
tries are bounded as session-manager-plugin bounds them. Every answer here is checked against
botocore's SSM model by the suite's shape check (tests/conftest.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random

import aiohttp
import pytest
from sm_spaces.aws.errors import AwsError
from sm_spaces.aws.service import SpacesService
from sm_spaces.connect.inprocess import ssh_connection
from sm_spaces.connect.session import open_channel
from sm_spaces.demo.server import DemoServer
from sm_spaces.ssm.resume import ResumeFailed, ResumeLimits, Resumer, ResumeRefused

from tests.demo_service import demo_service

ARN = "arn:aws:sagemaker:us-east-1:123456789012:space/d-mlplatf0rm01/fraud-detection"
MB = 1024 * 1024


async def until(condition, rounds: int = 1000) -> None:
    for _ in range(rounds):  # a hang guard, not a timing claim
        if condition():
            return
        await asyncio.sleep(0.01)


async def _open_ws(url: str, token: str) -> tuple[aiohttp.ClientSession, aiohttp.ClientWebSocketResponse]:
    http = aiohttp.ClientSession()
    ws = await http.ws_connect(url)
    await ws.send_str(json.dumps({"MessageSchemaVersion": "1.0", "TokenValue": token}))
    return http, ws


async def test_resume_gives_a_fresh_token_and_the_old_one_no_longer_opens_the_session(
    demo: DemoServer,
) -> None:
    async with demo_service(demo) as svc:
        started = await svc.start_session(ARN)
        channel = await open_channel(svc, ARN)  # another session, so the limit counts two
        resumed = await svc.resume_session(started.session_id)
        assert resumed is not None and resumed.token != started.token
        again = await svc.resume_session(started.session_id)
        assert again is not None and again.token not in (started.token, resumed.token)
        # Only the newest token opens the session's websocket: the older two are refused.
        for token in (started.token, resumed.token):
            http, ws = await _open_ws(started.stream_url, token)
            assert (await ws.receive()).type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
            assert ws.close_code == 1008
            await http.close()
        http, ws = await _open_ws(again.stream_url, again.token)
        await until(lambda: len(demo.agent.live) == 2)
        assert len(demo.agent.live) == 2 and not ws.closed
        await ws.close()
        await http.close()
        await channel.close()
    assert demo.resume.resumed == 2


async def test_only_the_sessions_owner_may_resume_it(demo: DemoServer) -> None:
    async with demo_service(demo) as svc:
        started = await svc.start_session(ARN)
        demo.account.use_sso_user("maria.garcia")  # another caller, same account
        with pytest.raises(AwsError) as refused:
            await svc.resume_session(started.session_id)
        assert refused.value.code == "AccessDeniedException"
        demo.account.use_sso_user(None)
        assert await svc.resume_session(started.session_id) is not None
        with pytest.raises(AwsError) as unknown:
            await svc.resume_session("sagemaker-user-0123456789abcdef")
        assert unknown.value.code == "DoesNotExistException"


async def test_resume_must_be_signed_with_the_accounts_keys(demo: DemoServer, signed_call) -> None:
    async with demo_service(demo) as svc:
        started = await svc.start_session(ARN)
    target = {"X-Amz-Target": "AmazonSSM.ResumeSession"}
    params = {"SessionId": started.session_id}
    status, _, body = await signed_call(demo, "", params, service="ssm", headers=target, secret_key="wrong")
    assert status == 403 and json.loads(body)["__type"] == "InvalidSignatureException"
    status, _, body = await signed_call(demo, "", params, service="ssm", headers=target)
    assert status == 200 and json.loads(body)["TokenValue"]


async def test_a_session_that_ended_resumes_without_a_token(demo: DemoServer) -> None:
    async with demo_service(demo) as svc:
        channel = await open_channel(svc, ARN)
        (agent,) = demo.agent.live
        session_id = agent.session.session_id
        await channel.close()  # Flag TerminateSession: the session is over
        await until(lambda: not demo.agent.live)
        assert await svc.resume_session(session_id) is None  # the plugin's "timed out"


async def test_asyncssh_command_finishes_across_cut_websockets(demo: DemoServer) -> None:
    data = os.urandom(8 * MB)
    async with (
        demo_service(demo) as svc,
        ssh_connection(lambda: open_channel(svc, ARN), "sm-fraud-detection") as conn,
    ):
        demo.agent.faults.cut_after_bytes = 2 * MB  # mid-upload, once for the session
        running = asyncio.ensure_future(conn.run("sha256sum", input=data, encoding=None))
        # Once the resumed websocket is attached, cut that one too (if the upload still runs).
        await until(lambda: any(a.attachments >= 2 for a in demo.agent.live) or running.done(), rounds=6000)
        demo.agent.cut_connections()
        result = await asyncio.wait_for(running, 120)
    assert result.exit_status == 0
    assert result.stdout.split()[0].decode() == hashlib.sha256(data).hexdigest()
    assert demo.resume.resumed >= 1


async def test_a_refused_resume_reaches_asyncssh_as_the_reason(demo: DemoServer) -> None:
    demo.resume.refusal = "AccessDeniedException"
    async with (
        demo_service(demo) as svc,
        ssh_connection(lambda: open_channel(svc, ARN), "sm-fraud-detection") as conn,
    ):
        process = await conn.create_process("cat", encoding=None)
        process.stdin.write(b"hi\n")
        assert await process.stdout.readexactly(3) == b"hi\n"
        demo.agent.cut_connections()
        await asyncio.wait_for(process.wait_closed(), 60)
        await asyncio.wait_for(conn.wait_closed(), 60)
    assert process.exit_status is None  # cut off, never a success
    assert demo.resume.refused == 1


def test_the_back_off_is_the_official_clients() -> None:
    # retryer.go: a random first wait of 100-199 ms, doubling, back to the first once past 5 s.
    delays = ResumeLimits().delays(random.Random(3))
    waits = [next(delays) for _ in range(8)]
    first = waits[0]
    assert 0.1 <= first < 0.2
    assert waits[1:5] == [first * 2, first * 4, first * 8, first * 16]
    assert max(waits) <= 5.0 and waits.count(first) >= 2  # it went back to the start


async def test_resuming_gives_up_after_its_tries_with_the_last_reason() -> None:
    calls = 0

    async def failing() -> tuple[str, str]:
        nonlocal calls
        calls += 1
        raise ConnectionRefusedError("the network is down")

    async def never(url: str, token: str) -> None:
        raise AssertionError("no websocket without an answer")

    resumer = Resumer(failing, ResumeLimits(first_delay=0.001, max_delay=0.01, budget=600))
    with pytest.raises(ResumeFailed, match=r"gave up after 6 tries .*the network is down"):
        await resumer.reconnect(never)
    assert calls == 6


async def test_a_refusal_stops_resuming_at_once() -> None:
    calls = 0

    async def refused() -> tuple[str, str]:
        nonlocal calls
        calls += 1
        raise ResumeRefused("SSM refused it")

    async def never(url: str, token: str) -> None:
        raise AssertionError("no websocket after a refusal")

    with pytest.raises(ResumeFailed, match="SSM refused it"):
        await Resumer(refused).reconnect(never)
    assert calls == 1


async def test_websockets_dropped_before_carrying_anything_use_up_the_same_tries() -> None:
    attached = 0

    async def resume() -> tuple[str, str]:
        return "ws://unused", "token"

    async def attach(url: str, token: str) -> None:
        nonlocal attached
        attached += 1

    resumer = Resumer(resume, ResumeLimits(tries=3, first_delay=0.001, budget=600))
    for _ in range(3):  # each new websocket "dies" before a message: no reset
        await resumer.reconnect(attach)
    with pytest.raises(ResumeFailed, match="gave up after 3 tries"):
        await resumer.reconnect(attach)
    resumer.proven()  # one that carried a message starts a fresh count
    await resumer.reconnect(attach)
    assert attached == 4


async def test_a_silent_websocket_is_noticed_by_the_heartbeat_and_resumed(demo: DemoServer) -> None:
    from sm_spaces.ssm.channel import DataChannel

    async with demo_service(demo) as svc:
        started = await svc.start_session(ARN)
        channel = await DataChannel.connect(
            started.stream_url,
            started.token,
            heartbeat=0.3,
            resume=lambda: _resumed(svc, started.session_id),
        )
        banner = await asyncio.wait_for(channel.receive(), 30)
        assert banner.startswith(b"SSH-2.0-")
        demo.agent.faults.answer_pings = False  # the link goes quiet; nothing closes it
        await until(lambda: channel.resumed >= 1, rounds=3000)
        demo.agent.faults.answer_pings = True
        assert channel.resumed >= 1  # the missing pong was noticed and the session resumed
        await channel.send(b"SSH-2.0-test\r\n")  # and the port still answers on the new websocket
        await channel.close()
    assert demo.resume.resumed >= 1


async def _resumed(svc: SpacesService, session_id: str) -> tuple[str, str]:
    info = await svc.resume_session(session_id)
    assert info is not None
    return info.stream_url, info.token
