"""Secret hygiene across the everyday commands: list, start, connect, forward, open, ssh-config, the TUI.

Secrets are the AWS secret key, the AWS session token, and every SSM TokenValue the simulated account
issued (StartSession and a Studio link). While the commands run, every process's command line is
sampled; afterwards their output, every file under the isolated HOME/config/cache/TMPDIR (logs
included), a TUI screenshot (SVG) and the messages of induced failures are searched for any of them.
Files we write must be 0600 in 0700 directories.
(test_connect.py and test_open_link.py watch command lines for connect and open alone.)
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sm_spaces.demo.server import DemoServer, ThreadedDemo
from sm_spaces.demo.sigv4 import Credentials

from tests.reliability_log import record

SM = [sys.executable, "-m", "sm_spaces"]
BASE = "vscode://amazonwebservices.aws-toolkit-vscode/connect/sagemaker"


class CommandLines:
    """Samples /proc/*/cmdline on a thread until stopped."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    try:
                        raw = (entry / "cmdline").read_bytes()
                    except OSError:
                        continue
                    if raw:
                        self.seen.add(raw.replace(b"\0", b" ").decode(errors="replace"))
            self.samples += 1
            time.sleep(0.005)

    def __enter__(self) -> CommandLines:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[ThreadedDemo, dict[str, str], Path]]:
    server = DemoServer(transition_delay=0.0)
    server.credentials = Credentials.random(with_token=True)  # so there is a session token to leak
    handle = server.start_in_thread()
    root = tmp_path / "world"
    for sub in ("home", "config", "cache", "tmp", "xdg-config", "xdg-cache", "xdg-state"):
        (root / sub).mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SM_SPACES_", "XDG_"))}
    env.update(
        handle.server.env(),
        HOME=str(root / "home"),
        TMPDIR=str(root / "tmp"),
        SM_SPACES_CONFIG_DIR=str(root / "config"),
        SM_SPACES_CACHE_DIR=str(root / "cache"),
        XDG_CONFIG_HOME=str(root / "xdg-config"),
        XDG_CACHE_HOME=str(root / "xdg-cache"),
        XDG_STATE_HOME=str(root / "xdg-state"),
        AWS_CONFIG_FILE=str(root / "home" / "aws-config-absent"),
        AWS_SHARED_CREDENTIALS_FILE=str(root / "home" / "aws-credentials-absent"),
    )
    try:
        yield handle, env, root
    finally:
        handle.stop()


def issue_link(server: DemoServer, name: str = "fraud-detection") -> tuple[str, str]:
    """A Studio "Open in VS Code" link for a fresh session of `name`, and its token."""
    arn = f"arn:aws:sagemaker:{server.region}:{server.account.account_id}:space/d-mlplatf0rm01/{name}"
    session = server.sessions.create(arn)
    ws_url, _, cell = server.sessions.stream_url(server.ws_base_url, session).rpartition("&cell-number=")
    params = {
        "connection_identifier": arn,
        "domain": "d-mlplatf0rm01",
        "user_profile": "alice",
        "session": session.session_id,
        "ws_url": ws_url,
        "cell-number": cell,
        "token": session.token,
        "app_type": "JupyterLab",
    }
    return BASE + "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items()), session.token


def run(args: list[str], env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*SM, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
    )


def forward_once(env: dict[str, str]) -> tuple[str, str, str]:
    """`forward`, one HTTP request through it, then Ctrl-C; (stdout, stderr, page)."""
    # Ctrl-C as a terminal delivers it: a pytest started in the background (`cmd &`) passes SIGINT on
    # ignored, and Python then never raises KeyboardInterrupt in the child.
    proc = subprocess.Popen(
        [*SM, "forward", "fraud-detection"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509  (only resets one handler)
    )
    assert proc.stdout is not None and proc.stderr is not None
    url = proc.stdout.readline().strip()
    assert url.startswith(("http://127.0.0.1:", "http://localhost:")), url
    with urllib.request.urlopen(url.replace("//localhost:", "//127.0.0.1:"), timeout=30) as answer:
        page = answer.read().decode(errors="replace")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    return url + "\n" + out, err, page


def _secrets(server: DemoServer, extra: list[str]) -> dict[str, str]:
    found = {
        "aws secret key": server.credentials.secret_key,
        "aws session token": server.credentials.token or "",
    }
    for i, session in enumerate(server.sessions.issued()):
        found[f"ssm token {i}"] = session.token
    for i, value in enumerate(extra):
        found[f"extra {i}"] = value
    return {k: v for k, v in found.items() if v}


def _leaks(text: str, secrets: dict[str, str]) -> list[str]:
    # Also a secret's first 24 characters: a truncated token is still a leak.
    return [name for name, value in secrets.items() if value in text or value[:24] in text]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_no_secret_on_command_lines_outputs_or_files(
    world: tuple[ThreadedDemo, dict[str, str], Path],
) -> None:
    handle, env, root = world
    server = handle.server
    outputs: dict[str, str] = {}
    link, link_token = issue_link(server)
    with CommandLines() as lines:
        for label, args, stdin in [
            ("list", ["list"], None),
            ("list --json", ["list", "--json"], None),
            ("start", ["start", "feature-store-dev"], None),
            ("connect ssh", ["connect", "fraud-detection", "--", "echo connected"], None),
            (
                "connect asyncssh",
                ["connect", "fraud-detection", "--with", "asyncssh", "--", "echo connected"],
                None,
            ),
            ("open", ["open", "-", "--with", "ssh", "--", "echo opened"], link + "\n"),
            ("ssh-config install", ["ssh-config", "install", "--yes"], None),
        ]:
            proc = run(args, env, stdin)
            assert proc.returncode == 0, (label, proc.stderr)
            outputs[label] = proc.stdout + proc.stderr
        out, err, page = forward_once(env)
        outputs["forward"] = out + err
        assert "JupyterLab" in page or "<html" in page.lower()
    assert outputs["connect ssh"].startswith("connected") and "opened" in outputs["open"]
    secrets = _secrets(server, [link_token])
    assert len([k for k in secrets if k.startswith("ssm")]) >= 4  # connect ×2, forward, the link

    # 1. Command lines of every process seen while the commands ran (ours, ssh, the ProxyCommands).
    assert any("ssh-proxy" in line for line in lines.seen), "the sampler must have seen the ProxyCommand"
    assert any(" forward " in line for line in lines.seen)
    leaked = {line[:120]: _leaks(line, secrets) for line in lines.seen}
    assert {k: v for k, v in leaked.items() if v} == {}

    # 2. What the commands printed.
    assert {label: _leaks(text, secrets) for label, text in outputs.items() if _leaks(text, secrets)} == {}

    # 3. Every file left behind: config, cache, ssh config and backup, temp files, logs.
    files = [p for p in root.rglob("*") if p.is_file()]
    assert any(p.name == "config" and p.parent.name == ".ssh" for p in files), (
        "ssh-config install wrote nothing"
    )
    for path in files:
        content = path.read_bytes().decode(errors="replace")
        assert _leaks(content, secrets) == [], path
    # 4. Files we write are private, in private directories.
    ours = [
        p
        for p in files
        if root / "home" / ".ssh" in p.parents or root / "config" in p.parents or root / "cache" in p.parents
    ]
    for path in ours:
        assert _mode(path) == 0o600, (path, oct(_mode(path)))
        assert _mode(path.parent) == 0o700, (path.parent, oct(_mode(path.parent)))
    record(
        "secrets.commands",
        commands=len(outputs),
        command_lines_sampled=len(lines.seen),
        samples=lines.samples,
        files_checked=len(files),
        private_files=len(ours),
        secrets=len(secrets),
        leaks=0,
    )


async def test_no_secret_in_a_screenshot_or_failure_messages(tmp_path: Path) -> None:
    from sm_spaces.aws.errors import AwsError
    from sm_spaces.aws.service import SpacesService
    from sm_spaces.ssm.channel import ChannelError, DataChannel
    from sm_spaces.ui.testing import demo_app, settle

    server = DemoServer(transition_delay=0.0)
    server.credentials = Credentials.random(with_token=True)
    messages: list[str] = []
    async with server:
        c = server.credentials
        app = demo_app(server)
        async with app.run_test(size=(150, 45)) as pilot:
            await settle(pilot)
            server.faults.expired = True  # the banner and a toast on screen too
            await pilot.press("ctrl+r")
            await settle(pilot)
            svg = app.export_screenshot()
            app.save_screenshot(filename="shot.svg", path=str(tmp_path))
        server.faults.expired = False
        async with SpacesService(
            region=server.region,
            endpoint_url=server.endpoint_url,
            credentials=(c.access_key, c.secret_key, c.token),
        ) as svc:
            arn = "arn:aws:sagemaker:us-east-1:123456789012:space/d-mlplatf0rm01/fraud-detection"
            session = await svc.start_session(arn)
            messages.append(repr(session))
            async with DataChannel.connect(session.stream_url, session.token) as channel:
                await channel.receive()
            try:  # the same token again: refused, and the refusal must not quote it
                async with DataChannel.connect(session.stream_url, session.token):
                    pass
            except (ChannelError, AwsError) as err:
                messages.append(str(err))
            for fault in ("expired", "deny"):
                if fault == "deny":
                    server.faults.deny = {"StartSession"}
                else:
                    server.faults.expired = True
                try:
                    await svc.start_session(arn)
                except AwsError as err:
                    messages.append(str(err))
                server.faults.reset()
        async with SpacesService(
            region=server.region,
            endpoint_url=server.endpoint_url,
            credentials=(c.access_key, c.secret_key + "x", c.token),
        ) as wrong:
            try:
                await wrong.list_all()
            except AwsError as err:
                messages.append(str(err))
        secrets = _secrets(server, [])
    assert len(messages) >= 5
    assert (tmp_path / "shot.svg").exists()
    shot = (tmp_path / "shot.svg").read_text()
    assert "fraud-detection" in shot  # the screenshot does show the account
    assert _leaks(shot, secrets) == [] and _leaks(svg, secrets) == []
    assert {m[:80]: _leaks(m, secrets) for m in messages if _leaks(m, secrets)} == {}
    # The TUI's own files (the listing cache it paints from at start-up): no secrets, private.
    written = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert written, "the TUI must have cached its listing"
    for path in written + [p for p in (tmp_path / "config").rglob("*") if p.is_file()]:
        assert _leaks(path.read_bytes().decode(errors="replace"), secrets) == [], path
        assert _mode(path) == 0o600 and _mode(path.parent) == 0o700, path
    record(
        "secrets.screenshot_and_errors",
        screenshots=2,
        failure_messages=len(messages),
        tui_files=len(written),
        leaks=0,
    )
