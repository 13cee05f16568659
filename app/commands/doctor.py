"""`doctor`: a preflight checklist — ssh, credentials, region, permissions, DNS, proxies, the
Session Manager plugin and the ssh config block — one line per check, with a fix for each failure."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

_EPILOG = """\
✓ fine   ✗ blocks connecting (exit code 1)   ! works, but worth fixing   – optional, not applicable or untested

Nothing is changed: read permissions are checked with small read calls, write permissions
(CreateApp, DeleteApp, UpdateSpace, StartSession, CreateSpace, DeleteSpace) with
iam:SimulatePrincipalPolicy when you may use it.
"""

SYMBOLS = {"ok": ("✓", "green"), "fail": ("✗", "red"), "warn": ("!", "yellow"), "skip": ("–", "dim")}


def add_parser(command) -> None:
    p = command("doctor", "check ssh, credentials, permissions, endpoints and the ssh config")
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = _EPILOG
    p.add_argument(
        "--config", metavar="PATH", type=Path, help="the ssh config file to check (default: ~/.ssh/config)"
    )
    p.set_defaults(run=doctor_command)


def doctor_command(args: argparse.Namespace) -> int:
    from ..connect.doctor import exit_code

    header, checks = asyncio.run(_run(args))
    print(render(header, checks, stream=sys.stdout))
    return exit_code(checks)


async def _run(args: argparse.Namespace):  # -> tuple[str, list[Check]]
    from ..aws.errors import AwsError
    from ..connect.doctor import Check, DoctorContext, Status, run_checks
    from ..connect.doctor_local import check_ssh
    from ..connect.ssh_block import effective_endpoint
    from ..connect.ssh_config import default_config_path
    from .common import aws_context, profile_of

    try:
        # known_region=False: the region gets a check of its own (a warning with an endpoint URL).
        async with aws_context(
            args, demo_delay=0.0, known_region=False, connect_timeout=5.0, read_timeout=15.0
        ) as (svc, demo):
            ctx = DoctorContext(
                svc=svc,
                profile=None if demo else profile_of(args),
                endpoint_url=demo.endpoint_url
                if demo
                else effective_endpoint(getattr(args, "endpoint_url", None)),
                demo=demo is not None,
                config_path=args.config or default_config_path(),
                explicit_config=args.config is not None,
            )
            return _header(ctx), await run_checks(ctx)
    except AwsError as err:  # no region, a profile that does not exist: nothing else can be asked
        return "sm-spaces doctor", [check_ssh(), Check("AWS context", Status.FAIL, err.message, err.fix)]


def _header(ctx) -> str:
    where = (
        "the simulated account"
        if ctx.demo
        else (f"AWS profile {ctx.profile}" if ctx.profile else "the default credential chain")
    )
    parts = [where, f"region {ctx.svc.region}"]
    if ctx.endpoint_url:
        parts.append(f"endpoint {ctx.endpoint_url}")
    return "sm-spaces doctor — " + ", ".join(parts)


def render(header: str, checks: list, *, stream=None) -> str:
    from .style import Style

    style = Style.for_stream(stream or sys.stdout)
    width = max((len(c.name) for c in checks), default=0)
    lines = [style.paint(header, "bold"), ""]
    for check in checks:
        symbol, colour = SYMBOLS[check.status.value]
        name = check.name.ljust(width)
        lines.append(f"  {style.paint(symbol, colour)} {name}  {check.detail}")
        if check.fix and check.status.value in ("fail", "warn"):
            lines.append(f"    {' ' * width}  {style.paint('fix:', colour)} {check.fix}")
    failed = sum(c.status.value == "fail" for c in checks)
    warned = sum(c.status.value == "warn" for c in checks)
    lines.append("")
    if failed:
        lines.append(style.paint(f"{failed} problem{'s' if failed != 1 else ''} block connecting", "red"))
    elif warned:
        lines.append(
            style.paint(
                f"ready to connect; {warned} thing{'s' if warned != 1 else ''} worth fixing", "yellow"
            )
        )
    else:
        lines.append(style.paint("ready to connect", "green"))
    return "\n".join(lines)
