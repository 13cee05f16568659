"""The simulated space's own machine: an SSH server and its IDE's stand-in on port 8888.

Nothing here listens on a TCP port. The agent asks `SpaceHost.open_port(n)` for a connection, and
gets one end of a socket pair whose other end is served in-process: asyncssh (shell with a PTY,
exec, sftp and scp, all confined to a per-space temporary home) on port 22, a tiny HTTP responder
on port 8888. SSH port forwards to port 8888 reach the same responder without leaving the process.
Commands run as the developer's own user, with a minimal environment (no AWS credentials) and
HOME set to the space's temporary home.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import asyncssh

from .space_processes import run_process
from .space_web import WEB_BASES, base_path, serve_http

log = logging.getLogger(__name__)

SSH_PORT = 22
WEB_PORT = 8888
REMOTE_USER = "sagemaker-user"
STREAM_LIMIT = 1024 * 1024


def space_name_of(space_arn: str) -> str:
    return space_arn.rsplit("/", 1)[-1]


class SpaceHost:
    """One space's machine: a stable host key and a temporary home directory."""

    def __init__(
        self,
        space_arn: str,
        home: Path,
        host_key: asyncssh.SSHKey,
        down: set[int] | None = None,
        app_type: str = "JupyterLab",
        web_bases: dict[str, str] | None = None,
    ) -> None:
        self.space_arn = space_arn
        self.down = down if down is not None else set()  # ports whose server is not running
        self.space_name = space_name_of(space_arn)
        self.app_type = app_type  # which IDE answers on port 8888 (app.demo.space_web)
        # Each app's base path, shared by every host (SpaceHosts.web_bases), for tests to switch.
        self.web_bases = web_bases if web_bases is not None else dict(WEB_BASES)
        self.home = home
        self.host_key = host_key
        self._tasks: set[asyncio.Task] = set()

    async def open_port(self, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """A connection to `port` on the space; ConnectionRefusedError if nothing serves it."""
        if port not in (SSH_PORT, WEB_PORT) or port in self.down:
            raise ConnectionRefusedError(f"nothing listens on port {port} in space {self.space_name}")
        ours, theirs = socket.socketpair()
        serve = self._serve_ssh(theirs) if port == SSH_PORT else self._serve_web(theirs)
        task = asyncio.create_task(serve)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return await asyncio.open_connection(sock=ours, limit=STREAM_LIMIT)

    async def _serve_web(self, sock: socket.socket) -> None:
        reader, writer = await asyncio.open_connection(sock=sock)
        await serve_http(reader, writer, self.space_name, self.app_type, self.web_base)

    @property
    def web_base(self) -> str:
        return self.web_bases.get(self.app_type, base_path(self.app_type))

    async def _serve_ssh(self, sock: socket.socket) -> None:
        host = self

        class _Server(asyncssh.SSHServer):
            def begin_auth(self, username: str) -> bool:
                return False  # SSM already authenticated the caller

            def connection_requested(self, dest_host: str, dest_port: int, orig_host: str, orig_port: int):
                if dest_port == WEB_PORT and dest_host in ("127.0.0.1", "localhost", "::1"):
                    return lambda reader, writer: serve_http(
                        reader, writer, host.space_name, host.app_type, host.web_base
                    )
                raise asyncssh.ChannelOpenError(
                    asyncssh.OPEN_CONNECT_FAILED,
                    f"nothing listens on {dest_host}:{dest_port} in the demo space",
                )

        try:
            conn = await asyncssh.run_server(
                sock,
                server_factory=_Server,
                server_host_keys=[self.host_key],
                process_factory=self._run_process,
                sftp_factory=lambda chan: _HomeSFTPServer(chan, chroot=str(self.home).encode()),
                allow_scp=True,
                encoding=None,
                line_editor=False,
                keepalive_interval=0,
            )
            await conn.wait_closed()
        except (TimeoutError, asyncssh.Error, OSError) as exc:
            log.debug("space SSH connection ended: %s", exc)
        finally:
            sock.close()

    async def _run_process(self, process: asyncssh.SSHServerProcess) -> None:
        # asyncssh runs each session in a task of its own: held here so that close() ends it too,
        # instead of leaving it to be collected (GeneratorExit) once the loop has closed.
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        await run_process(process, self.home, REMOTE_USER)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task


class _HomeSFTPServer(asyncssh.SFTPServer):
    def exit(self) -> None:
        # OpenSSH's scp treats a subsystem that ends without an exit status as a failure.
        with contextlib.suppress(Exception):
            self.channel.exit(0)


class SpaceHosts:
    """Every space's host for the life of the demo process: a restarted space keeps its key."""

    def __init__(self, root: Path | None = None) -> None:
        self._root = root or Path(tempfile.mkdtemp(prefix="sm-spaces-demo-"))
        self._owns_root = root is None
        self._hosts: dict[str, SpaceHost] = {}
        # Ports whose server is down on every space (22: sshd is not running), for tests.
        self.down_ports: set[int] = set()
        # Each app's base path on port 8888: SageMaker Distribution's by default; a test sets
        # CodeEditor's to CUSTOM_CODE_EDITOR_BASE to act as a custom image does.
        self.web_bases: dict[str, str] = dict(WEB_BASES)

    def host_for(self, space_arn: str, app_type: str = "JupyterLab") -> SpaceHost:
        host = self._hosts.get(space_arn)
        if host is None:
            home = self._root / f"{len(self._hosts):03d}-{_safe_name(space_name_of(space_arn))}"
            home.mkdir(mode=0o700, parents=True, exist_ok=True)
            key = asyncssh.generate_private_key("ssh-ed25519")
            host = self._hosts[space_arn] = SpaceHost(
                space_arn, home, key, self.down_ports, app_type, self.web_bases
            )
        return host

    async def open_port(self, session) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """Adapter for DataChannelService: open the session's port on its space."""
        return await self.host_for(session.space_arn, session.app_type).open_port(session.port)

    async def close(self) -> None:
        for host in self._hosts.values():
            await host.close()
            _end_tmux(host.home)
        if self._owns_root:
            shutil.rmtree(self._root, ignore_errors=True)


def _end_tmux(home: Path) -> None:
    """Stop the tmux server a session started on the space (connect --persist; its socket is in
    the home, space_processes.minimal_environment), as stopping the space would."""
    server = home / f"tmux-{os.getuid()}" / "default"
    if server.exists() and shutil.which("tmux"):
        subprocess.run(
            ["tmux", "-S", str(server), "kill-server"], capture_output=True, timeout=10, check=False
        )


def _safe_name(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
    return cleaned[:40] or "space"
