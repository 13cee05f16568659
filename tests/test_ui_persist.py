"""The TUI's persist setting (P, the palette, config.toml's `persist`): `c` runs the shell in tmux
on the space, as `sm-spaces connect --persist` does, and when the session is lost for good
(ResumeSession refused) starts a new one and reattaches to the same tmux session.

The app's ssh argv runs on a real terminal (tests/terminal_session.py: tmux gives it a pty,
`script` records it) in a thread, while the pilot keeps the app and the simulated account, which
share this event loop, running.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from sm_spaces.ui.handoff import Handoff
from sm_spaces.ui.testing import demo_app, highlight, settle, wait_until

from tests.terminal_session import TerminalSession

SIZE = (150, 45)
ARN = "arn:aws:sagemaker:us-east-1:123456789012:space/d-mlplatf0rm01/fraud-detection"
Play = Callable[[TerminalSession], None]


class TerminalRunner:
    """Runs each argv the app hands over on a real terminal, where `plays[i]` acts as the user."""

    def __init__(self, tmp: Path, plays: list[Play]) -> None:
        self.tmp = tmp
        self.plays = plays
        self.argvs: list[list[str]] = []
        self.ended: list[Handoff] = []

    async def __call__(self, argv: list[str], env: dict[str, str]) -> Handoff:
        self.argvs.append(list(argv))
        play = self.plays[len(self.argvs) - 1]
        ended = await asyncio.to_thread(self._run, argv, env, play)
        self.ended.append(ended)
        return ended

    def _run(self, argv: list[str], env: dict[str, str], play: Play) -> Handoff:
        with TerminalSession(argv, env, self.tmp) as term:
            play(term)
            assert term.wait_exit(), term.screen()
            status = term.exit_code
        assert status is not None, term.output()[-2000:]
        return Handoff(status, term.output().decode("utf-8", "replace"))


async def test_persist_setting_attaches_to_tmux_and_reattaches_after_a_lost_session(demo, tmp_path):
    from sm_spaces import config

    assert shutil.which("tmux"), "the space's tmux (the system's) is what this test exercises"
    loop = asyncio.get_running_loop()
    demo.resume.refusal = "AccessDeniedException"  # no resume: only a new session helps

    def first(term: TerminalSession) -> None:
        assert term.wait_for("[sm-spaces"), term.screen()  # tmux's status line: its session's name
        term.keys("export MARK=kept-$((6*7)); echo set-$((6*7))", "Enter")
        assert term.wait_for("set-42"), term.screen()
        loop.call_soon_threadsafe(demo.agent.cut_connections)

    def second(term: TerminalSession) -> None:
        assert term.wait_for("[sm-spaces"), term.screen()
        term.keys("clear; echo still-$MARK", "Enter")
        assert term.wait_for("still-kept-42"), term.screen()  # the same shell, its variable kept
        term.keys("exit", "Enter")  # ends the shell, so the tmux session and ssh too

    runner = TerminalRunner(tmp_path, [first, second])
    app = demo_app(demo, use_settings=True)
    app.connector.process_runner = runner
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.connector.persist  # off unless chosen
        await pilot.press("P")
        await settle(pilot)
        assert app.connector.persist and app.toggled("toggle_persist")
        assert config.load_settings()[0].persist is True  # saved for the next run
        highlight(app, "fraud-detection")
        await pilot.press("c")
        assert await wait_until(pilot, lambda: len(runner.ended) == 2, rounds=15000), app.notices.text()
        await settle(pilot)
        said = app.notices.text()
    assert [e.returncode for e in runner.ended] == [255, 0], said
    assert "SSM refused ssm:ResumeSession" in runner.ended[0].stderr
    assert "attaching to tmux session 'sm-spaces' (1/5)" in said
    assert "ended with status" not in said  # the last run ended well: nothing to report
    assert runner.argvs[0] == runner.argvs[1] and "tmux new-session -A -s sm-spaces" in runner.argvs[0][-1]
    assert demo.resume.refused == 1
    # The tmux server ran in the space's home and is gone with its session.
    server = demo.hosts.host_for(ARN).home / f"tmux-{os.getuid()}" / "default"
    listed = await asyncio.create_subprocess_exec(
        "tmux", "-S", str(server), "ls", stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    assert await listed.wait() != 0


async def test_persist_setting_is_read_from_config_and_turned_off_from_the_palette(demo):
    from sm_spaces import config

    config.save_settings(config.Settings(persist=True))
    app = demo_app(demo, use_settings=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.connector.persist
        await pilot.press("ctrl+p")
        await pilot.press(*"Stop keeping shells in tmux")
        await pilot.pause(0.3)
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: not app.connector.persist)
        assert "Persist off" in [n.title for n in app.notices.said]
    assert config.load_settings()[0].persist is False
