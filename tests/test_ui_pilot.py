"""The TUI driven with Textual's pilot against the real service and the real simulated account."""

from __future__ import annotations

import pytest
from sm_spaces.model import SpaceStatus
from sm_spaces.ui.screens.confirm import ConfirmScreen
from sm_spaces.ui.screens.help import HelpScreen
from sm_spaces.ui.screens.idle_timeout import IdleTimeoutScreen
from sm_spaces.ui.screens.owner_filter import OwnerFilterScreen
from sm_spaces.ui.screens.pickers import RegionPicker
from sm_spaces.ui.testing import ask_about, demo_app, drawn_lines, highlight, settle, shown, wait_until
from sm_spaces.ui.widgets.banner import CredentialsBanner

from tests.demo_service import demo_service, find_space

SIZE = (150, 45)


def _messages(app) -> str:
    return app.notices.text()


async def test_main_screen_lists_seeded_spaces(demo):
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        names = shown(app)
        assert names["fraud-detection"] == "Running"
        assert names["feature-store-dev"] == "Stopped"
        assert names["recsys-training"] == "Failed"
        assert app.listing.caller.account.isdigit() and len(app.listing.caller.account) == 12
        assert app.space_tree.highlighted_space is not None


async def test_start_goes_stopped_starting_running(demo):
    demo.transition_delay = 0.4
    app = demo_app(demo)
    seen: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        highlight(app, "feature-store-dev")
        seen.append(shown(app)["feature-store-dev"])
        assert seen == ["Stopped"]
        await pilot.press("s")

        def record() -> bool:
            status = shown(app)["feature-store-dev"]
            if not seen or seen[-1] != status:
                seen.append(status)
            return status == "Running"

        assert await wait_until(pilot, record, rounds=1000)
        assert seen[0] == "Stopped" and "Starting" in seen and seen[-1] == "Running"
        assert (await find_space(demo, "feature-store-dev")).status is SpaceStatus.RUNNING


async def test_stop_through_confirmation(demo):
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert await ask_about(pilot, "fraud-detection", "x")
        await pilot.press("y")
        assert await wait_until(pilot, lambda: shown(app)["fraud-detection"] == "Stopped")
        assert (await find_space(demo, "fraud-detection")).status is SpaceStatus.STOPPED


async def test_stop_refused_on_n(demo):
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert await ask_about(pilot, "fraud-detection", "x")
        await pilot.press("n")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert shown(app)["fraud-detection"] == "Running"
        assert (await find_space(demo, "fraud-detection")).status is SpaceStatus.RUNNING


async def test_slash_filter_narrows_and_escape_clears(demo):
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        total = len(shown(app))
        await pilot.press("slash")
        await pilot.press(*"fraud")
        await pilot.pause()
        assert list(shown(app)) == ["fraud-detection"]
        await pilot.press("escape")
        await pilot.pause()
        assert len(shown(app)) == total
        await pilot.press("slash")
        await pilot.press(*"carol running")  # every word must match: owner and status
        await pilot.pause()
        assert set(shown(app)) == {"genai-playground", "anomaly-detection"}


async def test_keys_typed_right_after_slash_go_to_the_filter_not_the_bindings(demo):
    """Keys that arrive together (fast typing, a paste, tmux send-keys) are queued before the filter
    input takes focus: they must land in the filter, not start, stop or open anything."""
    from textual import events

    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        statuses = {s.name: s.status for s in app.index.spaces}
        screens = len(app.screen_stack)
        for key, char in [
            ("slash", "/"),
            ("s", "s"),
            ("t", "t"),
            ("backspace", None),
            ("u", "u"),
            ("d", "d"),
            ("x", "x"),
            ("space", " "),
            ("f", "f"),
        ]:
            app.post_message(events.Key(key, char))  # queued back to back, as the driver does
        await pilot.pause()
        await settle(pilot)
        assert app.query_one("#filter-input").value == "sudx f"
        await pilot.press("z")  # once the input has focus: added to what came before, not replacing it
        assert app.query_one("#filter-input").value == "sudx fz"
        assert len(app.screen_stack) == screens  # `u` opened no dialog
        assert {s.name: s.status for s in app.index.spaces} == statuses  # `s` and `x` acted on nothing
        await pilot.press("escape")
        await pilot.press("u")  # once the filter is closed, keys are bindings again
        await pilot.pause()
        assert isinstance(app.screen, OwnerFilterScreen)


