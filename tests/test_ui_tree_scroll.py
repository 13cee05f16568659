"""The tree's own scroll bar (widgets/tree_scroll.py) and the footer's esc, driven with the pilot
against the simulated account at 80 x 24, where the seeded account does not fit on screen."""

from __future__ import annotations

from sm_spaces.ui.testing import demo_app, settle
from sm_spaces.ui.widgets.tree_scroll import thumb, top_for

SIZE = (80, 24)


def test_thumb_spans_the_share_shown_and_travels_the_whole_bar():
    assert thumb(10, 20, 0) == range(0)  # everything fits: no thumb
    assert thumb(40, 20, 0) == range(10)  # half shown: half the bar, at the top
    assert thumb(40, 20, 20) == range(10, 20)  # scrolled to the end: at the bottom
    assert len(thumb(100_000, 20, 0)) == 1  # never thinner than a cell
    for top in range(61):
        rows = thumb(80, 20, top)
        assert rows.start >= 0 and rows.stop <= 20
    # A press in the bar scrolls so the thumb's middle lands there, clamped at both ends.
    assert top_for(0, 40, 20) == 0
    assert top_for(19, 40, 20) == 20
    assert top_for(5, 10, 20) == 0


def _bar(app) -> list[bool]:
    """Whether each row of the tree's last column is drawn in the thumb's colour."""
    tree = app.space_tree
    thumb_style = tree._current_look().thumb
    return [list(tree.render_line(y))[-1].style == thumb_style for y in range(tree.size.height)]


async def test_the_bar_follows_scrolling_filtering_and_the_mouse(demo):
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree = app.space_tree
        height, width = tree.size.height, tree.size.width
        assert tree.virtual_size.height > height  # the seeded account does not fit at 80 x 24
        bar = _bar(app)
        assert bar[0] and not bar[-1]  # at the top: the thumb is too

        tree.focus()
        await pilot.press("end")
        await settle(pilot)
        bar = _bar(app)
        assert bar[-1] and not bar[0]  # at the end: the thumb is at the bottom

        # Press at the bar's top (offsets count from the widget's border).
        at = (
            tree.content_region.x - tree.region.x + tree.size.width - 1,
            tree.content_region.y - tree.region.y,
        )
        await pilot.mouse_down(tree, offset=at)
        await pilot.mouse_up(tree, offset=at)
        await settle(pilot)
        assert tree.scroll_offset.y == 0
        assert _bar(app)[0]

        await pilot.press("slash", *"fraud")
        await settle(pilot)
        assert not any(_bar(app))  # one space fits: no thumb
        assert tree.size.width == width  # the bar's column stays: nothing moves sideways


async def test_esc_is_offered_in_the_footer_only_while_a_filter_is_set(demo):
    app = demo_app(demo)
    async with app.run_test(size=(150, 45)) as pilot:
        await settle(pilot)

        def offered() -> bool:
            return any(b.binding.action == "clear_filter" for b in app.screen.active_bindings.values())

        assert not offered()
        await pilot.press("slash", *"fraud", "enter")  # typed, then back to the list
        await settle(pilot)
        assert app.space_tree.has_focus and offered()
        await pilot.press("escape")  # from the list: clears the filter, and esc leaves the footer
        await settle(pilot)
        assert not offered()
