"""Listing: our service against the AWS Toolkit's call order and the two-round-trip lower bound.

Every API call gets `latency` seconds from the simulator (in its own process). Round trips are
wall time divided by that latency.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from bench import server_proc

SIZES = ((10, 20), (50, 40), (100, 100))
PAGE = 100  # both sides ask for full pages; the simulator's default page is 10 (as is AWS's for these calls)


async def _ours(
    server: server_proc.ServerProcess, runs: int
) -> tuple[list[float], list[float], list[float], int]:
    """(listings, refreshes, the client's CPU seconds per listing, spaces) on one service whose
    client is made and whose connections are open (their set-up is left out, as the client's is). A
    listing starts knowing no domain, as a new `sm-spaces list` or TUI does; a refresh follows it,
    as the TUI's `r` does, knowing the domains the listing fanned out over. The simulator runs in
    another process, so this process's CPU time is the client's alone."""
    from sm_spaces.aws.service import SpacesService

    first: list[float] = []
    refresh: list[float] = []
    cpu: list[float] = []
    count = 0
    async with SpacesService(
        region=server.info["region"], endpoint_url=server.endpoint, credentials=server.credentials
    ) as svc:
        await svc.call("ListDomains", MaxResults=1)  # the client made and the endpoint answering
        await svc.list_all()  # the connections open
        for _ in range(runs):
            svc.fanned_out = []  # forget the domains: a listing from scratch
            for times in (first, refresh):
                start, used = time.perf_counter(), time.process_time()
                listing = await svc.list_all()
                times.append(time.perf_counter() - start)
                if times is first:
                    cpu.append(time.process_time() - used)
                count = len(listing.spaces)
    return first, refresh, cpu, count


async def _throttled(server: server_proc.ServerProcess, runs: int, max_attempts: int | None) -> dict:
    """Listings from scratch while the simulator throttles calls at random, with botocore's retries
    as a user gets them: our default attempts (None), or AWS_MAX_ATTEMPTS set as a user would set it.
    A listing fails when one of its calls is throttled on every attempt; such runs are counted."""
    import os

    from sm_spaces.aws.errors import AwsError
    from sm_spaces.aws.service import SpacesService

    saved = os.environ.pop("AWS_MAX_ATTEMPTS", None)
    if max_attempts is not None:
        os.environ["AWS_MAX_ATTEMPTS"] = str(max_attempts)
    times: list[float] = []
    failed, count, attempts = 0, 0, 0
    try:
        async with SpacesService(
            region=server.info["region"], endpoint_url=server.endpoint, credentials=server.credentials
        ) as svc:
            attempts = svc.session.max_attempts
            for _ in range(3):  # the client made and the connections open, as for the clean figures
                try:
                    await svc.list_all()
                    break
                except AwsError:
                    continue
            for _ in range(runs):
                svc.fanned_out = []
                start = time.perf_counter()
                try:
                    listing = await svc.list_all()
                except AwsError:
                    failed += 1
                    continue
                times.append(time.perf_counter() - start)
                count = len(listing.spaces)
    finally:
        os.environ.pop("AWS_MAX_ATTEMPTS", None)
        if saved is not None:
            os.environ["AWS_MAX_ATTEMPTS"] = saved
    return {"max_attempts": attempts, "times": times, "failed": failed, "spaces": count}


async def _transport_floor(server: server_proc.ServerProcess, runs: int) -> list[float]:
    """The listing's calls in its order with nothing but transport: the first round (ListDomains and
    the account-wide first pages), then every domain's ListSpaces and ListApps and the rest of the
    user-profile chain under a semaphore of 32; bodies are read, and decoded only where the next call
    needs them (domain ids, page tokens). Plain aiohttp and botocore's SigV4 signer, no client
    pipeline, no service, no joins: the floor this machine and the simulator put under any Python
    client making these calls."""
    import json as json_module

    import aiohttp
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    signer = SigV4Auth(Credentials(*server.credentials), "sagemaker", server.info["region"])
    url = server.endpoint.rstrip("/") + "/"

    def signed(op: str, body: bytes) -> dict[str, str]:
        request = AWSRequest(
            method="POST",
            url=url,
            data=body,
            headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"SageMaker.{op}"},
        )
        signer.add_auth(request)
        return dict(request.headers.items())

    gate = asyncio.Semaphore(32)
    times: list[float] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=32)) as http:

        async def call(op: str, **params: Any) -> bytes:
            body = json_module.dumps(params).encode()
            async with (
                gate,
                http.post(url, data=body, headers=signed(op, body)) as r,
            ):
                return await r.read()

        async def profiles() -> None:
            page = json_module.loads(await call("ListUserProfiles", MaxResults=PAGE))
            while page.get("NextToken"):
                page = json_module.loads(
                    await call("ListUserProfiles", MaxResults=PAGE, NextToken=page["NextToken"])
                )

        for i in range(runs + 1):
            start = time.perf_counter()
            chain = asyncio.ensure_future(profiles())
            domains, _, _ = await asyncio.gather(
                call("ListDomains", MaxResults=PAGE),
                call("ListSpaces", MaxResults=PAGE),
                call("ListApps", MaxResults=PAGE),
            )
            ids = [d["DomainId"] for d in json_module.loads(domains)["Domains"]]
            await asyncio.gather(
                *(
                    call(op, DomainIdEquals=d, MaxResults=PAGE)
                    for d in ids
                    for op in ("ListSpaces", "ListApps")
                ),
                chain,
            )
            if i:  # the first run opens the connections
                times.append(time.perf_counter() - start)
    return times


async def _all_pages(client: Any, op: str, key: str) -> list[dict]:
    items: list[dict] = []
    token = None
    while True:
        page = await getattr(client, op)(MaxResults=PAGE, **({"NextToken": token} if token else {}))
        items += page.get(key, [])
        token = page.get("NextToken")
        if not token:
            return items


async def _toolkit_once(client: Any) -> int:
    """The Toolkit's order: account-wide ListApps pages, then ListSpaces pages, then DescribeDomain
    per domain started 100 ms apart (plain aiobotocore, default retries)."""
    apps = await _all_pages(client, "list_apps", "Apps")
    spaces = await _all_pages(client, "list_spaces", "Spaces")
    domain_ids = sorted({s["DomainId"] for s in spaces} | {a["DomainId"] for a in apps})

    async def describe(i: int, domain_id: str) -> dict:
        await asyncio.sleep(0.1 * i)
        return await client.describe_domain(DomainId=domain_id)

    await asyncio.gather(*(describe(i, d) for i, d in enumerate(domain_ids)))
    return len(spaces)


async def _toolkit(server: server_proc.ServerProcess, runs: int) -> tuple[list[float], int]:
    from aiobotocore.session import AioSession

    key, secret, token = server.credentials
    times: list[float] = []
    count = 0
    async with AioSession().create_client(
        "sagemaker",
        region_name=server.info["region"],
        endpoint_url=server.endpoint,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
    ) as client:
        await client.list_domains(MaxResults=1)
        for _ in range(runs):
            start = time.perf_counter()
            count = await _toolkit_once(client)
            times.append(time.perf_counter() - start)
    return times, count


def measure(
    sizes=SIZES,
    *,
    latency: float = 0.05,
    runs: int = 5,
    toolkit_runs: int = 3,
    toolkit_max_spaces: int = 10_000,
    throttle: float = 1 / 3,
    # None: a third of calls throttled at random (a coin flip, not AWS's way) slows botocore's
    # adaptive mode, our default since, to minutes a listing; AWS throttles by rate, which the
    # "Listing under a rate limit" section measures. Kept for --quick and ad-hoc runs.
    throttle_size=None,
) -> dict:
    results: dict[str, Any] = {"latency": latency, "sizes": [], "page": PAGE}
    for domains, spaces in sizes:
        with server_proc.start(domains=domains, spaces=spaces, latency=latency) as server:
            ours, refresh, cpu, count = asyncio.run(_ours(server, runs))
            row: dict[str, Any] = {
                "domains": domains,
                "spaces_per_domain": spaces,
                "spaces": count,
                "ours": ours,
                "refresh": refresh,
                "cpu": cpu,
                "lower_bound": 2 * latency,
                "transport": asyncio.run(_transport_floor(server, runs)),
            }
            if domains * spaces <= toolkit_max_spaces and toolkit_runs:
                k_runs = toolkit_runs if domains * spaces <= 2000 else 1
                toolkit, k_count = asyncio.run(_toolkit(server, k_runs))
                row["toolkit"] = toolkit
                row["toolkit_spaces"] = k_count
        results["sizes"].append(row)
    if throttle_size:
        domains, spaces = throttle_size
        with server_proc.start(domains=domains, spaces=spaces, latency=latency, throttle=throttle) as server:
            settings = [asyncio.run(_throttled(server, runs, attempts)) for attempts in (None, 10)]
        clean = next(
            (
                r["ours"]
                for r in results["sizes"]
                if (r["domains"], r["spaces_per_domain"]) == (domains, spaces)
            ),
            None,
        )
        results["throttled"] = {
            "domains": domains,
            "spaces_per_domain": spaces,
            "rate": throttle,
            "runs": runs,
            "settings": settings,
            "expected": domains * spaces,
            "clean_median": statistics.median(clean) if clean else None,
        }
    return results


if __name__ == "__main__":
    import sys

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    out = measure(runs=runs, toolkit_runs=0, throttle_size=None)
    for row in out["sizes"]:
        print(
            row["domains"],
            row["spaces_per_domain"],
            "first",
            [round(t * 1000) for t in row["ours"]],
            "refresh",
            [round(t * 1000) for t in row["refresh"]],
            "transport",
            [round(t * 1000) for t in row["transport"]],
        )
