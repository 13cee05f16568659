"""Names from AWS are data, never markup: spaces whose names look like Textual markup, driven through
the palette, the notifications and the dialogs against the simulated account (which serves them
as any endpoint could)."""

from __future__ import annotations

import pytest
from sm_spaces.ui.commands import entries, shown
from sm_spaces.ui.registry import SpaceAction
from sm_spaces.ui.screens.confirm import ConfirmScreen
from sm_spaces.ui.testing import demo_app, settle, wait_until

SIZE = (150, 45)
ACTION_NAME = "x-[@click=app.quit]y[/]"  # markup would make this a live "quit" link
BROKEN_NAME = "x-[/oops]"  # markup would fail to parse: a closing tag with nothing open
STYLED_NAME = "[b]bold[/b]-[Foo]"  # markup would eat the tags

# SpaceName's pattern allows none of these: the simulator plays an endpoint that is not AWS here.
pytestmark = pytest.mark.non_aws_endpoint


@pytest.fixture
def hostile(demo):
    domain = demo.account.domains["d-mlplatf0rm01"]
    for name in (ACTION_NAME, BROKEN_NAME, STYLED_NAME):
        space = demo.account.add_space(domain, name, app_type="JupyterLab", owner="alice")
        demo.account.put_app(space, status="InService")
    return demo


def _messages(app) -> str:
    return app.notices.text()


async def _palette(pilot, query: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.press(*query)
    await pilot.pause(0.3)


async def test_palette_shows_markup_like_names_as_typed_and_runs_the_chosen_action(hostile):
    app = demo_app(hostile)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        found = {e.text: shown(e).plain for e in entries(app)}
        for name in (ACTION_NAME, BROKEN_NAME, STYLED_NAME):
            assert found[f"Stop {name}"] == f"Stop {name}\nml-platform · us-east-1"
        await _palette(pilot, BROKEN_NAME)  # a parse error here crashed the app before
        assert app.is_running
        await pilot.press("escape")
        await _palette(pilot, f"Stop {ACTION_NAME}")
        await pilot.press("enter")
        # The entry runs what it says (a stop, which asks first), not the [@click] in the name.
        assert await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.is_running and app.screen.title_text == f"Stop {ACTION_NAME}?"
        assert str(app.screen.query_one("#dialog-title").render()) == f"Stop {ACTION_NAME}?"
        await pilot.press("n")
        await settle(pilot)
        assert app.is_running


async def test_notifications_show_markup_like_names_as_typed(hostile):
    app = demo_app(hostile)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        for name in (ACTION_NAME, BROKEN_NAME, STYLED_NAME):
            space = next(s for s in app.index.spaces if s.name == name)
            app.space_actions.busy.add(space.key)  # as while an action on it is in flight
            app.run_space_action(SpaceAction.START, space)
            assert await wait_until(pilot, lambda n=name: f"{n} is already changing" in _messages(app))
        await pilot.pause(0.2)  # the toasts render
        assert app.is_running
        # Rendered as given: each toast's text is the name, not what markup would make of it.
        toasts = "\n".join(str(t.render()) for t in app.screen.query("Toast"))
        for name in (ACTION_NAME, BROKEN_NAME, STYLED_NAME):
            assert f"{name} is already changing" in toasts