async def test_owner_filter_modal_narrows_tree(demo):
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("u")
        assert await wait_until(pilot, lambda: isinstance(app.screen, OwnerFilterScreen))
        await pilot.press(*"bob")
        await pilot.press("down", "space", "enter")
        await settle(pilot)
        spaces = app.space_tree.space_lines()
        assert spaces and {s.domain_name for s in spaces} == {"ml-platform"}
        assert {s.owner for s in spaces if s.sharing != "Shared"} == {"bob"}
        assert "fraud-detection" not in shown(app)  # alice's


async def test_sso_caller_sees_own_spaces_by_default(demo):
    from sm_spaces.demo.seed_data import SSO_DEMO_USER

    demo.account.use_sso_user(SSO_DEMO_USER)
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        spaces = app.space_tree.space_lines()
        assert spaces and {s.domain_name for s in spaces} == {"studio-sso"}
        assert {s.owner for s in spaces if s.sharing != "Shared"} == {"maria-garcia"}


async def test_grouped_view_by_domain_and_profile(demo):
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await pilot.pause()
        lines = drawn_lines(app)
        assert any("▼ ml-platform" in line and "spaces" in line for line in lines)
        assert any("▼ alice" in line for line in lines)
        assert "fraud-detection" in shown(app)


async def test_region_picker_adds_region_side_by_side(demo):
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("R")
        assert await wait_until(pilot, lambda: isinstance(app.screen, RegionPicker))
        await pilot.press(*"eu-west-1")
        await pilot.press("down", "space", "enter")
        await settle(pilot)
        assert app.regions == ["eu-west-1", "us-east-1"]
        assert {s.region for s in app.space_tree.space_lines()} == {"us-east-1", "eu-west-1"}
        assert "gdpr-reports" in shown(app)


async def test_throttling_is_a_message_and_the_app_keeps_running(demo, monkeypatch):
    # Fewer attempts than the default, set as a user would (AWS_MAX_ATTEMPTS): same code path.
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        demo.faults.throttle_rate = 1.0
        demo.faults.throttle_ops = {"ListSpaces"}
        await pilot.press("r")
        await settle(pilot)
        assert demo.faults.throttled > 0
        assert "throttl" in _messages(app).lower()
        assert shown(app)["fraud-detection"] == "Running"  # the last listing stays on screen
        demo.faults.reset()
        await pilot.press("r")
        await settle(pilot)
        assert app.listing.region_states["us-east-1"].error is None


async def test_access_denied_is_a_message_and_the_app_keeps_running(demo):
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        demo.faults.deny = {"DeleteApp"}
        assert await ask_about(pilot, "fraud-detection", "x")
        await pilot.press("y")
        assert await wait_until(
            pilot, lambda: "DeleteApp" in _messages(app) or "denied" in _messages(app).lower()
        )
        assert app.is_running and shown(app)["fraud-detection"] == "Running"


async def test_expired_credentials_banner_and_retry(demo):
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        demo.faults.expired = True
        await pilot.press("ctrl+r")
        await settle(pilot)
        banner = app.query_one(CredentialsBanner)
        assert banner.has_class("-visible")
        demo.faults.expired = False
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert not banner.has_class("-visible")


async def test_enable_remote_access_upgrades_small_instance_after_asking(demo):
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert await ask_about(pilot, "churn-model", "e")  # running, ml.t3.medium, no remote access
        assert "unsaved work" in str(app.screen.body).lower()
        await pilot.press("y")
        assert await wait_until(
            pilot, lambda: isinstance(app.screen, ConfirmScreen) and "ml.t3.large" in str(app.screen.body)
        )
        await pilot.press("y")
        assert await wait_until(pilot, lambda: "remote access on" in _messages(app), rounds=1000)
        space = await find_space(demo, "churn-model")
        assert (
            space.remote_access
            and space.status is SpaceStatus.RUNNING
            and space.instance_type == "ml.t3.large"
        )


