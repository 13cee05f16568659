"""`sm-spaces demo serve`: run the simulated account in the foreground and print its environment.

The printed lines are shell `export`s, so `eval "$(sm-spaces demo serve)"` style use and copy-paste
both work; the credentials are random per run and worthless outside this process.
"""

from __future__ import annotations

import asyncio
import shlex
import sys
from collections import Counter

from .account import DemoAccount
from .server import DemoServer


def export_lines(server: DemoServer) -> list[str]:
    regions = Counter(d.region for d in server.account.domains.values())
    where = ", ".join(f"{region} ({count})" for region, count in sorted(regions.items()))
    spaces = sum(len(d.spaces) for d in server.account.domains.values())
    lines = [f"# sm-spaces demo account {server.account.account_id}; {spaces:,} spaces, domains in {where}"]
    lines += [f"export {name}={shlex.quote(value)}" for name, value in server.env().items()]
    lines.append("# Ctrl-C stops the server.")
    return lines


async def _serve_forever(server: DemoServer) -> None:
    async with server:
        print("\n".join(export_lines(server)), flush=True)
        await asyncio.Event().wait()


def serve(
    port: int | None,
    transition_delay: float,
    *,
    sso_user: str | None = None,
    hostile: bool = False,
    size: tuple[int, int] | None = None,
) -> int:
    """Serve until Ctrl-C; 0 on a clean stop, 1 when the server cannot start. With `size`
    (domains, spaces in each), a generated account (DemoAccount.generate) instead of the seeded one."""
    account = DemoAccount.generate(*size) if size else DemoAccount.seeded()
    if sso_user:
        account.use_sso_user(sso_user)
    server = DemoServer(account, port=port or 0, transition_delay=transition_delay)
    if hostile:
        from . import hostile_data

        server.hostile = hostile_data.install(account)
    try:
        asyncio.run(_serve_forever(server))
    except KeyboardInterrupt:
        print("# demo server stopped", file=sys.stderr)
        return 0
    except OSError as error:
        print(
            f"sm-spaces: cannot start the demo server on 127.0.0.1:{port or 0}: {error.strerror or error}. "
            "Choose another --port.",
            file=sys.stderr,
        )
        return 1
    return 0
