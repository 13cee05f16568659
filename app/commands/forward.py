"""`forward SPACE`: the space's JupyterLab or Code Editor (or any port of it) on 127.0.0.1, until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import sys

from .changes import add_start_options
from .common import UsageError, add_space_argument, aws_context

_EPILOG = """\
The forward runs in this process (asyncssh over the SSM data channel); no ssh config is needed.
Port 8888 is the space's IDE: the URL printed is JupyterLab's (/jupyterlab/default/lab) or Code
Editor's (/codeeditor/default/), whichever the space runs. Open it in a browser; JupyterLab's also
works in VS Code as "Existing Jupyter Server" (Jupyter: Select Kernel > Existing Jupyter Server).
If the local port is taken, the next free one is used. Ctrl-C ends the forward.
"""


def add_parser(command) -> None:
    p = command(
        "forward", "forward a port of a space (its JupyterLab or Code Editor by default) to 127.0.0.1"
    )
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = _EPILOG
    add_space_argument(p)
    p.add_argument(
        "--local-port",
        type=int,
        metavar="N",
        help="port on 127.0.0.1 (default: the remote port, or the next free one)",
    )
    p.add_argument(
        "--remote-port",
        type=int,
        default=8888,
        metavar="N",
        help="port on the space (default 8888: its JupyterLab or Code Editor)",
    )
    add_start_options(p)
    p.set_defaults(run=forward_command)


def forward_command(args: argparse.Namespace) -> int:
    from .changes import checked_instance_type

    checked_instance_type(args)
    for name in ("local_port", "remote_port"):
        value = getattr(args, name)
        if value is not None and not 1 <= value <= 65535:
            raise UsageError(f"--{name.replace('_', '-')} must be between 1 and 65535")
    try:
        return asyncio.run(_forward(args))
    except KeyboardInterrupt:  # Ctrl-C is how a forward normally ends
        print("forward closed", file=sys.stderr)
        return 0


async def _forward(args: argparse.Namespace) -> int:
    from ..connect.forward import Forward, ForwardError
    from ..connect.session import open_channel
    from .connect import running_space

    async with aws_context(args) as (svc, _):
        space = await running_space(svc, args, "forward a port")
        forward = Forward(
            lambda: open_channel(svc, space.arn),
            space.alias,
            remote_port=args.remote_port,
            local_port=args.local_port,
            label=space.name,
            app_type=space.app_type,
        )
        try:
            await forward.start()
        except ForwardError as err:
            print(f"sm-spaces: {err}", file=sys.stderr)
            return 1
        try:
            if forward.moved:
                print(f"port {forward.asked_port} is in use; using {forward.local_port}", file=sys.stderr)
            print(
                f"forwarding 127.0.0.1:{forward.local_port} to {forward.app_name} of {space.name}; "
                "Ctrl-C to stop",
                file=sys.stderr,
            )
            if forward.guessed:
                print(
                    f"sm-spaces: port {forward.remote_port} of {space.name} answers no JupyterLab or "
                    f"Code Editor page (yet); the URL is {forward.app_name}'s usual one",
                    file=sys.stderr,
                )
            print(forward.url, flush=True)
            await forward.wait_closed()
        finally:
            await forward.close()
    print(f"sm-spaces: the connection to {space.name} closed", file=sys.stderr)
    return 1
