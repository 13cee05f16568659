"""Port forwarding to a space end to end: the simulated account, its data channel, asyncssh's local
forward on 127.0.0.1, and real HTTP through it."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import urllib.request

import aiohttp
import pytest
from sm_spaces.aws.service import SpacesService
from sm_spaces.connect.forward import Forward, ForwardError, Forwards
from sm_spaces.connect.session import open_channel
from sm_spaces.demo.server import DemoServer

from tests.demo_service import demo_service

SM = [sys.executable, "-m", "sm_spaces"]
LAB = "/jupyterlab/default/lab"


@pytest.fixture
async def svc(demo: DemoServer):
    async with demo_service(demo, poll_interval=0.01) as service:
        yield service


async def _running(svc: SpacesService, name: str = "fraud-detection"):
    space = await svc.find_space(name)
    assert space.remote_access and space.status.value == "Running"
    return space


def _forward(svc, space, **kw) -> Forward:
    return Forward(lambda: open_channel(svc, space.arn), space.alias, label=space.name, **kw)


def _listening_socket() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


async def _get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as rsp:
        return rsp.status, await rsp.text()


async def test_forward_serves_the_space_page_on_a_local_port(svc):
    space = await _running(svc)
    async with _forward(svc, space, local_port=0) as fwd:
        assert fwd.url == f"http://localhost:{fwd.local_port}{LAB}"
        status, body = await _get(f"http://127.0.0.1:{fwd.local_port}{LAB}")
        assert status == 200 and "JupyterLab" in body and "fraud-detection" in body
        # A second request, on a new TCP connection, goes through the same SSH connection.
        status, _ = await _get(f"http://127.0.0.1:{fwd.local_port}/nope")
        assert status == 404
        port = fwd.local_port
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


async def test_a_taken_port_moves_the_forward_to_the_next_free_one(svc):
    space = await _running(svc)
    with _listening_socket() as taken:
        asked = taken.getsockname()[1]
        async with _forward(svc, space, local_port=asked) as fwd:
            assert fwd.local_port != asked and fwd.moved
            assert asked < fwd.local_port <= asked + 100
            status, body = await _get(f"http://127.0.0.1:{fwd.local_port}{LAB}")
            assert status == 200 and "fraud-detection" in body


async def test_forwards_list_and_close_one_at_a_time(svc):
    space = await _running(svc)
    forwards = Forwards()
    first = await forwards.open(_forward(svc, space, local_port=0))
    second = await forwards.open(_forward(svc, space, local_port=0))
    try:
        assert len(forwards) == 2 and first.local_port != second.local_port
        await forwards.close(first)
        assert list(forwards) == [second] and not first.active
        status, _ = await _get(f"http://127.0.0.1:{second.local_port}{LAB}")
        assert status == 200
    finally:
        await forwards.close_all()
    assert len(forwards) == 0 and not second.active


async def test_a_closed_remote_port_fails_the_request_not_the_forward(svc):
    space = await _running(svc)
    async with _forward(svc, space, local_port=0, remote_port=9999) as fwd:
        with pytest.raises(aiohttp.ClientError):
            await _get(f"http://127.0.0.1:{fwd.local_port}/")
        assert fwd.active


def test_bad_ports_are_refused():
    with pytest.raises(ForwardError):
        Forward(lambda: None, "sm-x", remote_port=70000)  # type: ignore[arg-type,return-value]


# --- the command ------------------------------------------------------------------------------


@contextlib.contextmanager
def _forward_command(env, *args: str):
    """`sm-spaces forward ARGS` running: yields (the URL it printed, (status, body) of a GET of it,
    a list that gets its stderr once it has ended), then ends it with Ctrl-C, which must exit 0."""
    proc = subprocess.Popen(
        [*SM, "forward", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    said: list[str] = []
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://localhost:"), proc.stderr.read()
        with urllib.request.urlopen(url.replace("localhost", "127.0.0.1"), timeout=30) as rsp:
            yield url, (rsp.status, rsp.read()), said
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        said.append(proc.stderr.read())
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "Traceback" not in said[0]


def test_forward_command_prints_the_url_serves_and_ends_on_ctrl_c(demo_env):
    with _listening_socket() as taken:
        asked = taken.getsockname()[1]
        with _forward_command(demo_env, "fraud-detection", "--local-port", str(asked)) as (url, got, said):
            assert url.endswith(LAB)
            port = int(url.split(":")[2].split("/")[0])
            assert port != asked
            assert got[0] == 200 and b"fraud-detection" in got[1]
    assert f"port {asked} is in use; using {port}" in said[0]


def test_forward_command_refuses_a_bad_port(demo_env):
    proc = subprocess.run(
        [*SM, "forward", "fraud-detection", "--local-port", "0"],
        env=demo_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == "sm-spaces: --local-port must be between 1 and 65535"


# --- the right page for each app type (issue 13, item 5) --------------------------------------


@pytest.mark.parametrize(
    "space, app_type, path, other",
    [
        ("fraud-detection", "JupyterLab", LAB, "/codeeditor/default/"),
        ("time-series", "CodeEditor", "/codeeditor/default/", LAB),
    ],
)
async def test_the_forward_finds_which_ide_the_space_serves(svc, space, app_type, path, other):
    # Without the caller's word (as the TUI's `f` calls it): the space's server is asked.
    running = await _running(svc, space)
    async with _forward(svc, running, local_port=0) as fwd:
        assert fwd.app_type == app_type
        assert fwd.url == f"http://localhost:{fwd.local_port}{path}"
        status, body = await _get(fwd.url.replace("localhost", "127.0.0.1"))
        assert status == 200 and space in body
        assert (await _get(f"http://127.0.0.1:{fwd.local_port}{other}"))[0] == 404


async def test_a_wrong_guess_of_the_app_type_is_corrected_by_the_server(svc):
    running = await _running(svc, "time-series")
    async with _forward(svc, running, local_port=0, app_type="JupyterLab") as fwd:
        assert fwd.app_type == "CodeEditor" and fwd.app_name == "Code Editor"
        assert fwd.url.endswith("/codeeditor/default/")


def test_forward_command_serves_a_code_editor_space_at_its_own_path(demo_env):
    with _forward_command(demo_env, "time-series") as (url, got, said):
        assert url.endswith("/codeeditor/default/")
        assert got[0] == 200 and b"Code Editor" in got[1]
    assert "to Code Editor of time-series" in said[0]


@contextlib.contextmanager
def _code_editor_base(server: DemoServer, base: str):
    """Code Editor serves under `base` on the (module-wide) served account for the block's length."""
    bases = server.hosts.web_bases
    before = bases["CodeEditor"]
    bases["CodeEditor"] = base
    try:
        yield
    finally:
        bases["CodeEditor"] = before


