"""The simulated account's own security: loopback only, and nothing for anyone without the per-run keys.

Another local user can see the port (it is on 127.0.0.1, which every local user can reach), so the
port must not be enough: requests signed with other credentials, unsigned, replayed outside the
SigV4 window, or websockets without the token StartSession issued get nothing — no account data, no
data channel, no shell. (tests/test_demo_sigv4.py covers signature mechanics one case at a time.)
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sm_spaces.demo import sigv4
from sm_spaces.demo.faults import ApiError
from sm_spaces.demo.sagemaker_api import HANDLERS
from sm_spaces.demo.server import DemoServer
from sm_spaces.ssm import frames

from tests.reliability_log import record

ARN = "arn:aws:sagemaker:us-east-1:123456789012:space/d-mlplatf0rm01/fraud-detection"
# Words that would mean account data leaked into a refusal.
ACCOUNT_WORDS = ("fraud-detection", "d-mlplatf0rm01", "ml-platform", "alice", "TokenValue", "StreamUrl")


# --- loopback only ---------------------------------------------------------------------------------


def _listening(inodes: set[str] | None = None) -> set[tuple[str, int]]:
    """(address, port) of LISTEN sockets, optionally only those whose inode is in `inodes`."""
    found = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state != "0A" or (inodes is not None and inode not in inodes):
                continue
            address, port = local.split(":")
            found.add((address, int(port, 16)))
    return found


def _own_socket_inodes() -> set[str]:
    inodes = set()
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def test_refuses_to_listen_beyond_loopback() -> None:
    for host in ("0.0.0.0", "::", "192.168.1.10", ""):
        with pytest.raises(ValueError, match=r"loopback|127\.0\.0\.1"):
            DemoServer(host=host)


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc")
def test_listens_on_one_loopback_port_and_space_hosts_on_none(make_botocore_client: Any) -> None:
    before = _listening(_own_socket_inodes())
    handle = DemoServer(transition_delay=0.0).start_in_thread()
    try:
        server = handle.server
        # Open a real session so the agent and the space's SSH host are running too.
        import asyncio

        from sm_spaces.ssm.channel import DataChannel

        answer = make_botocore_client(server).start_session(ResourceIdentifier=ARN)

        async def hello() -> tuple[bytes, set[tuple[str, int]]]:
            channel = await DataChannel.connect(answer["StreamUrl"], answer["TokenValue"])
            try:
                banner = await channel.receive()
                return banner, _listening(_own_socket_inodes())  # while the session is live
            finally:
                # Not a polite close: see test_reliability_channel's xfail on the agent's shutdown.
                await channel.abort()

        banner, after = asyncio.run(hello())
        assert banner.startswith(b"SSH-2.0-")
    finally:
        handle.stop()
    added = after - before
    assert added == {("0100007F", server.port)}, added  # 127.0.0.1:<port>, nothing else, nothing on 0.0.0.0
    record("security.loopback", listening_sockets_added=len(added), address="127.0.0.1")


# --- a stranger who knows the port -------------------------------------------------------------------


async def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    async with aiohttp.ClientSession() as session, session.post(url + "/", data=body, headers=headers) as rsp:
        return rsp.status, await rsp.read()


def _signed(
    server: DemoServer,
    op: str,
    params: dict,
    access_key: str,
    secret_key: str,
    token: str | None,
    service: str = "sagemaker",
) -> tuple[bytes, dict[str, str]]:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    if service == "sts":
        body = b"Action=GetCallerIdentity&Version=2011-06-15"
        headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    else:
        body = json.dumps(params).encode()
        headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"SageMaker.{op}"}
    request = AWSRequest(method="POST", url=server.endpoint_url + "/", data=body, headers=headers)
    SigV4Auth(Credentials(access_key, secret_key, token), service, server.region).add_auth(request)
    return body, dict(request.headers.items())


PARAMS: dict[str, dict] = {
    "StartSession": {"ResourceIdentifier": ARN},
    "DescribeSpace": {"DomainId": "d-mlplatf0rm01", "SpaceName": "fraud-detection"},
    "DeleteApp": {
        "DomainId": "d-mlplatf0rm01",
        "SpaceName": "fraud-detection",
        "AppType": "JupyterLab",
        "AppName": "default",
    },
}


async def test_a_stranger_with_other_credentials_gets_nothing(demo: DemoServer) -> None:
    await _stranger_gets_nothing(demo, "security.stranger_requests")


async def test_a_stranger_gets_nothing_from_a_server_with_a_session_token() -> None:
    server = DemoServer(transition_delay=0.0)
    server.credentials = sigv4.Credentials.random(with_token=True)
    async with server:
        await _stranger_gets_nothing(server, "security.stranger_requests.session_token")


async def _stranger_gets_nothing(demo: DemoServer, name: str) -> None:
    stranger = sigv4.Credentials.random(with_token=True)
    own = demo.credentials
    identities = {
        "other keys": (stranger.access_key, stranger.secret_key, stranger.token),
        "our key id, guessed secret": (own.access_key, stranger.secret_key, own.token),
        "our key id, no token": (own.access_key, own.secret_key, None) if own.token else None,
        "our keys, other token": (own.access_key, own.secret_key, stranger.token),
    }
    tried = 0
    for label, identity in identities.items():
        if identity is None:
            continue
        for op in [*sorted(HANDLERS), "GetCallerIdentity"]:
            service = "sts" if op == "GetCallerIdentity" else "sagemaker"
            body, headers = _signed(demo, op, PARAMS.get(op, {}), *identity, service=service)
            status, answer = await _post(demo.endpoint_url, body, headers)
            tried += 1
            text = answer.decode(errors="replace")
            assert status == 403, (label, op, status, text[:200])
            assert not any(word in text for word in ACCOUNT_WORDS), (label, op, text[:200])
    # Nothing the stranger sent changed anything: fraud-detection still runs, no session was issued.
    assert not demo.sessions.issued()
    status, answer = await _post(
        demo.endpoint_url,
        *_signed(demo, "DescribeSpace", PARAMS["DescribeSpace"], own.access_key, own.secret_key, own.token),
    )
    assert status == 200 and json.loads(answer)["Status"] == "InService"
    record(name, requests=tried, refused=tried, operations=len(HANDLERS) + 1)


async def test_unsigned_and_garbage_authorization_are_refused(demo: DemoServer) -> None:
    body = json.dumps({}).encode()
    base = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "SageMaker.ListDomains"}
    cases = {
        "unsigned": {},
        "empty": {"Authorization": ""},
        "not sigv4": {"Authorization": "Basic dXNlcjpwYXNz"},
        "truncated": {"Authorization": "AWS4-HMAC-SHA256 Credential="},
        "no signature": {
            "Authorization": f"AWS4-HMAC-SHA256 Credential={demo.credentials.access_key}/20260101/"
            "us-east-1/sagemaker/aws4_request, SignedHeaders=host"
        },
    }
    for label, extra in cases.items():
        status, answer = await _post(demo.endpoint_url, body, base | extra)
        assert status in (400, 403), label
        assert b"Domains" not in answer and b"ml-platform" not in answer, label
    record("security.unsigned_or_garbage", cases=len(cases), refused=len(cases))


async def test_a_captured_request_replayed_outside_the_window_is_refused(
    demo: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = demo.credentials
    body, headers = _signed(demo, "ListDomains", {}, c.access_key, c.secret_key, c.token)
    status, _ = await _post(demo.endpoint_url, body, headers)
    assert status == 200  # the original, within the window

    class Later(datetime):
        shift = timedelta(0)

        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            return datetime.now(tz) + cls.shift

    monkeypatch.setattr(sigv4, "datetime", Later)
    outcomes = {}
    for minutes in (4, 6, 60, -6):  # byte-for-byte replays as the server's clock moves on (or back)
        Later.shift = timedelta(minutes=minutes)
        status, answer = await _post(demo.endpoint_url, body, headers)
        outcomes[minutes] = status
        if abs(minutes) > 5:
            assert (
                status == 403 and b"Signature expired" in answer
            ) or b"Signature not yet current" in answer
            assert b"Domains" not in answer
    assert outcomes[4] == 200 and outcomes[6] == outcomes[60] == outcomes[-6] == 403
    record(
        "security.replay",
        replays=len(outcomes),
        refused=sum(1 for s in outcomes.values() if s == 403),
        window_minutes=5,
    )


async def _ws_attempt(url: str, opening: Any) -> tuple[int | None, int]:
    """Connect, send `opening` (text, bytes or nothing); (close code, binary frames received)."""
    frames_seen = 0
    timeout = aiohttp.ClientWSTimeout(ws_close=5)
    async with aiohttp.ClientSession() as session, session.ws_connect(url, timeout=timeout) as ws:
        if isinstance(opening, bytes):
            await ws.send_bytes(opening)
        elif opening is not None:
            await ws.send_str(json.dumps(opening) if not isinstance(opening, str) else opening)
        async for msg in ws:
            if msg.type is aiohttp.WSMsgType.BINARY:
                frames_seen += 1
        return ws.close_code, frames_seen


async def test_a_stranger_without_the_token_gets_no_data_channel(demo: DemoServer, boto_client: Any) -> None:
    issued = await boto_client.start_session(ResourceIdentifier=ARN)
    stream_url, token = issued["StreamUrl"], issued["TokenValue"]

    def opening(value: Any) -> dict:
        return {
            "MessageSchemaVersion": "1.0",
            "RequestId": "r",
            "TokenValue": value,
            "ClientId": "c",
            "ClientVersion": "1",
        }

    attempts = {
        "wrong token": (stream_url, opening("x" * len(token))),
        "token of the right length, one char off": (
            stream_url,
            opening(token[:-1] + ("A" if token[-1] != "A" else "B")),
        ),
        "no token field": (stream_url, {"MessageSchemaVersion": "1.0"}),
        "token not a string": (stream_url, opening(12345)),
        "binary first": (stream_url, frames.encode(frames.Message(frames.MessageType.INPUT, 0, 0, b"x"))),
        "garbage text": (stream_url, "not json"),
        "guessed session id": (
            stream_url.replace(issued["SessionId"], "sagemaker-user-0000000000000000"),
            opening(token),
        ),
    }
    for label, (url, first) in attempts.items():
        code, seen = await _ws_attempt(url, first)
        assert seen == 0, f"{label}: the agent spoke to a stranger"
        assert code == 1008, f"{label}: closed with {code}"
    # The stranger's tries did not burn or steal the session: its owner still gets the handshake.
    code, seen = await _ws_attempt_owner(stream_url, opening(token))
    assert seen >= 1
    # And the owner's token works once only: a replay of the same opening is refused.
    code, seen = await _ws_attempt(stream_url, opening(token))
    assert seen == 0 and code == 1008
    record("security.websocket_without_token", attempts=len(attempts) + 1, refused=len(attempts) + 1)


async def _ws_attempt_owner(url: str, opening: dict) -> tuple[int | None, int]:
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        await ws.send_str(json.dumps(opening))
        msg = await ws.receive(timeout=10)
        seen = 1 if msg.type is aiohttp.WSMsgType.BINARY else 0
        await ws.close()
        return ws.close_code, seen


@pytest.mark.parametrize("when", [datetime(2020, 1, 1, tzinfo=UTC)])
def test_signature_time_checks_use_utc(when: datetime) -> None:
    """Guards the replay test's clock shim: verify() takes the time it is given."""
    credentials = sigv4.Credentials.random()
    with pytest.raises(ApiError, match="Signature expired: 20200101T000000Z"):
        sigv4.verify(
            "POST",
            "/",
            {
                "Authorization": f"AWS4-HMAC-SHA256 Credential={credentials.access_key}/20200101/us-east-1/s/"
                f"aws4_request, SignedHeaders=host;x-amz-date, Signature={'0' * 64}",
                "X-Amz-Date": "20200101T000000Z",
                "Host": "h",
            },
            b"",
            credentials,
            now=when + timedelta(minutes=10),
        )
