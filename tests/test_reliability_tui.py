"""The TUI under faults, driven with Textual's pilot against the real service and simulated account.

- credentials expire while the app is open with background refresh running: it stays up, the banner
  says what to run, and it recovers by itself once they are valid again;
- the endpoint stops answering: the UI keeps responding and ends with one clear message;
- a space fails while starting;
- ten start/stop actions in flight at once while background refresh runs: refresh workers never
  overlap, every space ends in the right state, and the account agrees.
"""

from __future__ import annotations

from sm_spaces.demo.server import DemoServer
from sm_spaces.model import SpaceStatus
from sm_spaces.ui.registry import SpaceAction
from sm_spaces.ui.screens.confirm import ConfirmScreen
from sm_spaces.ui.screens.help import HelpScreen
from sm_spaces.ui.testing import demo_app, settle, shown, wait_until
from sm_spaces.ui.widgets.banner import CredentialsBanner
from textual.worker import WorkerState

from tests.demo_service import demo_service
from tests.reliability_log import record
from tests.test_reliability_faults import SilentEndpoint

SIZE = (150, 45)


def _messages(app) -> str:
    return app.notices.text()


def _banner_text(app) -> str:
    banner = app.query_one(CredentialsBanner)
    return str(banner.render()) if banner.has_class("-visible") else ""


async def _account_view(demo: DemoServer) -> dict[str, SpaceStatus]:
    async with demo_service(demo) as svc:
        return {s.name: s.status for s in (await svc.list_all()).spaces}


def act(app, action: str, name: str) -> None:
    """Run `action` on the space called `name` as the command palette does. Not through the cursor:
    with refreshes every few milliseconds a highlight() can race the tree's deferred cursor restore."""
    space = next(s for s in app.space_tree.space_lines() if s.name == name)
    app.run_space_action(SpaceAction(action), space)


def _refresh_workers(app) -> list:
    return [
        w
        for w in app.workers
        if w.group == "refresh" and w.state in (WorkerState.PENDING, WorkerState.RUNNING)
    ]


async def test_credentials_expiring_while_open_banner_then_recovery(demo: DemoServer) -> None:
    app = demo_app(demo, background_refresh=True, refresh_interval=0.1)
    async with app.run_test(size=SIZE) as pilot:
        assert await wait_until(pilot, lambda: shown(app).get("fraud-detection") == "Running")
        demo.faults.expired = True
        # Nobody pressed anything: the background refresh meets the expired token.
        assert await wait_until(pilot, lambda: bool(_banner_text(app)))
        text = _banner_text(app)
        assert "expired" in text and "aws configure" in text and "ctrl+r" in text
        # An action while expired: refused with the same advice, nothing changes, the app stays up.
        act(app, "start", "feature-store-dev")
        assert await wait_until(
            pilot,
            lambda: (
                "feature-store-dev" not in {k[2] for k in app.space_actions.busy}
                and "expired" in _messages(app)
            ),
        )
        assert app.is_running and shown(app)["feature-store-dev"] == "Stopped"
        assert shown(app)["fraud-detection"] == "Running"  # the last good listing stays on screen
        demo.faults.expired = False
        assert await wait_until(pilot, lambda: not _banner_text(app))  # recovered without a key press
        act(app, "start", "feature-store-dev")
        assert await wait_until(pilot, lambda: shown(app)["feature-store-dev"] == "Running", rounds=1000)
    assert (await _account_view(demo))["feature-store-dev"] is SpaceStatus.RUNNING
    record(
        "tui.credentials_expire",
        result="banner with fix, app up, recovered by background refresh",
        banner=" ".join(text.split()),
    )


