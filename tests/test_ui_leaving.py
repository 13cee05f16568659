"""Issue 13 item 4, the TUI's half: no silent surprises.

Quitting (q, Ctrl-C) while a change is under way asks first; quitting anyway says the state the space
is left in and the command that finishes the job. Connect, VS Code and forwards ask before they start
a stopped space, naming its instance type; `ask_before_start = false` in config.toml skips the question.
"""

from __future__ import annotations

import pytest
from sm_spaces.model import SpaceStatus
from sm_spaces.ui.app import INTERRUPTED
from sm_spaces.ui.screens.confirm import ConfirmScreen
from sm_spaces.ui.testing import demo_app, highlight, settle, shown, wait_until

from tests.demo_service import demo_service, find_space

SIZE = (150, 45)


async def _described(demo, name):
    """DescribeSpace: a stopped space's instance type (its default), which the listing lacks."""
    listed = await find_space(demo, name)
    async with demo_service(demo) as svc:
        return await svc.describe_space(listed.domain_id, name)


def _asking_to_quit(app) -> bool:
    return isinstance(app.screen, ConfirmScreen) and app.screen.title_text.startswith("Quit while")


async def test_quit_during_a_start_asks_and_insisting_says_the_state_and_how_to_finish(demo):
    demo.transition_delay = 60.0  # the start outlasts the test, however loaded the machine
    # Not --demo (whose account ends with the program): an account a command can finish the job on.
    app = demo_app(demo, cache_profile=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        highlight(app, "feature-store-dev")  # stopped
        await pilot.press("s")
        assert await wait_until(pilot, lambda: bool(app.space_actions.underway))
        await pilot.press("q")
        assert await wait_until(pilot, lambda: _asking_to_quit(app))
        assert "feature-store-dev is starting" in str(app.screen.body)
        await pilot.press("n")  # stay
        await pilot.pause()
        assert app.is_running and not _asking_to_quit(app) and app.leaving.farewell == []
        await pilot.press("ctrl+c")
        assert await wait_until(pilot, lambda: _asking_to_quit(app))
        await pilot.press("ctrl+c")  # insists
        await pilot.pause()
    assert app.return_code == INTERRUPTED
    [line] = app.leaving.farewell
    left = await find_space(demo, "feature-store-dev")
    assert line.startswith("feature-store-dev was starting and is left ")
    assert (
        f"to finish: sm-spaces start feature-store-dev --domain {left.domain_id} --region {demo.region} "
        f"--endpoint-url {demo.endpoint_url}"
    ) in line


async def test_quit_with_no_change_under_way_asks_nothing(demo):
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0 and app.leaving.farewell == []


async def test_quit_during_a_demo_start_says_the_simulated_account_ends(demo):
    demo.transition_delay = 60.0
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        highlight(app, "feature-store-dev")
        await pilot.press("s")
        assert await wait_until(pilot, lambda: bool(app.space_actions.underway))
        await pilot.press("q")
        assert await wait_until(pilot, lambda: _asking_to_quit(app))
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code == 0
    assert (
        len(app.leaving.farewell) == 1
        and "the simulated account of --demo ends with sm-spaces" in app.leaving.farewell[0]
    )


@pytest.mark.parametrize("key", ["c", "f", "enter"])
async def test_connect_and_forward_ask_before_starting_and_name_the_instance_type(demo, key):
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        highlight(app, "feature-store-dev")  # stopped
        await pilot.press(key)
        assert await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), rounds=1000)
        described = await _described(demo, "feature-store-dev")
        assert app.screen.title_text == "Start feature-store-dev?"
        assert described.instance_type and described.instance_type in str(app.screen.body)
        await pilot.press("n")
        await settle(pilot)
        assert (await find_space(demo, "feature-store-dev")).status is SpaceStatus.STOPPED
        assert shown(app)["feature-store-dev"] == "Stopped"


async def test_ask_before_start_false_in_the_settings_starts_without_asking(demo, own_dirs):
    config = own_dirs.config
    config.mkdir()
    (config / "config.toml").write_text(f'regions = ["{demo.region}"]\nask_before_start = false\n')
    app = demo_app(demo, use_settings=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        highlight(app, "feature-store-dev")
        await pilot.press("f")
        assert await wait_until(pilot, lambda: len(app.reach.forwards) == 1, rounds=1500)
        assert not isinstance(app.screen, ConfirmScreen)
    assert (await find_space(demo, "feature-store-dev")).status is SpaceStatus.RUNNING
