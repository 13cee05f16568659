"""Our SigV4 signer for the light roads against botocore's own signer: the same headers, byte for byte."""

from __future__ import annotations

import json

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from sm_spaces.aws.sigv4 import JSON_1_1, PostSigner

NOW = 1_795_000_000.0  # a fixed instant, so both signers sign the same date


def _botocore_headers(url: str, target: str, body: bytes, keys, region: str, monkeypatch) -> dict[str, str]:
    import datetime

    from botocore import auth

    fixed = datetime.datetime.fromtimestamp(NOW, datetime.UTC).replace(tzinfo=None)
    monkeypatch.setattr(auth, "get_current_datetime", lambda *a, **k: fixed)  # botocore's clock, not our code
    request = AWSRequest(
        method="POST",
        url=url,
        data=body,
        headers={"Content-Type": JSON_1_1, "X-Amz-Target": target, "User-Agent": "sm-spaces"},
    )
    SigV4Auth(keys, "sagemaker", region).add_auth(request)
    return dict(request.headers.items())


@pytest.mark.parametrize(
    "url",
    [
        "https://api.sagemaker.eu-west-1.amazonaws.com/",
        "http://127.0.0.1:4566/",
        "https://api.sagemaker.eu-west-1.amazonaws.com:443/",
        "http://localhost:80/",
        "http://[::1]:8080/",
        "https://proxy.example:8443/sage maker/~x/",
    ],
)
@pytest.mark.parametrize("token", [None, "FwoGZXIvYXdzE  token/with+odd==chars"])
def test_headers_equal_botocores(url: str, token: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = Credentials(
        "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token
    ).get_frozen_credentials()
    body = json.dumps({"DomainIdEquals": "d-abc123", "MaxResults": 100}).encode()
    ours = PostSigner(url, "eu-west-1").headers("SageMaker.ListSpaces", body, keys, now=NOW)
    theirs = _botocore_headers(url, "SageMaker.ListSpaces", body, keys, "eu-west-1", monkeypatch)
    assert ours == theirs


def test_the_signing_key_follows_the_date_and_the_secret() -> None:
    signer = PostSigner("http://127.0.0.1:1/", "us-east-1")
    a = Credentials("AKID", "one").get_frozen_credentials()
    b = Credentials("AKID", "two").get_frozen_credentials()
    first = signer.headers("SageMaker.ListApps", b"{}", a, now=NOW)["Authorization"]
    assert signer.headers("SageMaker.ListApps", b"{}", a, now=NOW)["Authorization"] == first
    assert signer.headers("SageMaker.ListApps", b"{}", b, now=NOW)["Authorization"] != first
    next_day = signer.headers("SageMaker.ListApps", b"{}", a, now=NOW + 86_400)["Authorization"]
    assert next_day != first
    assert signer.headers("SageMaker.ListApps", b"{}", a, now=NOW)["Authorization"] == first