async def test_silent_endpoint_keeps_the_ui_responsive_and_ends_in_a_message(monkeypatch) -> None:
    monkeypatch.setenv("SM_SPACES_CONNECT_TIMEOUT", "0.2")
    monkeypatch.setenv("SM_SPACES_READ_TIMEOUT", "0.2")
    async with SilentEndpoint() as silent:
        from sm_spaces.ui.app import SpacesApp
        from sm_spaces.ui.clock import FrozenClock

        app = SpacesApp(
            regions=["us-east-1"],
            endpoint_url=silent.url,
            credentials=("AKIDSILENT", "s" * 40, None),
            clock=FrozenClock(),
            background_refresh=False,
            poll_interval=0.05,
            cache_profile="silent",
            use_settings=False,
        )
        async with app.run_test(size=SIZE) as pilot:
            assert await wait_until(pilot, lambda: silent.accepted > 0)
            await pilot.press("question_mark")  # the UI answers keys while the call hangs
            assert await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
            await pilot.press("escape")
            assert await wait_until(pilot, lambda: "did not answer in time" in _messages(app), rounds=2000)
            assert app.is_running and silent.url in _messages(app)
    record("tui.silent_endpoint", connections=silent.accepted, result="responsive, one message")


async def test_space_failing_while_starting_shows_failed(demo: DemoServer) -> None:
    app = demo_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        act(app, "start", "custom-image-test")
        assert await wait_until(pilot, lambda: "failed while starting" in _messages(app), rounds=1000)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert shown(app)["custom-image-test"] == "Failed"
        assert app.is_running and shown(app)["fraud-detection"] == "Running"
    record("tui.failed_start", result="message, shown Failed, app up")


STARTS = ["feature-store-dev", "pipeline-debug", "image-classifier", "rag-prototype", "research-shared"]
STOPS = ["fraud-detection", "llm-finetune", "team-notebooks", "genai-playground", "time-series"]


async def test_ten_actions_in_flight_with_background_refresh(demo: DemoServer) -> None:
    demo.transition_delay = 1.0  # each action stays in flight while the others are launched
    # Each refresh lasts longer than the refresh interval: an overlap would show, and samples see every run.
    demo.faults.latency_by_op = {"ListDomains": 0.15}
    app = demo_app(demo, background_refresh=True, refresh_interval=0.05)
    peak = {"refresh": 0, "busy": 0}
    refresh_runs: set = set()  # the Worker objects themselves: ids could be reused after collection

    def sample() -> None:
        running = _refresh_workers(app)
        refresh_runs.update(running)
        peak["refresh"] = max(peak["refresh"], len(running))
        peak["busy"] = max(peak["busy"], len(app.space_actions.busy))

    async def pump(condition) -> bool:
        def check() -> bool:
            sample()
            return condition()

        return await wait_until(pilot, check, rounds=3000)

    async with app.run_test(size=SIZE) as pilot:
        assert await pump(lambda: shown(app).get("fraud-detection") == "Running")
        for name in STARTS + STOPS:  # all ten at once, as fast as a palette user could type them
            act(app, "start" if name in STARTS else "stop", name)
        asked: list[str] = []

        def dialogs() -> list[str]:
            return [x.title_text for x in app.screen_stack if isinstance(x, ConfirmScreen)]

        # Each stop asks first, one question at a time: a second dialog never stacks on the one
        # being answered, so a "y" cannot land on another space's question.
        for _ in STOPS:
            assert await pump(lambda: len(dialogs()) == 1)
            asked.append(app.screen.title_text)
            await pilot.press("y")
            assert await pump(lambda: asked[-1] not in dialogs())
            assert len(dialogs()) <= 1
        assert sorted(asked) == sorted(f"Stop {n}?" for n in STOPS)
        expected = {**{n: "Running" for n in STARTS}, **{n: "Stopped" for n in STOPS}}
        assert await pump(
            lambda: not app.space_actions.busy and all(shown(app)[n] == s for n, s in expected.items())
        )
        sample()
        errors = [n for n in app.notices.said if n.severity == "error"]
    assert peak["refresh"] <= 1, "two listing refreshes ran at once"
    assert len(refresh_runs) >= 2, "background refresh must have run during the actions"
    assert peak["busy"] >= 5, "the actions must have been in flight together"
    assert errors == []
    account = await _account_view(demo)
    assert {n: account[n].value for n in expected} == expected
    record(
        "tui.ten_actions",
        actions=len(expected),
        peak_in_flight=peak["busy"],
        refresh_runs_seen=len(refresh_runs),
        peak_concurrent_refreshes=peak["refresh"],
        result="final states correct in TUI and account",
    )
