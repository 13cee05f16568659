"""The simulator requires host, x-amz-date and x-amz-target among the signed headers, as AWS does
(issue 14, item 6): a signature that leaves X-Amz-Target out could be replayed as another operation
with the same parameters — a DescribeApp signature as DeleteApp, which stopped a space.

botocore's signer makes the requests (SigV4Auth, told which headers to sign through its public
`headers_to_sign`); the verifier under test is ours (app/demo/sigv4.py)."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials
from sm_spaces.demo.server import DemoServer

from tests.reliability_log import record

DOMAIN, SPACE = "d-mlplatf0rm01", "fraud-detection"
APP = {"DomainId": DOMAIN, "SpaceName": SPACE, "AppType": "JupyterLab", "AppName": "default"}


class _Leaving(SigV4Auth):
    """botocore's signer, leaving the named headers out of the signature."""

    def __init__(self, *args: Any, leave_out: tuple[str, ...] = ()) -> None:
        super().__init__(*args)
        self.leave_out = leave_out

    def headers_to_sign(self, request: AWSRequest) -> Any:
        headers = super().headers_to_sign(request)
        for name in self.leave_out:
            del headers[name]
        return headers


def _request(
    server: DemoServer,
    op: str,
    params: dict[str, Any],
    leave_out: tuple[str, ...] = (),
    extra: dict[str, str] | None = None,
) -> AWSRequest:
    body = json.dumps(params).encode()
    headers = {
        "X-Amz-Target": f"SageMaker.{op}",
        "Content-Type": "application/x-amz-json-1.1",
        **(extra or {}),
    }
    request = AWSRequest(method="POST", url=server.endpoint_url + "/", data=body, headers=headers)
    creds = server.credentials
    signer = _Leaving(
        BotoCredentials(creds.access_key, creds.secret_key, creds.token),
        "sagemaker",
        server.region,
        leave_out=leave_out,
    )
    signer.add_auth(request)
    return request


async def _send(request: AWSRequest) -> tuple[int, dict[str, Any]]:
    headers = dict(request.headers.items())
    async with (
        aiohttp.ClientSession() as http,
        http.post(request.url, data=request.body, headers=headers) as answer,
    ):
        return answer.status, json.loads(await answer.read())


async def test_a_describe_app_signature_replayed_as_delete_app_is_refused(demo: DemoServer) -> None:
    request = _request(demo, "DescribeApp", APP, leave_out=("x-amz-target",))
    status, body = await _send(request)  # as signed: the operation it names is not covered
    assert status == 400 and body["__type"] == "IncompleteSignatureException"
    request.headers.replace_header("X-Amz-Target", "SageMaker.DeleteApp")
    status, body = await _send(request)
    assert (status, body["__type"]) == (400, "IncompleteSignatureException")
    assert body["message"] == "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."
    status, app = await _send(_request(demo, "DescribeApp", APP))  # a whole signature still works
    assert status == 200 and app["Status"] == "InService"  # the space was not stopped
    record("security.signed_headers", requests=3, message=body["message"])


@pytest.mark.parametrize(
    "left_out, message",
    [
        ("host", "'Host' must be a 'SignedHeader' in the AWS Authorization."),
        ("x-amz-date", "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization."),
        ("x-amz-target", "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."),
    ],
)
async def test_each_required_header_must_be_signed(demo: DemoServer, left_out: str, message: str) -> None:
    status, body = await _send(_request(demo, "ListDomains", {}, leave_out=(left_out,)))
    assert (status, body["__type"], body["message"]) == (400, "IncompleteSignatureException", message)
    record("security.signed_headers", requests=1)


async def test_a_signed_header_the_request_lacks_is_named(demo: DemoServer) -> None:
    request = _request(demo, "ListDomains", {}, extra={"X-Extra": "1"})  # signed with X-Extra...
    del request.headers["X-Extra"]  # ...sent without it
    status, body = await _send(request)
    assert (status, body["__type"]) == (400, "IncompleteSignatureException")
    assert (
        body["message"] == "'x-extra' is named as a SignedHeader, but it does not exist in the HTTP request."
    )
    record("security.signed_headers", requests=1)


def test_botocore_clients_still_get_through(demo_thread: Any, make_botocore_client: Any) -> None:
    # What every real client sends (awsJson SageMaker and STS's query protocol) is accepted.
    sagemaker = make_botocore_client(demo_thread.server)
    assert sagemaker.list_domains()["Domains"]
    sts = make_botocore_client(demo_thread.server, service="sts")
    assert sts.get_caller_identity()["Account"]
