"""ssh-proxy takes the one road to AWS: the real OpenSSH client runs our ProxyCommand, whose
StartSession goes through aiobotocore's client (botocore signs it, with keys from the credential
chain) to a recording relay in front of the simulated account; then the data channel carries SSH."""

from __future__ import annotations

import asyncio
import subprocess

from aiohttp import web
from sm_spaces.demo.server import ThreadedDemo

from tests.space_ssh import proxy_to, ssh_options


def test_system_ssh_through_our_proxy_command_and_botocore(
    demo_thread: ThreadedDemo, demo_env: dict[str, str]
) -> None:
    server = demo_thread.server
    seen: list[tuple[str, str]] = []  # (X-Amz-Target, User-Agent) of each call the relay passed on

    async def relay(request: web.Request) -> web.Response:
        import aiohttp

        seen.append((request.headers.get("X-Amz-Target", ""), request.headers.get("User-Agent", "")))
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                server.endpoint_url + "/", data=await request.read(), headers=request.headers
            ) as answer,
        ):
            body = await answer.read()
            return web.Response(status=answer.status, body=body, content_type=answer.content_type)

    async def serve() -> web.AppRunner:
        app = web.Application()
        app.router.add_post("/", relay)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        return runner

    runner = asyncio.run_coroutine_threadsafe(serve(), demo_thread.loop).result(30)
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    domain = next(d for d in server.account.domains.values() if d.region == server.region)
    space = next(s for s in domain.spaces if s.name == "fraud-detection")
    arn = (
        f"arn:aws:sagemaker:{server.region}:{server.account.account_id}:space/{domain.domain_id}/{space.name}"
    )
    try:
        proc = subprocess.run(
            [
                "ssh",
                *ssh_options(proxy_to(arn, "--endpoint-url", url)),
                "sagemaker-user@sm-fraud-detection",
                "echo through; exit 4",
            ],
            env=demo_env,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), demo_thread.loop).result(30)
    assert proc.stdout == "through\n" and proc.returncode == 4, proc.stderr
    assert [target for target, _ in seen] == ["SageMaker.StartSession"]  # one call, at the relay
    agent = seen[0][1]
    assert agent.startswith("aiobotocore/") and "botocore/" in agent and agent.endswith(" sm-spaces"), agent
    assert "cfg/retry-mode#adaptive" in agent  # botocore's retries, in our default mode
