"""The UI's pool of AWS clients (app/ui/services.py) against the simulated account."""

from __future__ import annotations

import asyncio

from sm_spaces.ui.services import Account, Services


async def test_a_pool_opened_across_a_close_is_opened_afresh_for_the_new_account(demo):
    c = demo.credentials
    stale = Account(profile=None, endpoint_url=demo.endpoint_url, credentials=("AKIDSTALE", "stale", None))
    services = Services(stale, poll_interval=0.05)
    opening = asyncio.create_task(services.get(demo.region))
    await asyncio.sleep(0)  # the pool for the stale account is being opened on a thread
    assert not opening.done()
    # A profile switch: the new account, then close() while the first pool is still opening.
    services.account = Account(
        profile=None, endpoint_url=demo.endpoint_url, credentials=(c.access_key, c.secret_key, c.token)
    )
    await services.close()
    api = await opening
    try:
        caller = await api.caller()  # signed with the new account's keys, not the stale ones
        assert caller.account.isdigit()
    finally:
        await services.close()
