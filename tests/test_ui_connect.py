"""Connect from the TUI (c, enter, the palette) against the simulated account, through the real
OpenSSH client and our ProxyCommand.

`App.suspend()` cannot work under run_test, so the app gets a runner that runs the very argv it
built without a terminal: `-t` dropped and a remote command appended. Its output proves the ssh
session reached the space end to end.
"""

from __future__ import annotations

import asyncio

import pytest
from sm_spaces.model import SpaceStatus
from sm_spaces.ui.handoff import Handoff
from sm_spaces.ui.screens.confirm import ConfirmScreen
from sm_spaces.ui.testing import ask_about, demo_app, highlight, settle, shown, wait_until

from tests.demo_service import find_space

SIZE = (150, 45)


@pytest.fixture(autouse=True)
def without_aws_profile(monkeypatch):
    monkeypatch.delenv("AWS_PROFILE", raising=False)


class SshRunner:
    """Runs the app's ssh argv non-interactively (`echo ok` on the space); records what it saw."""

    def __init__(self, app) -> None:
        self.app = app
        self.calls: list[dict] = []
        self.outputs: list[str] = []

    async def __call__(self, argv: list[str], env: dict[str, str]) -> Handoff:
        seen = {
            "argv": list(argv),
            "env": env,
            "loads": self.app.listing.load_count,
            "refreshing": self.app.listing.loading,
        }
        self.calls.append(seen)
        command = [word for word in argv if word != "-t"] + ["echo", "ok"]
        proc = await asyncio.create_subprocess_exec(
            *command,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await proc.communicate()
        seen["loads_after"] = self.app.listing.load_count
        self.outputs.append(out.decode())
        return Handoff(proc.returncode, err.decode())


def _messages(app) -> str:
    return app.notices.text()


def _app(demo, **options):
    app = demo_app(demo, **options)
    runner = SshRunner(app)
    app.connector.process_runner = runner
    return app, runner


async def test_c_runs_ssh_through_our_proxy_with_refresh_paused(demo):
    app, runner = _app(demo, background_refresh=True, refresh_interval=3600)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        highlight(app, "fraud-detection")
        # A refresh due every 50 ms from now on (no settle() after this: the app never rests).
        app.background.interval = 0.05
        app.background.refresh()
        loads = app.listing.load_count
        assert await wait_until(pilot, lambda: app.listing.load_count > loads + 2)
        await pilot.press("c")
        assert await wait_until(pilot, lambda: bool(runner.outputs), rounds=1500)
        assert runner.outputs == ["ok\n"], _messages(app)
        call = runner.calls[0]
        # Paused: no refresh ran during the session, though one was due every 50 ms.
        assert not call["refreshing"] and call["loads_after"] == call["loads"]
        # ...and resumed afterwards.
        assert await wait_until(pilot, lambda: app.listing.load_count > call["loads_after"] + 1)
        argv, env = call["argv"], call["env"]
        assert "-t" in argv and argv[-1] == "sm-fraud-detection"
        assert any("ssh-proxy" in word and "fraud-detection" in word for word in argv)
        secret, token = demo.credentials.secret_key, demo.credentials.token
        assert env["AWS_SECRET_ACCESS_KEY"] == secret
        assert not any(secret in word or (token and token in word) for word in argv)
        assert "ended with status" not in _messages(app)


async def test_enter_and_palette_connect_too(demo):
    app, runner = _app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        highlight(app, "genai-playground")
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: len(runner.outputs) == 1, rounds=1500)
        await pilot.press("ctrl+p")
        await pilot.press(*"Connect to fraud-detection")
        await pilot.pause(0.3)
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: len(runner.outputs) == 2, rounds=1500)
        assert runner.outputs == ["ok\n", "ok\n"]
        assert [c["argv"][-1] for c in runner.calls] == ["sm-genai-playground", "sm-fraud-detection"]


async def test_stopped_small_space_starts_on_a_larger_instance_after_asking(demo):
    app, runner = _app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert await ask_about(pilot, "nlp-experiments", "c")  # stopped, ml.t3.medium, no remote access
        assert app.screen.title_text == "Start nlp-experiments?"  # a start costs money: asked first
        assert "ml.t3.medium" in str(app.screen.body)
        await pilot.press("y")
        assert await wait_until(pilot, lambda: "ml.t3.large" in getattr(app.screen, "yes", ""), rounds=1000)
        await pilot.press("y")
        assert await wait_until(pilot, lambda: bool(runner.outputs), rounds=1500)
        assert runner.outputs == ["ok\n"], _messages(app)
        space = await find_space(demo, "nlp-experiments")
        assert space.status is SpaceStatus.RUNNING and space.remote_access
        assert space.instance_type == "ml.t3.large"
        assert shown(app)["nlp-experiments"] == "Running"