async def test_idle_timeout_is_validated_and_saved(demo):
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        highlight(app, "fraud-detection")
        await pilot.press("t")
        assert await wait_until(pilot, lambda: isinstance(app.screen, IdleTimeoutScreen))
        screen = app.screen
        assert screen.query_one("#idle-input").value == "120"  # the current setting, from DescribeSpace
        await pilot.press("end", *["backspace"] * 6, *"9999", "enter")
        await pilot.pause()
        assert app.screen is screen  # refused: above the domain's maximum
        assert "outside" in str(screen.query_one("#idle-error").render())
        for _ in range(4):
            await pilot.press("backspace")
        await pilot.press(*"240", "enter")
        assert await wait_until(pilot, lambda: "240 min" in _messages(app))
        async with demo_service(demo) as svc:
            space = await svc.describe_space("d-mlplatf0rm01", "fraud-detection")
        assert space.idle_timeout_minutes == 240


async def test_readonly_hides_and_refuses_mutations(demo):
    from sm_spaces.ui.commands import entries

    app = demo_app(demo, readonly=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        highlight(app, "feature-store-dev")
        await pilot.press("s")
        await settle(pilot)
        assert shown(app)["feature-store-dev"] == "Stopped"
        assert "read-only mode: start is off" in _messages(app)  # the key says why it does nothing
        highlight(app, "fraud-detection")
        await pilot.press("x")
        assert await wait_until(pilot, lambda: "read-only mode: stop is off" in _messages(app))
        assert not isinstance(app.screen, ConfirmScreen)
        footer = {b.binding.description for b in app.screen.active_bindings.values() if b.binding.show}
        assert {"Connect", "Refresh"} <= footer and not footer & {"Start", "Stop", "Remote"}
        palette = {e.text for e in entries(app)}
        assert "Connect to fraud-detection" in palette and "Stop fraud-detection" not in palette
        await pilot.press("question_mark")
        assert await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert "s" not in dict(app.screen.bindings) and "c" in dict(app.screen.bindings)
        assert "x" in (app.screen.read_only_keys or "")
        await pilot.press("escape")
        assert (await find_space(demo, "feature-store-dev")).status is SpaceStatus.STOPPED
        assert (await find_space(demo, "fraud-detection")).status is SpaceStatus.RUNNING


async def test_help_lists_the_keys(demo):
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        rows = dict(app.screen.bindings)
        assert (
            rows["s"].startswith("start")
            and rows["x"].startswith("stop")
            and rows["R"].startswith("choose the regions")
        )
        assert "Scroll Home" not in rows.values()  # the tree's plumbing is not the app's keys
        await pilot.press("escape")


async def test_command_palette_stops_a_named_space(demo):
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"Stop fraud-detection")
        await pilot.pause(0.3)
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "fraud-detection" in app.screen.title_text
        await pilot.press("n")


async def test_cached_listing_paints_when_the_refresh_fails(demo):
    first = demo_app(demo)
    async with first.run_test(size=SIZE) as pilot:
        await settle(pilot)
    demo.faults.expired = True
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert shown(app)["fraud-detection"] == "Running"  # from the cache
        assert app.listing.stale