def test_forward_command_finds_a_custom_images_code_editor_path(served, tmp_path):
    # AWS's guide to custom Code Editor images has them serve under /CodeEditor/default, SageMaker
    # Distribution under /codeeditor/default: the forward finds whichever the space serves.
    from sm_spaces.demo.space_web import CUSTOM_CODE_EDITOR_BASE

    server, env = served
    env = dict(env, SM_SPACES_CONFIG_DIR=str(tmp_path / "config"))
    with (
        _code_editor_base(server, CUSTOM_CODE_EDITOR_BASE),
        _forward_command(env, "time-series") as (
            url,
            got,
            said,
        ),
    ):
        assert url.endswith("/CodeEditor/default/")
        assert got[0] == 200 and b"Code Editor" in got[1]
    assert "to Code Editor of time-series" in said[0]


def test_forward_command_says_when_no_ide_page_answers(served, tmp_path):
    # A space whose IDE answers at neither path (a custom image elsewhere, or still starting):
    # the URL is a guess from the app type, and the command says so.
    server, env = served
    env = dict(env, SM_SPACES_CONFIG_DIR=str(tmp_path / "config"))
    with _code_editor_base(server, "/somewhere/else"):
        proc = subprocess.Popen(
            [*SM, "forward", "time-series"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            url = proc.stdout.readline().strip()
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=30) == 0
            err = proc.stderr.read()
        finally:
            if proc.poll() is None:
                proc.kill()
    assert url.endswith("/codeeditor/default/")
    assert (
        "port 8888 of time-series answers no JupyterLab or Code Editor page (yet); "
        "the URL is Code Editor's usual one" in err
    )
    assert "Traceback" not in err
