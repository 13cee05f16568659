"""A tiny HTTP/1.1 responder standing in for the IDE on the simulated space's port 8888.

Each app type serves under its own base path, as in SageMaker Distribution's images
(github:aws/sagemaker-distribution, template/v2/dirs/usr/local/bin/start-jupyter-server and
start-code-editor): both servers listen on port 8888 with the base path
`/$SAGEMAKER_APP_TYPE_LOWERCASE/default`. JupyterLab's UI is `lab` under it; Code Editor
(Code-OSS) serves its workbench at the base path itself. AWS's guide to custom Code Editor images
(SageMaker developer guide, code-editor-custom-images) has them start with `/CodeEditor/default`
instead: the base is the caller's to choose (CUSTOM_CODE_EDITOR_BASE), so the client can be tested
against both. Anything else is a 404, as the real servers answer for paths outside their base.

It speaks over any pair of byte streams (asyncio streams from a socket pair, or asyncssh streams of
a forwarded channel), so it needs no listening socket of its own.
"""

from __future__ import annotations

import contextlib
import html

LAB_PATH = "/jupyterlab/default/lab"
CODE_EDITOR_PATH = "/codeeditor/default/"
MAX_HEADER_LINES = 100
MAX_BODY = 1024 * 1024
_PRODUCTS = {"JupyterLab": "JupyterLab", "CodeEditor": "Code Editor"}


def base_path(app_type: str) -> str:
    return f"/{app_type.lower()}/default"


WEB_BASES = {app: base_path(app) for app in _PRODUCTS}  # SageMaker Distribution's
CUSTOM_CODE_EDITOR_BASE = "/CodeEditor/default"  # a custom image's, as AWS's guide writes it


def app_page(space_name: str, app_type: str = "JupyterLab") -> bytes:
    name, product = html.escape(space_name), _PRODUCTS.get(app_type, app_type)
    return (
        f"<!DOCTYPE html>\n<html><head><title>{product} - {name}</title></head>\n"
        f"<body><h1>{product}</h1><p>Simulated space <b>{name}</b> is running.</p></body></html>\n"
    ).encode()


def _response(status: str, body: bytes, extra: str = "", keep_alive: bool = True) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n{extra}"
        f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n"
    )
    return head.encode("ascii") + body


async def serve_http(
    reader, writer, space_name: str, app_type: str = "JupyterLab", base: str | None = None
) -> None:
    """Answer requests on one connection until the client closes it or asks to; `base`: the app's
    base path (default: SageMaker Distribution's for `app_type`)."""
    try:
        while True:
            request_line = await reader.readline()
            if not request_line:
                return
            parts = request_line.decode("latin-1").split()
            headers: dict[str, str] = {}
            for _ in range(MAX_HEADER_LINES):
                line = await reader.readline()
                if line in (b"\r\n", b"\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0") or 0)
            if 0 < length <= MAX_BODY:
                await reader.readexactly(length)
            keep_alive = headers.get("connection", "").lower() != "close" and len(parts) == 3
            writer.write(_answer(parts, space_name, app_type, base or base_path(app_type), keep_alive))
            await writer.drain()
            if not keep_alive:
                return
    except (ConnectionError, ValueError, EOFError, OSError):
        return
    except Exception as exc:  # asyncssh stream errors share no base class with the above
        if type(exc).__name__ not in ("IncompleteReadError", "ChannelOpenError", "DisconnectError"):
            raise
    finally:
        with contextlib.suppress(Exception):
            writer.close()


def _answer(parts: list[str], space_name: str, app_type: str, base: str, keep_alive: bool) -> bytes:
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        return _response("400 Bad Request", b"bad request\n", keep_alive=False)
    method, target = parts[0], parts[1].split("?", 1)[0]
    if method not in ("GET", "HEAD"):
        return _response("405 Method Not Allowed", b"", "Allow: GET, HEAD\r\n", keep_alive)
    if app_type == "CodeEditor":
        page, redirects = base + "/", {base}
    else:
        page, redirects = base + "/lab", {base, base + "/"}
    if target in redirects:  # the bare base path leads to the app's page
        return _response("302 Found", b"", f"Location: {page}\r\n", keep_alive)
    if target.rstrip("/") == page.rstrip("/"):
        body = app_page(space_name, app_type)
        response = _response("200 OK", body, keep_alive=keep_alive)
        return response[: len(response) - len(body)] if method == "HEAD" else response
    return _response("404 Not Found", b"not found\n", keep_alive=keep_alive)