async def test_malformed_settings_reported_once_and_left_byte_identical(demo, own_dirs):
    path = own_dirs.config / "config.toml"
    path.parent.mkdir(parents=True)
    broken = b'regions = ["us-east-1"\ntheme = 42  # not closed\n'
    path.write_bytes(broken)
    app = demo_app(demo, use_settings=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g")  # would save settings if the file were healthy
        await settle(pilot)
        warnings = [n for n in app.notices.said if n.title == "Settings"]
        assert len(warnings) == 1 and "config.toml" in str(warnings[0].message)
        assert shown(app)["fraud-detection"] == "Running"  # defaults, and the app works
    assert path.read_bytes() == broken


async def test_settings_persist_grouping_and_regions(demo):
    from sm_spaces import config

    app = demo_app(demo, use_settings=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grouped = app.shown.grouped
        await pilot.press("g")
        await settle(pilot)
    settings, warning = config.load_settings()
    assert warning is None
    assert settings.group_by_domain is (not grouped)
    assert settings.regions == [demo.region]


async def test_background_refresh_rearms_after_each_run(demo):
    app = demo_app(demo, background_refresh=True, refresh_interval=0.05)
    async with app.run_test(size=SIZE) as pilot:
        assert await wait_until(
            pilot, lambda: app.listing.load_count >= 3
        )  # the timer was re-armed after each run


async def test_no_background_refresh_when_off(demo):
    app = demo_app(demo, refresh_interval=0.05)  # background_refresh=False, as in every other test
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(10):
            await pilot.pause(0.02)
        assert app.listing.load_count == 1 and not app.background.timer_armed


async def test_profile_switch_reloads_with_the_profiles_credentials(demo, tmp_path, monkeypatch):
    from sm_spaces.ui.screens.pickers import ProfilePicker

    c = demo.credentials
    (tmp_path / "config.ini").write_text(
        "[default]\nregion = us-east-1\n[profile analyst]\nregion = us-east-1\n"
    )
    creds = f"[analyst]\naws_access_key_id = {c.access_key}\naws_secret_access_key = {c.secret_key}\n"
    if c.token:
        creds += f"aws_session_token = {c.token}\n"
    (tmp_path / "credentials.ini").write_text(creds)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config.ini"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials.ini"))
    app = demo_app(demo, cache_profile=None)  # not --demo, which keeps the simulated account
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        assert await wait_until(pilot, lambda: isinstance(app.screen, ProfilePicker))
        await pilot.press(*"analyst", "enter")
        assert await wait_until(
            pilot, lambda: app.account.profile == "analyst" and app.listing.load_count >= 2
        )
        await settle(pilot)
        assert app.account.profile == "analyst" and app.account.credentials is None
        assert shown(app)["fraud-detection"] == "Running"  # listed again, signed with the profile's keys


async def test_instance_type_key_offers_next_size_for_a_stopped_space(demo):
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert await ask_about(
            pilot, "model-monitoring", "i"
        )  # stopped, ml.t3.medium (not in the listing: described on demand)
        assert "ml.t3.large" in str(app.screen.body)
        await pilot.press("y")
        assert await wait_until(pilot, lambda: "now uses" in _messages(app), rounds=1000)
        space = await find_space(demo, "model-monitoring")
        assert space.remote_access and space.status is SpaceStatus.STOPPED


async def test_command_palette_switches_region(demo):
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"Switch to eu-west-1")
        await pilot.pause(0.3)
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: app.regions == ["eu-west-1"])
        await settle(pilot)
        assert set(shown(app)) == {"gdpr-reports", "eu-sales-forecast", "ab-testing", "vision-baseline"}


@pytest.mark.parametrize("opened", ["question_mark", "slash", "u"])
async def test_ctrl_c_quits_with_130_from_a_dialog_or_the_filter_too(demo, opened):
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(opened)
        await pilot.pause()
        assert app.screen is not app.screen_stack[0] or app.focused is app.query_one("#filter-input")
        await pilot.press("ctrl+c")
        await pilot.pause()
    assert app.return_code == 130


async def test_command_palette_runs_view_actions_and_names_the_way_back(demo):
    from sm_spaces.ui.commands import entries

    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Group spaces by domain / user profile" in {e.text for e in entries(app)}
        await pilot.press("ctrl+p")
        await pilot.press(*"Group spaces by domain")
        await pilot.pause(0.3)
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: app.shown.grouped)
        assert "Show spaces as a flat list" in {e.text for e in entries(app)}
