"""The demo endpoint refuses unsigned, wrongly signed and stale requests as AWS does.

botocore's signer produces the requests; the verifier under test is our own code (app/demo/sigv4.py).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import botocore.auth
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials
from botocore.exceptions import ClientError
from sm_spaces.demo.account import DemoAccount
from sm_spaces.demo.faults import ApiError
from sm_spaces.demo.server import DemoServer
from sm_spaces.demo.sigv4 import Credentials, verify

CREDS = Credentials("AKIADEMOTESTKEY00001", "s3cr3t/key+with=odd-chars", None)


def _signed(
    url: str,
    body: bytes,
    *,
    creds: Credentials = CREDS,
    region: str = "us-east-1",
    service: str = "sagemaker",
    headers: dict[str, str] | None = None,
) -> AWSRequest:
    request = AWSRequest(method="POST", url=url, data=body, headers=headers or {})
    SigV4Auth(BotoCredentials(creds.access_key, creds.secret_key, creds.token), service, region).add_auth(
        request
    )
    return request


def _verify(request: AWSRequest, creds: Credentials = CREDS, now: datetime | None = None) -> Any:
    path = request.url.split("127.0.0.1:1234", 1)[1]
    headers = dict(request.headers.items()) | {"Host": "127.0.0.1:1234"}
    return verify(request.method, path, _CI(headers), request.body or b"", creds, now)


class _CI(dict):
    """Case-insensitive header lookup, like aiohttp's CIMultiDict."""

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        for name, value in self.items():
            if name.lower() == key.lower():
                return value
        return default


def test_botocore_signature_verifies_with_path_and_query() -> None:
    request = _signed(
        "http://127.0.0.1:1234/a%20b/c?z=1&a=2&a=1&empty=&sp=x%20y",
        b'{"k":"v"}',
        headers={"X-Amz-Target": "SageMaker.ListSpaces"},
    )
    scope = _verify(request)
    assert (scope.region, scope.service, scope.access_key) == ("us-east-1", "sagemaker", CREDS.access_key)


def test_tampered_body_or_signed_header_is_refused() -> None:
    request = _signed(
        "http://127.0.0.1:1234/", b'{"MaxResults": 1}', headers={"X-Amz-Target": "SageMaker.ListSpaces"}
    )
    request.data = b'{"MaxResults": 100}'
    with pytest.raises(ApiError) as caught:
        _verify(request)
    assert caught.value.code == "InvalidSignatureException"
    request = _signed("http://127.0.0.1:1234/", b"{}", headers={"X-Amz-Target": "SageMaker.ListSpaces"})
    request.headers.replace_header("X-Amz-Target", "SageMaker.DeleteApp")
    with pytest.raises(ApiError, match="signature we calculated does not match"):
        _verify(request)


def test_session_token_must_be_presented_when_issued() -> None:
    with_token = Credentials(CREDS.access_key, CREDS.secret_key, "the-session-token")
    assert (
        _verify(_signed("http://127.0.0.1:1234/", b"{}", creds=with_token), with_token).service == "sagemaker"
    )
    with pytest.raises(ApiError) as caught:
        _verify(_signed("http://127.0.0.1:1234/", b"{}"), with_token)
    assert caught.value.code == "UnrecognizedClientException"


def test_clock_skew_both_ways_is_refused() -> None:
    request = _signed("http://127.0.0.1:1234/", b"{}")
    with pytest.raises(ApiError, match="Signature expired"):
        _verify(request, now=datetime.now(UTC) + timedelta(minutes=6))
    with pytest.raises(ApiError, match="Signature not yet current"):
        _verify(request, now=datetime.now(UTC) - timedelta(minutes=6))


def test_credentials_never_show_their_secret() -> None:
    creds = Credentials.random(with_token=True)
    assert creds.secret_key not in repr(creds) and creds.token not in repr(creds)
    assert creds.access_key.startswith("AKIA") and len(creds.access_key) == 20
    assert Credentials.random().secret_key != creds.secret_key


