"""How calls reach an endpoint, all through botocore: the environment's HTTP proxy, and a TLS
endpoint given with --endpoint-url whose certificate only AWS_CA_BUNDLE vouches for. Real HTTP on
loopback, the simulated account behind it."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from sm_spaces.aws.errors import AwsError
from sm_spaces.aws.service import SpacesService
from sm_spaces.demo.server import DemoServer

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _keys(demo: DemoServer) -> tuple[str, str, str | None]:
    c = demo.credentials
    return (c.access_key, c.secret_key, c.token)


async def _relay(request: web.Request, url: str) -> web.Response:
    """Pass a request on to `url` unchanged (the Host header too: it is part of the signature)."""
    headers = {k: v for k, v in request.headers.items() if k.lower() != "proxy-connection"}
    async with (
        aiohttp.ClientSession(auto_decompress=False) as http,
        http.request(request.method, url, data=await request.read(), headers=headers) as answer,
    ):
        return web.Response(status=answer.status, body=await answer.read(), headers=_kept(answer.headers))


def _kept(headers) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower() not in ("content-length", "transfer-encoding")}


async def _serve(handler: Handler, ssl_context: ssl.SSLContext | None = None) -> tuple[web.AppRunner, int]:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context).start()
    return runner, runner.addresses[0][1]


# --- the environment's HTTP proxy ---------------------------------------------------------------


async def test_calls_go_through_the_environments_proxy(demo: DemoServer, monkeypatch) -> None:
    forwarded: list[str] = []

    async def forward(request: web.Request) -> web.Response:  # a plain-HTTP forward proxy
        forwarded.append(request.headers.get("X-Amz-Target", ""))
        return await _relay(request, str(request.url))

    runner, port = await _serve(forward)
    try:
        for name in ("no_proxy", "NO_PROXY"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
        async with SpacesService(
            region=demo.region, endpoint_url=demo.endpoint_url, credentials=_keys(demo)
        ) as svc:
            listing = await svc.list_all()
    finally:
        await runner.cleanup()
    assert len(listing.spaces) >= 20
    assert {"SageMaker.ListDomains", "SageMaker.ListSpaces", "SageMaker.ListApps"} <= set(forwarded)


# --- AWS_CA_BUNDLE with --endpoint-url ----------------------------------------------------------


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A private CA and a certificate it signs for 127.0.0.1: (CA file, certificate, key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sm-spaces test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    paths = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    paths[0].write_bytes(ca.public_bytes(pem))
    paths[1].write_bytes(leaf.public_bytes(pem))
    paths[2].write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


@pytest.fixture
async def tls_endpoint(demo: DemoServer, tmp_path: Path) -> AsyncIterator[tuple[str, Path]]:
    """(https URL, CA file): a TLS front for the simulated account, signed by a CA of its own."""
    ca_file, cert, key = _certificates(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    async def relay(request: web.Request) -> web.Response:
        return await _relay(request, demo.endpoint_url + request.path_qs)

    runner, port = await _serve(relay, context)
    try:
        yield f"https://127.0.0.1:{port}", ca_file
    finally:
        await runner.cleanup()


async def test_aws_ca_bundle_is_honoured_with_an_endpoint_url(
    demo: DemoServer, tls_endpoint: tuple[str, Path], monkeypatch
) -> None:
    url, ca_file = tls_endpoint
    monkeypatch.delenv("AWS_CA_BUNDLE", raising=False)
    async with SpacesService(region=demo.region, endpoint_url=url, credentials=_keys(demo)) as untrusted:
        with pytest.raises(AwsError) as refused:
            await untrusted.list_all()
    assert refused.value.kind == "endpoint" and "AWS_CA_BUNDLE" in str(refused.value)
    assert "\n" not in str(refused.value)

    monkeypatch.setenv("AWS_CA_BUNDLE", str(ca_file))
    async with SpacesService(region=demo.region, endpoint_url=url, credentials=_keys(demo)) as svc:
        listing = await svc.list_all()
        running = next(s for s in listing.spaces if s.name == "fraud-detection")
        session = await svc.start_session(running.arn)  # ssh-proxy's one call takes the same road
    assert len(listing.spaces) >= 20 and session.token
