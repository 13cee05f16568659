"""Snapshots of the main views (pytest-textual-snapshot), from the simulated account with a frozen clock."""

from __future__ import annotations

import pytest
from sm_spaces.ui.testing import demo_app, demo_org_app, highlight, settle, wait_until
from textual.widgets import Input

SIZE = (140, 36)


@pytest.fixture
def demo():
    """The simulated account on its own thread: snap_compare runs the app on a loop of its own."""
    from sm_spaces.demo.server import DemoServer

    server = DemoServer(transition_delay=0.0)
    with server.start_in_thread():
        yield server


def _runner(*keys: str, space: str | None = None, modal: bool = False):
    async def run_before(pilot) -> None:
        await settle(pilot)
        if space:
            highlight(pilot.app, space)
            await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        if modal:
            # The dialog's worker waits for an answer, so wait for the dialog rather than the workers.
            assert await wait_until(pilot, lambda: len(pilot.app.screen_stack) > 1)
            # A blinking cursor would be drawn or not depending on the instant: hold it shown.
            for field in pilot.app.screen.query(Input):
                field.cursor_blink = False
            await pilot.pause(0.1)
        else:
            await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    return run_before


class TestMainScreen:
    def test_main(self, demo, snap_compare):
        assert snap_compare(demo_app(demo), run_before=_runner(), terminal_size=SIZE)

    def test_grouped(self, demo, snap_compare):
        assert snap_compare(demo_app(demo), run_before=_runner("g"), terminal_size=SIZE)

    def test_detail_of_running_space(self, demo, snap_compare):
        assert snap_compare(demo_app(demo), run_before=_runner(space="llm-finetune"), terminal_size=SIZE)


FILTER = ("slash", *"data", "enter")  # a filter typed and kept: focus back on the list


class TestLayouts:
    """Issue 13 item 3: 80 x 24 and wider, flat and grouped, a filter active. Each shows `?` in
    the footer and the remote-access mark on every space line; below 100 columns the detail pane
    is hidden until `d` opens it under the list."""

    @pytest.mark.parametrize("size", [(80, 24), (140, 42)], ids=["80x24", "140x42"])
    @pytest.mark.parametrize("grouped", [False, True], ids=["flat", "grouped"])
    def test_filtered(self, demo, snap_compare, size, grouped):
        keys = ("g", *FILTER) if grouped else FILTER
        assert snap_compare(demo_app(demo), run_before=_runner(*keys), terminal_size=size)

    def test_details_under_the_list_at_80x24(self, demo, snap_compare):
        assert snap_compare(
            demo_app(demo), run_before=_runner("d", space="fraud-detection"), terminal_size=(80, 24)
        )


class TestDialogs:
    def test_region_picker(self, demo, snap_compare):
        assert snap_compare(demo_app(demo), run_before=_runner("R", modal=True), terminal_size=SIZE)

    def test_owner_filter(self, demo, snap_compare):
        assert snap_compare(demo_app(demo), run_before=_runner("u", modal=True), terminal_size=SIZE)

    def test_stop_confirmation(self, demo, snap_compare):
        assert snap_compare(
            demo_app(demo), run_before=_runner("x", space="fraud-detection", modal=True), terminal_size=SIZE
        )


def _form(key: str, space: str, typed: str = ""):
    """Open a form or dialog of `key` on `space` (it opens after a call, in a worker), then type."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        highlight(pilot.app, space)
        await settle(pilot)
        await pilot.press(key)
        assert await wait_until(pilot, lambda: len(pilot.app.screen_stack) > 1)
        for char in typed:
            await pilot.press(char)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause(0.1)

    return run_before


class TestSpaceLife:
    """Issue 16: the new-space form (n), the delete confirmation (D) and the edit form (E)."""

    def test_create_dialog(self, demo, snap_compare):
        assert snap_compare(
            demo_app(demo), run_before=_form("n", "fraud-detection", "churn-v2"), terminal_size=SIZE
        )

    def test_delete_confirmation(self, demo, snap_compare):
        run_before = _form("D", "llm-finetune", "llm-fine")
        assert snap_compare(demo_app(demo), run_before=run_before, terminal_size=SIZE)

    def test_edit_dialog(self, demo, snap_compare):
        assert snap_compare(demo_app(demo), run_before=_form("E", "genai-playground"), terminal_size=SIZE)

    def test_create_dialog_at_80x24(self, demo, snap_compare):
        run_before = _form("n", "fraud-detection", "churn-v2")
        assert snap_compare(demo_app(demo), run_before=run_before, terminal_size=(80, 24))


class TestErrors:
    def test_expired_credentials(self, demo, snap_compare):
        async def run_before(pilot) -> None:
            await settle(pilot)
            demo.faults.expired = True
            await pilot.press("r")
            await settle(pilot)

        assert snap_compare(demo_app(demo), run_before=run_before, terminal_size=SIZE)


class TestReach:
    def test_ssh_config_diff(self, demo, snap_compare):
        """The diff dialog of S, for a fixed context (the demo's port and this machine's paths
        would change on every run)."""
        from sm_spaces.connect.ssh_block import BlockContext, expected_block
        from sm_spaces.connect.ssh_config import plan_install, unified_diff
        from sm_spaces.ui.screens.ssh_config import SshConfigScreen

        async def run_before(pilot) -> None:
            await settle(pilot)
            spaces = [s for s in pilot.app.index.spaces if s.domain_name == "ml-platform"]
            block = expected_block(
                spaces, BlockContext("work", "us-east-1"), prefix=["/usr/local/bin/sm-spaces"]
            )
            before = b"Host bastion\n  HostName bastion.example.com\n"
            diff = unified_diff(before, plan_install(before, block), "~/.ssh/config")
            pilot.app.push_screen(SshConfigScreen(diff, "~/.ssh/config"))
            assert await wait_until(pilot, lambda: isinstance(pilot.app.screen, SshConfigScreen))
            await pilot.pause(0.1)

        assert snap_compare(demo_app(demo), run_before=run_before, terminal_size=SIZE)

    def test_forwards_empty(self, demo, snap_compare):
        assert snap_compare(demo_app(demo), run_before=_runner("F", modal=True), terminal_size=SIZE)


class TestAccounts:
    """Issue 16 item 1: several accounts side by side, the account at the top of the tree; the
    sandbox account's role may not use SageMaker and its branch says so."""

    @pytest.mark.parametrize("size", [(80, 24), (140, 42)], ids=["80x24", "140x42"])
    def test_tree_of_accounts(self, demo, snap_compare, size):
        assert snap_compare(
            demo_org_app(demo), run_before=_runner(space="segmentation-v2"), terminal_size=size
        )

    def test_filtered_across_accounts(self, demo, snap_compare):
        keys = ("slash", *"running", "enter")
        assert snap_compare(demo_org_app(demo), run_before=_runner(*keys), terminal_size=(140, 42))