# --- over HTTP -----------------------------------------------------------------------------------


async def test_unsigned_request_gets_403_missing_authentication_token(demo: DemoServer) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(
            demo.endpoint_url + "/",
            data=b"{}",
            headers={"X-Amz-Target": "SageMaker.ListSpaces", "Content-Type": "application/x-amz-json-1.1"},
        ) as rsp:
            assert rsp.status == 403
            assert json.loads(await rsp.read()) == {
                "__type": "MissingAuthenticationTokenException",
                "message": "Missing Authentication Token",
            }
        # An unsigned STS (query protocol) call gets the XML error.
        async with session.post(
            demo.endpoint_url + "/",
            data=b"Action=GetCallerIdentity&Version=2011-06-15",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ) as rsp:
            text = await rsp.text()
            assert rsp.status == 403 and "<Code>MissingAuthenticationToken</Code>" in text


async def test_wrong_secret_and_unknown_key_are_refused(demo: DemoServer, signed_call: Any) -> None:
    status, _, body = await signed_call(demo, "ListDomains", {}, secret_key="not-the-secret")
    assert status == 403 and json.loads(body)["__type"] == "InvalidSignatureException"
    status, _, body = await signed_call(demo, "ListDomains", {}, access_key="AKIAUNKNOWNKEY000000")
    assert status == 403 and json.loads(body)["__type"] == "UnrecognizedClientException"
    status, _, body = await signed_call(demo, "ListDomains", {})
    assert status == 200 and json.loads(body)["Domains"]


async def test_old_x_amz_date_is_refused(
    demo: DemoServer, signed_call: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = datetime.now(UTC) - timedelta(minutes=10)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: stale.replace(tzinfo=None))
    status, _, body = await signed_call(demo, "ListDomains", {})
    answer = json.loads(body)
    assert status == 403 and answer["__type"] == "InvalidSignatureException"
    assert answer["message"].startswith(
        f"Signature expired: {stale.strftime('%Y%m%dT%H%M%SZ')} is now earlier than"
    )


def test_botocore_clients_see_aws_style_auth_errors(demo_thread: Any, make_botocore_client: Any) -> None:
    server = demo_thread.server
    client, sts = make_botocore_client(server), make_botocore_client(server, "sts")
    good_secret = server.credentials.secret_key
    object.__setattr__(server.credentials, "secret_key", good_secret + "x")  # the clients keep the old one
    try:
        with pytest.raises(ClientError) as caught:
            client.list_domains()
        assert caught.value.response["Error"]["Code"] == "InvalidSignatureException"
        with pytest.raises(ClientError) as caught:
            sts.get_caller_identity()
        assert caught.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    finally:
        object.__setattr__(server.credentials, "secret_key", good_secret)
    assert client.list_domains()["Domains"] and sts.get_caller_identity()["Account"] == "123456789012"


async def test_server_with_session_token_requires_it() -> None:
    server = DemoServer(DemoAccount.seeded())
    server.credentials = Credentials.random(with_token=True)
    async with server:
        assert server.env()["AWS_SESSION_TOKEN"] == server.credentials.token
        import aiobotocore.session

        c = server.credentials
        async with aiobotocore.session.get_session().create_client(
            "sagemaker",
            region_name="us-east-1",
            endpoint_url=server.endpoint_url,
            aws_access_key_id=c.access_key,
            aws_secret_access_key=c.secret_key,
            aws_session_token=c.token,
        ) as ok:
            assert (await ok.list_domains())["Domains"]
        async with aiobotocore.session.get_session().create_client(
            "sagemaker",
            region_name="us-east-1",
            endpoint_url=server.endpoint_url,
            aws_access_key_id=c.access_key,
            aws_secret_access_key=c.secret_key,
        ) as no_token:
            with pytest.raises(ClientError) as caught:
                await no_token.list_domains()
            assert caught.value.response["Error"]["Code"] == "UnrecognizedClientException"
