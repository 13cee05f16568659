"""Several regions on one session: `list --all-regions` end to end against the simulated account
(which serves every region, as AWS does), and services of other regions sharing one AwsSession."""

from __future__ import annotations

import json
import subprocess
import sys

from sm_spaces.aws.context import ServicePool, available_regions
from sm_spaces.demo.account import DemoAccount
from sm_spaces.demo.server import DemoServer

from tests.demo_service import demo_service


def _in_region(demo: DemoServer, region: str) -> set[str]:
    return {s.name for d in demo.account.domains.values() if d.region == region for s in d.spaces}


def test_list_all_regions_lists_every_region_of_the_account() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sm_spaces", "--demo", "list", "--all-regions", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    listed = json.loads(proc.stdout)
    seeded = DemoAccount.seeded()  # the account the --demo run served
    by_region: dict[str, set[str]] = {}
    for space in listed:
        by_region.setdefault(space["region"], set()).add(space["space_name"])
    regions = {d.region for d in seeded.domains.values()}
    assert len(regions) >= 2
    assert by_region == {
        region: {s.name for d in seeded.domains.values() if d.region == region for s in d.spaces}
        for region in regions
    }


async def test_services_of_other_regions_share_the_session(demo: DemoServer) -> None:
    async with demo_service(demo, "us-east-1") as home:
        regions = await home.session.available_regions()
        assert regions == available_regions() and "eu-west-1" in regions
        async with home.in_region("eu-west-1") as eu:
            assert eu.session is home.session and eu.endpoint_url == home.endpoint_url
            assert {s.name for s in (await eu.list_all()).spaces} == _in_region(demo, "eu-west-1")
        pool = ServicePool(None, endpoint_url=demo.endpoint_url, session=home.session)
        try:
            names = {s.name for s in (await pool.get("us-east-1").list_all()).spaces}
            assert pool.get("us-east-1").session is home.session
        finally:
            await pool.aclose()
    assert names == _in_region(demo, "us-east-1")
