"""The TUI's reach keys against the simulated account: S (ssh config block, with the diff first),
v (VS Code through that block; a stand-in `code` records its argv), f / F (JupyterLab forwards
that serve real HTTP, survive a refresh, close from the list and on quit)."""

from __future__ import annotations

import asyncio
import os
import stat

import aiohttp
import pytest
from sm_spaces.model import SpaceStatus
from sm_spaces.ui.screens.confirm import ConfirmScreen
from sm_spaces.ui.screens.forwards import ForwardsScreen
from sm_spaces.ui.screens.ssh_config import SshConfigScreen
from sm_spaces.ui.testing import demo_app, highlight, settle, wait_until

from tests.demo_service import find_space

SIZE = (150, 45)
LAB = "/jupyterlab/default/lab"


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    """A home of our own: ~/.ssh/config and the editors' settings live under tmp_path."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return tmp_path


def _messages(app) -> str:
    return app.notices.text()


def _account_app(demo, **options):
    """Not --demo as far as the app knows: an account at an explicit endpoint (as after
    `sm-spaces demo serve`), so the block may be installed and the editor opened."""
    return demo_app(demo, cache_profile=None, **options)


async def _get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as rsp:
        return rsp.status, await rsp.text()


# --- S: the ssh config block -------------------------------------------------------------------


async def test_ssh_config_key_shows_the_diff_installs_on_y_and_ssh_reaches_the_alias(demo, home):
    config = home / ".ssh" / "config"
    app = _account_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("S")
        assert await wait_until(pilot, lambda: isinstance(app.screen, SshConfigScreen))
        assert "+Host sm-fraud-detection" in app.screen.diff and "~/.ssh/config" in app.screen.path
        assert not config.exists()  # nothing written before the answer
        await pilot.press("y")
        assert await wait_until(pilot, lambda: config.exists() and "wrote" in _messages(app))
        text = config.read_text()
        assert "Host sm-fraud-detection" in text and f"--endpoint-url {demo.endpoint_url}" in text
        assert stat.S_IMODE(config.stat().st_mode) == 0o600
        assert demo.credentials.secret_key not in text
        # The real OpenSSH reaches the space by its alias through the installed block.
        proc = await asyncio.create_subprocess_exec(
            "ssh",
            "-F",
            str(config),
            "sm-fraud-detection",
            "echo",
            "ok",
            env=app.account.child_env(),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await proc.communicate()
        assert out == b"ok\n", err
        await pilot.press("S")
        assert await wait_until(pilot, lambda: "already up to date" in _messages(app))


async def test_ssh_config_n_and_conflicts_leave_the_file_byte_identical(demo, home):
    config = home / ".ssh" / "config"
    config.parent.mkdir()
    config.write_bytes(b"# mine\r\nHost work\r\n  User me\r\n")
    app = _account_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("S")
        assert await wait_until(pilot, lambda: isinstance(app.screen, SshConfigScreen))
        await pilot.press("n")
        assert await wait_until(pilot, lambda: "was not changed" in _messages(app))
        assert config.read_bytes() == b"# mine\r\nHost work\r\n  User me\r\n"
        claimed = b"Host sm-fraud-detection\n  HostName example.com\n"
        config.write_bytes(claimed)
        await pilot.press("S")
        assert await wait_until(pilot, lambda: "claims" in _messages(app))
        assert not isinstance(app.screen, SshConfigScreen) and config.read_bytes() == claimed


async def test_ssh_config_in_demo_mode_is_a_preview(demo, home):
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("S")
        assert await wait_until(pilot, lambda: isinstance(app.screen, SshConfigScreen))
        assert app.screen.preview and "+Host sm-fraud-detection" in app.screen.diff
        await pilot.press("y")
        await settle(pilot)
        assert not isinstance(app.screen, SshConfigScreen)
        assert not (home / ".ssh" / "config").exists()


# --- v: VS Code --------------------------------------------------------------------------------


@pytest.fixture
def stand_in_code(home, monkeypatch):
    """A `code` on PATH that writes its arguments, one a line, to a file."""
    bin_dir, record = home / "bin", home / "code-argv"
    bin_dir.mkdir()
    script = bin_dir / "code"
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {record}\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return record


async def test_vscode_starts_the_space_installs_the_alias_and_runs_code(demo, home, stand_in_code):
    app = _account_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        highlight(app, "feature-store-dev")  # stopped
        await pilot.press("v")
        assert await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), rounds=1000)
        assert app.screen.title_text == "Start feature-store-dev?"
        await pilot.press("y")
        assert await wait_until(pilot, lambda: isinstance(app.screen, SshConfigScreen), rounds=1000)
        assert "sm-feature-store-dev" in (app.screen.reason or "")
        assert not stand_in_code.exists()
        await pilot.press("y")
        assert await wait_until(pilot, stand_in_code.exists, rounds=1000)
        assert stand_in_code.read_text().splitlines() == [
            "--remote",
            "ssh-remote+sm-feature-store-dev",
            "/home/sagemaker-user",
        ]
        assert "Host sm-feature-store-dev" in (home / ".ssh" / "config").read_text()
        assert (await find_space(demo, "feature-store-dev")).status is SpaceStatus.RUNNING
        assert await wait_until(pilot, lambda: "remote.SSH.serverInstallPath" in _messages(app))


async def test_vscode_declined_diff_opens_nothing(demo, home, stand_in_code):
    app = _account_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        highlight(app, "fraud-detection")
        await pilot.press("v")
        assert await wait_until(pilot, lambda: isinstance(app.screen, SshConfigScreen))
        await pilot.press("n")
        assert await wait_until(pilot, lambda: "the editor was not opened" in _messages(app))
        assert not stand_in_code.exists() and not (home / ".ssh" / "config").exists()


async def test_vscode_missing_editor_says_how_to_install_it(demo, home, monkeypatch):
    monkeypatch.setenv("PATH", str(home))  # no `code` anywhere
    app = _account_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        highlight(app, "feature-store-dev")
        await pilot.press("v")
        assert await wait_until(pilot, lambda: "Install 'code' command in PATH" in _messages(app))
        assert (
            await find_space(demo, "feature-store-dev")
        ).status is SpaceStatus.STOPPED  # not started for nothing


async def test_vscode_is_refused_in_demo_mode(demo, stand_in_code):
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        highlight(app, "fraud-detection")
        await pilot.press("v")
        assert await wait_until(pilot, lambda: "cannot use --demo" in _messages(app))
        assert not stand_in_code.exists()


# --- f / F: JupyterLab forwards -----------------------------------------------------------------


async def _forward(pilot, app, space: str, *, start: bool = False):
    """`f` on `space` (`start`: it is stopped, and the start question is answered yes); the forward
    it opened and the URL of the space's IDE it serves on loopback."""
    highlight(app, space)
    await pilot.press("f")
    if start:
        assert await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), rounds=1000)
        assert app.screen.title_text == f"Start {space}?"
        await pilot.press("y")
    assert await wait_until(pilot, lambda: len(app.reach.forwards) == 1, rounds=1000)
    forward = next(iter(app.reach.forwards))
    return forward, forward.url.replace("localhost", "127.0.0.1", 1)


