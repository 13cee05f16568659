"""The simulated space's web server answers each app type at its own base path, as SageMaker
Distribution's start scripts configure JupyterLab and Code Editor (see app/demo/space_web.py)."""

from __future__ import annotations

import asyncio

import pytest
from sm_spaces.demo.space_web import serve_http


async def _ask(app_type: str, path: str, base: str | None = None) -> tuple[int, dict[str, str]]:
    """GET `path` from the responder over a socket pair; (status, headers)."""
    import socket

    ours, theirs = socket.socketpair()
    server_reader, server_writer = await asyncio.open_connection(sock=theirs)
    serving = asyncio.create_task(serve_http(server_reader, server_writer, "demo-space", app_type, base))
    reader, writer = await asyncio.open_connection(sock=ours)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    head = (await reader.read()).split(b"\r\n\r\n", 1)[0].decode().split("\r\n")
    writer.close()
    await serving
    headers = dict(line.split(": ", 1) for line in head[1:])
    return int(head[0].split()[1]), headers


@pytest.mark.parametrize(
    "app_type, path, status, location",
    [
        ("JupyterLab", "/jupyterlab/default/lab", 200, None),
        ("JupyterLab", "/jupyterlab/default", 302, "/jupyterlab/default/lab"),
        ("JupyterLab", "/jupyterlab/default/", 302, "/jupyterlab/default/lab"),
        ("JupyterLab", "/codeeditor/default/", 404, None),
        ("JupyterLab", "/", 404, None),
        ("CodeEditor", "/codeeditor/default/", 200, None),
        ("CodeEditor", "/codeeditor/default/?folder=/home/sagemaker-user", 200, None),
        ("CodeEditor", "/codeeditor/default", 302, "/codeeditor/default/"),
        ("CodeEditor", "/jupyterlab/default/lab", 404, None),
    ],
)
async def test_each_app_answers_under_its_own_base_path(app_type, path, status, location):
    got, headers = await _ask(app_type, path)
    assert got == status
    assert headers.get("Location") == location


@pytest.mark.parametrize(
    "path, status, location",
    [
        ("/CodeEditor/default/", 200, None),
        ("/CodeEditor/default", 302, "/CodeEditor/default/"),
        ("/codeeditor/default/", 404, None),  # paths are case-sensitive
    ],
)
async def test_a_custom_code_editor_image_answers_at_the_base_it_was_given(path, status, location):
    from sm_spaces.demo.space_web import CUSTOM_CODE_EDITOR_BASE

    got, headers = await _ask("CodeEditor", path, CUSTOM_CODE_EDITOR_BASE)
    assert got == status
    assert headers.get("Location") == location
