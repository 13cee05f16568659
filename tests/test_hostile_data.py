"""The hostile-data suite (issue 14, acceptance): the simulator's hostile switch serves names,
display names, owners, a domain name, instance types and error messages full of terminal escapes
(OSC 0/8/52, CSI, C1), a bidi override, line breaks and Rich markup. The command line and the TUI
(driven by a pilot, and run on a real terminal under tmux with `script` recording every byte it
writes) must emit none of those sequences, keep one row per space, and never crash.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sm_spaces.demo import hostile_data
from sm_spaces.demo.account import DemoAccount
from sm_spaces.demo.hostile_data import ERROR_SPACE, EVERYTHING, FORBIDDEN
from sm_spaces.demo.server import DemoServer, ThreadedDemo
from sm_spaces.safe_text import safe_text

from tests.cli_run import serve_exports
from tests.reliability_log import record

# Names and messages AWS would refuse: the simulator plays an endpoint that is not AWS here.
pytestmark = pytest.mark.non_aws_endpoint

SM = [sys.executable, "-m", "sm_spaces"]
HOSTILE_NAMES = list(hostile_data.SPACES)


def leaked(data: bytes) -> list[bytes]:
    return [seq for seq in FORBIDDEN if seq in data]


@pytest.fixture
def hostile_server() -> Iterator[ThreadedDemo]:
    account = DemoAccount.seeded()
    server = DemoServer(account)
    server.hostile = hostile_data.install(account)
    handle = server.start_in_thread()
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def env(hostile_server: ThreadedDemo, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(hostile_server.server.env())
    env.update(
        AWS_CONFIG_FILE=str(tmp_path / "aws-config-absent"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "aws-credentials-absent"),
        HOME=str(tmp_path / "home"),
    )
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.run([*SM, *args], capture_output=True, env=env, timeout=120, stdin=subprocess.DEVNULL)
    out = proc.stdout + proc.stderr
    record("hostile.cli", commands=1, leaked=len(leaked(out)))
    assert leaked(out) == [], (args, out)
    assert b"Traceback" not in out
    return proc


# --- the command line ------------------------------------------------------------------------


def test_list_prints_one_row_per_space_and_no_escape(env: dict[str, str]) -> None:
    listed = json.loads(run(env, "list", "--json").stdout)
    table = run(env, "list").stdout
    assert b"\x1b" not in table and b"\xc2\x9b" not in table  # not even the sanitised-away ones
    assert len(table.decode().splitlines()) == 1 + len(listed)  # no forged rows
    hostile = [s for s in listed if s["domain_id"] == hostile_data.DOMAIN_ID]
    assert len(hostile) == len(HOSTILE_NAMES)
    assert {s["space_name"] for s in hostile} == {safe_text(n) for n in HOSTILE_NAMES}


def test_list_json_is_exact_ascii_json_of_the_sanitised_values(env: dict[str, str]) -> None:
    out = run(env, "list", "--json").stdout
    assert out.isascii()  # every non-ASCII character \u-escaped
    shown = next(s for s in json.loads(out) if s["space_name"] == "hostile-display")
    assert shown["display_name"] == safe_text(EVERYTHING)
    assert shown["user_profile"] == safe_text(hostile_data.OWNER)
    assert shown["instance_type"] == safe_text(hostile_data.SPACES["hostile-display"][1])
    assert "[bold red]MARKUP[/]" in shown["display_name"]  # markup is text, kept as typed


@pytest.mark.parametrize(
    "args",
    [
        ["start", ERROR_SPACE],
        ["stop", ERROR_SPACE, "--yes"],
        ["connect", ERROR_SPACE, "--", "true"],
        ["connect", ERROR_SPACE, "--with", "asyncssh", "--", "true"],
        ["forward", ERROR_SPACE],
        ["start", safe_text(HOSTILE_NAMES[1])],
    ],
    ids=["start", "stop", "connect-ssh", "connect-asyncssh", "forward", "start-escaped-name"],
)
def test_errors_carrying_escapes_are_one_safe_line(env: dict[str, str], args: list[str]) -> None:
    proc = run(env, *args)
    lines = proc.stderr.decode().strip().splitlines()
    assert proc.returncode != 0
    assert lines and len(lines[-1]) > 20
    assert all(c.isprintable() for line in lines for c in line), lines


def test_ssh_config_leaves_out_names_that_cannot_be_hosts_and_says_so(
    env: dict[str, str], tmp_path: Path
) -> None:
    config = tmp_path / "ssh_config"
    proc = run(env, "ssh-config", "install", "--dry-run", "--config", str(config))
    assert proc.returncode == 0, proc.stderr
    warning = [
        line for line in proc.stderr.decode().splitlines() if "left out of the ssh config block" in line
    ]
    assert len(warning) == 1 and "cannot form a space ARN" in warning[0]
    assert b"Host sm-hostile-display\n" in proc.stdout.replace(b"+", b"")
    assert b"Host sm-fraud-detection\n" in proc.stdout.replace(b"+", b"")
    assert not config.exists()


def test_doctor_is_safe_on_a_hostile_endpoint(env: dict[str, str]) -> None:
    proc = run(env, "doctor")
    assert b"\x1b" not in proc.stdout  # not a terminal: no colours either


@pytest.fixture
def served_hostile(env: dict[str, str]) -> Iterator[dict[str, str]]:
    """`sm-spaces demo serve --hostile` as a user starts it; the environment it prints."""
    served = subprocess.Popen(
        [*SM, "demo", "serve", "--hostile", "--delay", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert served.stdout is not None
        exports, _ = serve_exports(served.stdout)
        yield {**env, **exports}
    finally:
        served.send_signal(signal.SIGINT)
        served.wait(timeout=30)


def test_demo_serve_hostile_serves_the_hostile_domain(served_hostile: dict[str, str]) -> None:
    listed = json.loads(run(served_hostile, "list", "--json").stdout)
    assert {s["space_name"] for s in listed} >= {safe_text(n) for n in HOSTILE_NAMES}


# --- the TUI ---------------------------------------------------------------------------------

# What the terminal is given is the TUI's own drawing: no OSC but 22 (the pointer shape) and no CSI
# that clears the screen (J), reports or moves the window (t) or asks for a status report (n).
_OSC = re.compile(rb"\x1b\](\d*)")
_CSI_FINAL = re.compile(rb"\x1b\[[0-9;?<=>]*([@-~])")


def terminal_findings(output: bytes) -> dict[str, object]:
    return {
        "forbidden": leaked(output),
        "osc": sorted(set(_OSC.findall(output)) - {b"22"}),
        "csi": sorted(set(_CSI_FINAL.findall(output)) & {b"J", b"t", b"n"}),
        "c1": [c for c in range(0x80, 0xA0) if bytes([0xC2, c]) in output],
    }


async def test_pilot_the_tui_draws_hostile_text_inert(demo: DemoServer) -> None:
    from sm_spaces.ui.screens.confirm import ConfirmScreen
    from sm_spaces.ui.testing import demo_app, settle, wait_until

    demo.hostile = hostile_data.install(demo.account)
    app = demo_app(demo)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"hostile-display", "enter")  # its detail panel shows everything
        await settle(pilot)
        detail = app.export_screenshot()
        await pilot.press("escape", "slash", *ERROR_SPACE, "enter", "x")
        assert await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")  # a stop that the endpoint refuses with a hostile message
        assert await wait_until(pilot, lambda: "refused" in app.notices.text(), rounds=1500)
        assert "\x1b" not in app.notices.text() and "␛]0;PWNED-TITLE" in app.notices.text()
        await pilot.pause(0.3)  # the toast renders
        await pilot.press("ctrl+p", *"x-[")  # the palette lists the markup-like name as text
        await pilot.pause(0.3)
        palette = app.export_screenshot()
        await pilot.press("escape")
        assert app.is_running
        screens = [detail, app.export_screenshot(), palette]
        await app.close_services()
    for svg in screens:
        bad = [
            c for c in svg if (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F or c == "\u202e"
        ]
        assert bad == []
    assert "␛]0;PWNED-TITLE" in detail  # shown, visibly, as what it is
    record("hostile.tui_pilot", screenshots=len(screens))


def _filter(term, name: str) -> None:  # type: ignore[no-untyped-def]
    """Filter to `name`, each step seen on the screen before the next key (keys typed ahead of the
    filter bar would reach the tree: Enter there connects)."""
    term.keys("/")
    assert term.wait_for("esc Clear filter"), term.screen()  # the filter bar has the keys
    if "filter by name" not in term.screen():  # an earlier filter's text: esc clears it
        term.keys("Escape")
        assert term.wait_for("fraud-detection"), term.screen()
        term.keys("/")
        assert term.wait_for("filter by name"), term.screen()
    term.type(name)
    assert term.wait_for(f"Filter: /{name}"), term.screen()  # the header names the filter
    term.keys("Enter")
    assert term.wait_for("x Stop"), term.screen()  # the tree has the keys again


def test_a_real_terminal_receives_none_of_the_hostile_bytes(
    served_hostile: dict[str, str], tmp_path: Path
) -> None:
    from tests.terminal_session import TerminalSession

    with TerminalSession([*SM], served_hostile, tmp_path, size=(160, 45)) as term:
        assert term.wait_for("hostile-display"), term.screen()
        listing = term.screen()
        _filter(term, "hostile-display")
        assert term.wait_for("PWNED-TITLE␇␛]52"), term.screen()  # its detail panel shows everything
        _filter(term, ERROR_SPACE)
        assert term.wait_for("errors␛]8;;http"), term.screen()  # its detail panel
        term.keys("x")
        assert term.wait_for(f"Stop {ERROR_SPACE}?"), term.screen()
        term.keys("y")  # a stop that the endpoint refuses with a hostile message
        assert term.wait_for("refused"), term.screen()
        term.keys("/")  # the whole listing again: its names for the palette
        assert term.wait_for("esc Clear filter"), term.screen()
        term.keys("Escape")
        assert term.wait_for("fraud-detection"), term.screen()
        term.keys("C-p")
        assert term.wait_for("Search for commands"), term.screen()
        term.type("x-[")
        assert term.wait_for("x-[@click=app.quit]y[/]"), term.screen()
        term.keys("Escape")
        assert term.wait_for("3 failed") and term.wait_until(
            lambda screen: "🔎" not in screen
        )  # the seeded account: recsys-training, gpu-upgrade, old-experiments
        term.keys("q")
        assert term.wait_exit(), term.screen()
    output = term.output()
    findings = terminal_findings(output)
    record(
        "hostile.tui_terminal", screenshots=1, bytes=len(output), **{k: len(v) for k, v in findings.items()}
    )  # type: ignore[arg-type]
    assert findings == {"forbidden": [], "osc": [], "csi": [], "c1": []}
    assert term.exit_code == 0
    rows = listing.splitlines()
    assert any("nl FORGED-ROW" in row for row in rows)  # the line break became a space, on one row
    assert not any(row.lstrip("│ ├└─▼").startswith("FORGED-ROW") for row in rows)