async def test_declining_the_larger_instance_connects_nowhere(demo):
    app, runner = _app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert await ask_about(pilot, "nlp-experiments", "c")
        await pilot.press("y")  # start it
        assert await wait_until(pilot, lambda: "ml.t3.large" in getattr(app.screen, "yes", ""), rounds=1000)
        await pilot.press("n")  # but not on a larger instance
        await settle(pilot)
        assert runner.calls == []
        assert (await find_space(demo, "nlp-experiments")).status is SpaceStatus.STOPPED


async def test_running_without_remote_access_restarts_after_asking(demo):
    app, runner = _app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert await ask_about(pilot, "churn-model", "c")  # running, ml.t3.medium, no remote access
        assert "Restart" in app.screen.title_text and "lost" in app.screen.body.plain
        await pilot.press("y")
        # Remote access needs a larger instance than ml.t3.medium: a second question.
        assert await wait_until(
            pilot, lambda: isinstance(app.screen, ConfirmScreen) and "larger" in app.screen.title_text
        )
        await pilot.press("y")
        assert await wait_until(pilot, lambda: bool(runner.outputs), rounds=1500)
        assert runner.outputs == ["ok\n"], _messages(app)
        space = await find_space(demo, "churn-model")
        assert space.remote_access and space.status is SpaceStatus.RUNNING


async def test_readonly_connects_to_running_but_refuses_to_start(demo):
    app, runner = _app(demo, readonly=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        highlight(app, "feature-store-dev")
        await pilot.press("c")
        assert await wait_until(pilot, lambda: "read-only mode cannot start" in _messages(app))
        assert runner.calls == []
        assert (await find_space(demo, "feature-store-dev")).status is SpaceStatus.STOPPED
        highlight(app, "fraud-detection")
        await pilot.press("c")
        assert await wait_until(pilot, lambda: bool(runner.outputs), rounds=1500)
        assert runner.outputs == ["ok\n"]


async def test_start_session_refused_is_a_notification_with_the_proxy_reason(demo):
    demo.faults.deny = {"StartSession"}
    app, _runner = _app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        highlight(app, "fraud-detection")
        await pilot.press("c")
        assert await wait_until(pilot, lambda: "ended with status" in _messages(app), rounds=1500)
        text = _messages(app)
        assert "ssh to fraud-detection ended with status 255" in text
        assert "StartSession" in text or "not authorized" in text.lower(), text
        assert text.count("press c to connect again") == 1
        demo.faults.deny = set()  # the cause is gone: the one key named connects
        await pilot.press("c")
        assert await wait_until(pilot, lambda: "ok\n" in _runner.outputs, rounds=1500)
        assert _runner.outputs == ["", "ok\n"] and app.is_running


async def test_missing_ssh_is_a_notification(demo, tmp_path, monkeypatch):
    app, runner = _app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        highlight(app, "fraud-detection")
        monkeypatch.setenv("PATH", str(tmp_path))  # no ssh here
        await pilot.press("c")
        assert await wait_until(pilot, lambda: "ssh is not installed" in _messages(app))
        assert runner.calls == []


async def test_default_runner_without_a_terminal_is_a_notification(demo):
    app = demo_app(demo)  # the real runner: App.suspend() is not supported under run_test
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        highlight(app, "fraud-detection")
        await pilot.press("c")
        assert await wait_until(pilot, lambda: "cannot be handed over" in _messages(app))
        assert app.is_running and app.background.enabled is False  # demo_app's setting, restored


async def test_ctrl_c_before_the_session_is_a_warning_not_a_crash(demo):
    """SIGINT reaches ssh (as Ctrl-C on the terminal would, before ssh puts it in raw mode)."""
    import signal

    async def interrupted(argv: list[str], env: dict[str, str]) -> Handoff:
        proc = await asyncio.create_subprocess_exec(
            *[w for w in argv if w != "-t"],
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        proc.send_signal(signal.SIGINT)
        _, err = await proc.communicate()
        return Handoff(proc.returncode, err.decode())

    app = demo_app(demo)
    app.connector.process_runner = interrupted
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        highlight(app, "fraud-detection")
        await pilot.press("c")
        assert await wait_until(pilot, lambda: "was interrupted" in _messages(app), rounds=1500)
        assert app.is_running