async def test_forward_serves_the_page_survives_a_refresh_and_closes_from_the_list(demo):
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        forward, url = await _forward(pilot, app, "fraud-detection")
        assert forward.url == f"http://localhost:{forward.local_port}{LAB}"
        assert await wait_until(pilot, lambda: forward.url in _messages(app))
        status, body = await _get(url)
        assert status == 200 and "fraud-detection" in body
        loads = app.listing.load_count
        await pilot.press("r")
        assert await wait_until(pilot, lambda: app.listing.load_count > loads)
        await settle(pilot)
        assert (await _get(url))[0] == 200 and len(app.reach.forwards) == 1
        await pilot.press("f")  # the same space again: the open forward is named, not duplicated
        assert await wait_until(pilot, lambda: "already forwarded" in _messages(app))
        assert len(app.reach.forwards) == 1
        await pilot.press("F")
        assert await wait_until(pilot, lambda: isinstance(app.screen, ForwardsScreen))
        assert app.screen.query_one("#forward-list").option_count == 1
        await pilot.press("d")
        assert await wait_until(pilot, lambda: len(app.reach.forwards) == 0)
        with pytest.raises(aiohttp.ClientConnectionError):
            await _get(url)
        await pilot.press("escape")


async def test_forward_starts_a_stopped_space_and_quit_closes_it(demo):
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        forward, url = await _forward(pilot, app, "feature-store-dev", start=True)
        # A Code Editor space: its workbench's path, not JupyterLab's (which it does not serve).
        assert forward.url == f"http://localhost:{forward.local_port}/codeeditor/default/"
        status, body = await _get(url)
        assert status == 200 and "Code Editor" in body and "feature-store-dev" in body
        assert (await _get(url.replace("/codeeditor/default/", LAB)))[0] == 404
        await pilot.press("q")
    assert not forward.active
    with pytest.raises(aiohttp.ClientConnectionError):
        await _get(url)


async def test_readonly_forwards_a_running_space_but_starts_nothing(demo):
    app = demo_app(demo, readonly=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("F")
        assert await wait_until(pilot, lambda: isinstance(app.screen, ForwardsScreen))
        assert "No forwards are open" in str(app.screen.query_one("#forward-empty").render())
        await pilot.press("escape")
        highlight(app, "feature-store-dev")
        await pilot.press("f")
        assert await wait_until(pilot, lambda: "read-only mode cannot start" in _messages(app))
        highlight(app, "fraud-detection")
        await pilot.press("f")
        assert await wait_until(pilot, lambda: len(app.reach.forwards) == 1, rounds=1000)


async def test_help_and_palette_offer_the_reach_keys(demo):
    from sm_spaces.ui.screens.help import HelpScreen

    app = demo_app(demo, readonly=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        rows = dict(app.screen.bindings)
        assert rows["v"].startswith("open the space in VS Code") and rows["f"].startswith("forward")
        assert rows["F"].startswith("list the open forwards") and rows["S"].startswith(
            "install the ssh config"
        )
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pilot.press(*"Forward JupyterLab of fraud-detection")  # offered in --readonly too
        await pilot.pause(0.3)
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: len(app.reach.forwards) == 1, rounds=1000)
        assert next(iter(app.reach.forwards)).label == "fraud-detection"


async def test_a_failing_test_body_still_closes_forwards_and_clients(demo):
    """The app closes what it opened as it ends, whatever ends it: a test needs no closing lines
    that a failed assertion would skip."""
    app = demo_app(demo)
    with pytest.raises(AssertionError, match="planted"):
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            forward, url = await _forward(pilot, app, "fraud-detection")
            assert (await _get(url))[0] == 200 and app.services.opened
            raise AssertionError("planted")
    assert not forward.active and not app.services.opened
    with pytest.raises(aiohttp.ClientConnectionError):
        await _get(url)
