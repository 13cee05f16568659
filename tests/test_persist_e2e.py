"""`connect --persist` on a real terminal: when a session is lost for good (ResumeSession refused),
connect starts a new one and reattaches to the same tmux session on the space, so the shell there
carries on where it was."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sm_spaces.demo.server import DemoServer, ThreadedDemo

from tests.reliability_log import record
from tests.terminal_session import TerminalSession

SM = [sys.executable, "-m", "sm_spaces"]
ARN = "arn:aws:sagemaker:us-east-1:123456789012:space/d-mlplatf0rm01/fraud-detection"


@pytest.fixture
def served() -> Iterator[tuple[ThreadedDemo, dict[str, str]]]:
    handle = DemoServer(transition_delay=0.0).start_in_thread()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(handle.server.env(), AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    try:
        yield handle, env
    finally:
        handle.stop()


def _said(term: TerminalSession, text: bytes) -> bool:
    for _ in range(600):  # a hang guard, not a timing claim
        if text in term.output():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("with_", ["ssh", "asyncssh"])
def test_persist_reattaches_to_the_same_tmux_session_after_the_session_is_lost(
    served: tuple[ThreadedDemo, dict[str, str]], tmp_path: Path, with_: str
) -> None:
    handle, env = served
    assert shutil.which("tmux"), "the space's tmux (the system's) is what this test exercises"
    handle.server.resume.refusal = "AccessDeniedException"  # no resume: only a new session helps
    home = handle.server.hosts.host_for(ARN).home
    argv = [*SM, "connect", "fraud-detection", "--persist", "--with", with_]
    with TerminalSession(argv, env, tmp_path) as term:
        assert term.wait_for("[sm-spaces"), term.screen()  # tmux's status line: its session's name
        term.keys("export MARK=kept-$((6*7)); echo set-$((6*7))", "Enter")
        assert term.wait_for("set-42"), term.screen()
        handle.loop.call_soon_threadsafe(handle.server.agent.cut_connections)
        # Said on the terminal, then painted over by the reattached tmux: read from the recording.
        assert _said(term, b"attaching to tmux session 'sm-spaces' (1/5)"), term.output()[-2000:]
        said = term.output()
        # The proxy's line under the system ssh; within SessionLost's line under asyncssh.
        assert b"the data channel connection was lost and the session could not be resumed" in said, said[
            -3000:
        ]
        assert b"SSM refused ssm:ResumeSession" in said
        term.keys("clear; echo still-$MARK", "Enter")
        assert term.wait_for("still-kept-42"), term.screen()  # the same shell, its variable kept
        term.keys("exit", "Enter")  # ends the shell, so the tmux session and ssh too
        assert term.wait_exit()
        assert term.exit_code == 0, term.output()[-2000:]
    assert handle.server.resume.refused == 1
    record("resume.persist", with_=with_, reconnects=1, variable_kept=True, exit_code=term.exit_code)
    # The tmux server ran in the space's home (not the machine's /tmp) and is gone with its session.
    server = home / f"tmux-{os.getuid()}" / "default"
    listed = subprocess.run(["tmux", "-S", str(server), "ls"], capture_output=True, text=True)
    assert listed.returncode != 0
