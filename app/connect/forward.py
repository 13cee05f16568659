"""Local port forwards to a space (JupyterLab on 8888 by default), over our own data channel.

One `Forward` is one asyncssh connection through a fresh SSM channel plus one listener on
127.0.0.1. The CLI's `forward` serves one until Ctrl-C; the TUI can keep several, list them and
close them one by one, so the object knows its space, its ports and its URL.

    fwd = Forward(lambda: open_channel(svc, space.arn), space.alias, label=space.name)
    await fwd.start()          # picks the next free local port when the asked one is taken
    print(fwd.url)             # http://localhost:PORT/jupyterlab/default/lab
    await fwd.close()
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..ssm.channel import DataChannel

LISTEN_HOST = "127.0.0.1"  # never another interface: the forward carries the user's session
JUPYTER_PORT = 8888
JUPYTER_PATH = "/jupyterlab/default/lab"
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
        self._stack: contextlib.AsyncExitStack | None = None
        self._conn: Any = None
        self._listener: Any = None

    # --- state ----------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """What to open in a browser, or enter as VS Code's "Existing Jupyter Server"."""
        if self.local_port is None:
            raise ForwardError("the forward is not started")
        path = JUPYTER_PATH if self.remote_port == JUPYTER_PORT else "/"
        return f"http://localhost:{self.local_port}{path}"

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
