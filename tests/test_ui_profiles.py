"""Issue 13 item 2: the profile picker. "default chain" is an entry of its own, apart from a profile
called default; a choice that fails is not saved; under --demo the simulated account stays."""

from __future__ import annotations

import os

import pytest
from sm_spaces import config
from sm_spaces.ui.screens.pickers import DEFAULT_CHAIN_ID, DEMO_ID, ProfilePicker
from sm_spaces.ui.testing import demo_app, settle, shown, wait_until
from sm_spaces.ui.widgets.header import ContextHeader
from textual.widgets import OptionList

SIZE = (150, 45)


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    return tmp_path


def _profiles(tmp_path, demo) -> None:
    """Profiles "default" (no credentials anywhere) and "analyst" (the simulated account's keys)."""
    c = demo.credentials
    (tmp_path / "aws-config").write_text(
        f"[default]\nregion = {demo.region}\n[profile analyst]\nregion = {demo.region}\n"
    )
    creds = f"[analyst]\naws_access_key_id = {c.access_key}\naws_secret_access_key = {c.secret_key}\n"
    if c.token:
        creds += f"aws_session_token = {c.token}\n"
    (tmp_path / "aws-credentials").write_text(creds)


def _entries(app) -> list[tuple[str, str, bool]]:
    listing = app.screen.query_one(OptionList)
    return [
        (o.id, o.prompt.plain, o.disabled)
        for o in (listing.get_option_at_index(i) for i in range(listing.option_count))
    ]


async def _open_picker(pilot) -> None:
    await pilot.press("p")
    assert await wait_until(pilot, lambda: isinstance(pilot.app.screen, ProfilePicker))
    await pilot.pause()


def _saved_profile() -> str | None:
    settings, warning = config.load_settings()
    assert warning is None
    return settings.profile


async def test_default_chain_is_its_own_entry_apart_from_a_profile_called_default(demo, isolated):
    _profiles(isolated, demo)
    app = demo_app(demo, cache_profile=None, credentials=None, profile="analyst")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _open_picker(pilot)
        entries = _entries(app)
        assert entries[0][0] == DEFAULT_CHAIN_ID and entries[0][1].startswith("default chain")
        assert [e[0] for e in entries[1:]] == ["analyst", "default"]
        assert "(current)" in dict((e[0], e[1]) for e in entries)["analyst"]
        await pilot.press("escape")


async def test_a_choice_that_fails_is_not_saved_and_one_that_works_is(demo, isolated, monkeypatch):
    _profiles(isolated, demo)
    app = demo_app(demo, cache_profile=None, credentials=None, profile="analyst", use_settings=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert shown(app)["fraud-detection"] == "Running"
        # "default": a profile with no credentials anywhere. It fails and is not saved.
        await _open_picker(pilot)
        await pilot.press(*"default")
        assert [e[0] for e in _entries(app)] == [DEFAULT_CHAIN_ID, "default"]  # both match the text
        await pilot.press("down", "down", "enter")
        assert await wait_until(
            pilot, lambda: app.account.profile == "default" and app.listing.load_count >= 2
        )
        await settle(pilot)
        assert app.listing.caller is None and "credentials" in app.notices.text().lower()
        assert _saved_profile() is None
        # "analyst" works: saved.
        await _open_picker(pilot)
        await pilot.press(*"analyst", "enter")
        assert await wait_until(
            pilot, lambda: app.account.profile == "analyst" and app.listing.caller is not None
        )
        await settle(pilot)
        assert _saved_profile() == "analyst"
        # The default chain with keys in the environment: works, and the saved profile is removed.
        c = demo.credentials
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", c.access_key)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", c.secret_key)
        if c.token:
            monkeypatch.setenv("AWS_SESSION_TOKEN", c.token)
        await _open_picker(pilot)
        await pilot.press("enter")  # the first entry: default chain
        assert await wait_until(pilot, lambda: app.account.profile is None and app.listing.caller is not None)
        await settle(pilot)
        assert shown(app)["fraud-detection"] == "Running"
        assert _saved_profile() is None and app.query_one(ContextHeader).info.profile == "default chain"


async def test_picking_under_demo_keeps_the_simulated_account(demo, isolated):
    _profiles(isolated, demo)
    app = demo_app(demo)  # --demo: the simulated account, its own keys
    keys = app.account.credentials
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _open_picker(pilot)
        entries = _entries(app)
        assert entries[0][0] == DEMO_ID and not entries[0][2]
        assert all(disabled for _, _, disabled in entries[1:]) and len(entries) == 3
        await pilot.press(*"analyst", "enter")  # a profile cannot be picked: the picker stays
        await pilot.pause()
        assert isinstance(app.screen, ProfilePicker)
        await pilot.press("escape")
        await _open_picker(pilot)
        await pilot.press("enter")  # the simulated account: nothing changes
        await settle(pilot)
        assert not isinstance(app.screen, ProfilePicker)
        assert app.account.credentials == keys and app.account.profile is None
        assert not app.listing.loading and app.listing.caller is not None
        assert shown(app)["fraud-detection"] == "Running"
