"""Issue 13 item 7, the TUI's words: SageMaker user profiles (`u`) and the AWS profile (`p`) named
apart; a shared space's owner is "shared", as in the CLI; "-" means none and "…" loading; esc in the
list clears the filter; --readonly keys say why they do nothing (tests/test_ui_pilot.py)."""

from __future__ import annotations

from sm_spaces.ui import registry
from sm_spaces.ui.testing import demo_app, drawn_lines, highlight, settle, shown, wait_until
from sm_spaces.ui.widgets.detail import DetailPane

SIZE = (150, 45)


def _pane(app) -> dict[str, str]:
    """The detail pane's rows as drawn (Line API render_line): key -> value."""
    pane = app.query_one(DetailPane)
    rows: dict[str, str] = {}
    for y in range(pane.size.height):
        line = "".join(segment.text for segment in pane.render_line(y)).strip()
        key, _, value = line.partition("  ")
        if key and value:
            rows[key.strip()] = value.strip()
    return rows


def test_user_profiles_and_the_aws_profile_are_named_apart():
    u, p = registry.BY_NAME["owner_filter"], registry.BY_NAME["profile"]
    assert (u.keys, u.label, p.keys, p.label) == ("u", "User profiles", "p", "AWS profile")
    assert "SageMaker user profile" in u.help and "SageMaker user profile" in (u.palette or "")
    assert "AWS profile" in p.help and "default credential chain" in p.help


def _footer_keys(app) -> list[tuple[str, int]]:
    """(description, right edge) of each key the footer shows, in order (FooterKey by its CSS name)."""
    from textual.widgets import Footer

    keys = app.query_one(Footer).query("FooterKey")
    return [(str(k.description), k.region.right) for k in keys if k.region.width]


async def test_footer_shows_help_first_and_names_both_profiles(demo):
    app = demo_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        description, right = _footer_keys(app)[0]
        assert description == "Help" and right <= 80  # on screen at 80 columns
    app = demo_app(demo)
    async with app.run_test(size=(220, 45)) as pilot:
        await settle(pilot)
        described = [d for d, _ in _footer_keys(app)]
        assert "User profiles" in described and "AWS profile" in described


async def test_shared_space_owner_is_shared_in_the_list_and_the_pane(demo):
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        highlight(app, "data-quality")  # shared, created by alice
        await settle(pilot)
        line = next(line for line in drawn_lines(app) if "data-quality" in line)
        assert "shared" in line and "alice" not in line
        assert _pane(app)["Owner"] == "shared (created by alice)"


async def test_pane_says_loading_with_an_ellipsis_and_none_with_a_dash(demo):
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        demo.faults.latency_by_op = {"DescribeSpace": 3.0}  # the pane waits for DescribeSpace
        highlight(app, "feature-store-dev")  # stopped: the listing has no instance type for it
        await pilot.pause()
        assert _pane(app)["Instance"] == "…" and _pane(app)["Idle stop"] == "…"
        demo.faults.latency_by_op = {}
        assert await wait_until(pilot, lambda: _pane(app)["Instance"].startswith("ml."), rounds=500)
        assert "…" not in _pane(app).values()


async def test_esc_in_the_list_clears_the_filter(demo):
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        everything = set(shown(app))
        await pilot.press("slash", *"data", "enter")  # typed, kept, back in the list
        assert await wait_until(pilot, lambda: set(shown(app)) == {"data-quality"})
        assert app.focused is app.space_tree
        await pilot.press("escape")
        assert await wait_until(pilot, lambda: set(shown(app)) == everything)
        assert app.shown.text == "" and app.is_running
        await pilot.press("escape")  # no filter: nothing happens
        await pilot.pause()
        assert app.is_running and set(shown(app)) == everything
