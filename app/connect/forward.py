"""Local port forwards to a space (its IDE on 8888 by default), over our own data channel.

One `Forward` is one asyncssh connection through a fresh SSM channel plus one listener on
127.0.0.1. The CLI's `forward` serves one until Ctrl-C; the TUI can keep several, list them and
close them one by one, so the object knows its space, its ports and its URL.

    fwd = Forward(lambda: open_channel(svc, space.arn), space.alias, label=space.name)
    await fwd.start()          # picks the next free local port when the asked one is taken
    print(fwd.url)             # http://localhost:PORT/jupyterlab/default/lab, or Code Editor's

Port 8888 serves a JupyterLab or a Code Editor, each under its own path. Which one is asked of the
space's server itself once the forward is up (one GET per app, at once, through the same SSH
connection), so every caller gets the right URL whether or not it says the space's app type.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..ssm.channel import DataChannel

log = logging.getLogger(__name__)

LISTEN_HOST = "127.0.0.1"  # never another interface: the forward carries the user's session
JUPYTER_PORT = 8888  # where a space's IDE listens, whichever app it is
JUPYTER_PATH = "/jupyterlab/default/lab"
CODE_EDITOR_PATH = "/codeeditor/default/"
# Each app's page on port 8888, most likely first. SageMaker Distribution's images start both
# servers with the base path `/<app type in lower case>/default` (github:aws/sagemaker-distribution,
# template/v2/dirs/usr/local/bin/start-jupyter-server and start-code-editor); JupyterLab's UI is
# `lab` under it, Code Editor's workbench the base path itself. A custom Code Editor image is told
# to use `CodeEditor/default` (AWS's SageMaker developer guide, "Custom images" for Code Editor:
# code-editor-custom-images), so that spelling is asked too.
APP_PATHS = {"JupyterLab": (JUPYTER_PATH,), "CodeEditor": (CODE_EDITOR_PATH, "/CodeEditor/default/")}
APP_NAMES = {"JupyterLab": "JupyterLab", "CodeEditor": "Code Editor"}
# How long the space's server has to say which app it is, before the caller's word is taken.
PROBE_TIMEOUT_S = 10.0
# How many ports above the asked one to try before giving up.
PORT_SEARCH_SPAN = 100


class ForwardError(Exception):
    """The forward could not be set up; the message is one line for the user."""


class Forward:
    def __init__(
        self,
        open_channel: Callable[[], Awaitable[DataChannel]],
        host_alias: str,
        *,
        remote_port: int = JUPYTER_PORT,
        local_port: int | None = None,
        label: str | None = None,
        app_type: str | None = None,
    ) -> None:
        _check_port(remote_port, "remote port")
        if local_port is not None and local_port != 0:
            _check_port(local_port, "local port")
        self._open_channel = open_channel
        self.host_alias = host_alias
        self.label = label or host_alias
        self.remote_port = remote_port
        self.asked_port = local_port if local_port else remote_port
        self.local_port: int | None = None
        # The space's app (JupyterLab, CodeEditor): the caller's word until the server has answered.
        self.app_type = app_type
        # The page the space's server answered at (None: it has not, or nothing answered).
        self.served_path: str | None = None
        self._stack: contextlib.AsyncExitStack | None = None
        self._conn: Any = None
        self._listener: Any = None

    # --- state ----------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """What to open in a browser (for JupyterLab, also VS Code's "Existing Jupyter Server")."""
        if self.local_port is None:
            raise ForwardError("the forward is not started")
        return f"http://localhost:{self.local_port}{self.path}"

    @property
    def path(self) -> str:
        if self.remote_port != JUPYTER_PORT:
            return "/"
        if self.served_path is not None:
            return self.served_path
        return APP_PATHS.get(self.app_type or "JupyterLab", (JUPYTER_PATH,))[0]

    @property
    def guessed(self) -> bool:
        """Whether the URL is the app type's usual page, not one the space's server answered at."""
        return self.remote_port == JUPYTER_PORT and self.local_port is not None and self.served_path is None

    @property
    def app_name(self) -> str:
        """What the URL opens, for messages: "JupyterLab", "Code Editor", or "port N"."""
        if self.remote_port != JUPYTER_PORT:
            return f"port {self.remote_port}"
        return APP_NAMES.get(self.app_type or "JupyterLab", self.app_type or "JupyterLab")

    @property
    def active(self) -> bool:
        return self._listener is not None

    @property
    def moved(self) -> bool:
        """True when the asked local port was taken and another one is used."""
        return self.local_port is not None and self.local_port != self.asked_port

    def describe(self) -> str:
        return f"{self.label}: localhost:{self.local_port} -> {self.remote_port}"

    # --- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        from .inprocess import ssh_connection

        if self._stack is not None:
            raise ForwardError("the forward is already started")
        stack = contextlib.AsyncExitStack()
        try:
            self._conn = await stack.enter_async_context(ssh_connection(self._open_channel, self.host_alias))
            self._listener = await self._listen()
            if self.remote_port == JUPYTER_PORT:
                served = await self._served_page()
                if served is not None:
                    self.app_type, self.served_path = served
        except BaseException:
            self._conn = self._listener = None
            await stack.aclose()
            raise
        self._stack = stack

    async def _listen(self) -> Any:
        last = min(self.asked_port + PORT_SEARCH_SPAN, 65535)
        for port in range(self.asked_port, last + 1):
            try:
                listener = await self._conn.forward_local_port(
                    LISTEN_HOST, port, "localhost", self.remote_port
                )
            except OSError as err:
                if err.errno in (errno.EADDRINUSE, errno.EACCES):
                    continue
                raise ForwardError(f"cannot listen on {LISTEN_HOST}:{port}: {err.strerror or err}") from None
            self.local_port = listener.get_port()
            return listener
        raise ForwardError(
            f"no free local port between {self.asked_port} and {last}; pass another one with --local-port"
        )

    async def _served_page(self) -> tuple[str, str] | None:
        """(app type, path) of the page the space's port 8888 serves, or None when no page answers
        in time. Every candidate is asked at once; the caller's guess wins a tie."""
        order = sorted(APP_PATHS, key=lambda app: app != self.app_type)
        candidates = [(app, path) for app in order for path in APP_PATHS[app]]
        answers = await asyncio.gather(*(self._answers(path) for _app, path in candidates))
        return next((c for c, ok in zip(candidates, answers, strict=True) if ok), None)

    async def _answers(self, path: str) -> bool:
        """Whether GET `path` on the space's web port answers with a page (status below 400)."""
        try:
            async with asyncio.timeout(PROBE_TIMEOUT_S):
                reader, writer = await self._conn.open_connection("localhost", self.remote_port)
                try:
                    request = f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    writer.write(request.encode("ascii"))
                    status_line = await reader.readline()
                finally:
                    writer.close()
        except Exception as exc:  # nothing listening, a refused channel, a timeout: not this app
            log.debug("asking port %s for %s failed: %r", self.remote_port, path, exc)
            return False
        parts = status_line.split()
        return len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < 400

    async def wait_closed(self) -> None:
        """Until the connection to the space ends (closed here, or lost)."""
        if self._conn is not None:
            await self._conn.wait_closed()

    async def close(self) -> None:
        stack, self._stack = self._stack, None
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
            with contextlib.suppress(Exception):
                await listener.wait_closed()
        if stack is not None:
            with contextlib.suppress(Exception):
                await stack.aclose()
        self._conn = None

    async def __aenter__(self) -> Forward:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class Forwards:
    """The open forwards of a session (the TUI's list): add, find by space, close one or all."""

    def __init__(self) -> None:
        self._items: list[Forward] = []

    def __iter__(self) -> Iterator[Forward]:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    async def open(self, forward: Forward) -> Forward:
        await forward.start()
        self._items.append(forward)
        return forward

    async def close(self, forward: Forward) -> None:
        if forward in self._items:
            self._items.remove(forward)
        await forward.close()

    async def close_all(self) -> None:
        items, self._items = self._items, []
        await asyncio.gather(*(f.close() for f in items), return_exceptions=True)


def _check_port(port: int, what: str) -> None:
    if not isinstance(port, int) or not 1 <= port <= 65535:
        raise ForwardError(f"{what} must be between 1 and 65535")
