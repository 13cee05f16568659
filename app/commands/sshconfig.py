"""`ssh-config install|show|remove`: the managed block in ~/.ssh/config.

Nothing is written before the user has seen the diff and agreed (or passed --yes); the write
itself is atomic, keeps a backup, and changes no byte outside the block (app.connect.ssh_config).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .common import UsageError, aws_context, confirm, describe_failure, profile_of

if TYPE_CHECKING:
    from ..connect.ssh_block import BlockContext
    from ..model import Space

EXIT_OK, EXIT_FAILED = 0, 1

_EPILOG = """\
install  lists the spaces and writes one alias per space (sm-<space>), plus a sm-* pattern
         for spaces created later, with --profile/--region/--endpoint-url baked into the
         ProxyCommand (`sm-spaces ssh-proxy`). ssh, scp, rsync, sftp and VS Code Remote-SSH
         then reach a space by name: `ssh sm-<space>`. It covers the region in use, the
         regions listed in config.toml's `regions` (those the TUI shows; its R picker saves
         them) and the regions the installed block already covers, and says which; with
         --all-regions, also every region where you have spaces (each region that offers
         SageMaker is asked; later installs keep covering them).
show     prints the installed block and whether it matches what install would write now.
remove   takes the block out again, leaving the file exactly as it was without it.

--demo: the simulated account of --demo lives only as long as this command, so a block pointing
at it would be dead on arrival; `install --demo` therefore only previews (--dry-run). To try the
block for real, run `sm-spaces demo serve --port 4566`, export what it prints in the shell you
ssh from, and run `sm-spaces ssh-config install` there: the endpoint from AWS_ENDPOINT_URL_SAGEMAKER
(or --endpoint-url) is baked into the block; the demo's keys stay in your environment, never in it.
"""


def add_parser(command) -> None:
    p = command("ssh-config", "manage the sm-spaces block in ~/.ssh/config")
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = _EPILOG
    p.add_argument("action", choices=("install", "show", "remove"))
    p.add_argument("--dry-run", action="store_true", help="print the diff, write nothing")
    p.add_argument("--yes", "-y", action="store_true", help="write without asking")
    p.add_argument("--config", metavar="PATH", type=Path, help="the ssh config file (default: ~/.ssh/config)")
    p.add_argument(
        "--all-regions",
        action="store_true",
        help="install: also cover every region where you have spaces (asks each region)",
    )
    p.set_defaults(run=ssh_config_command)


def ssh_config_command(args: argparse.Namespace) -> int:
    from ..connect.ssh_config import SshConfigError, default_config_path
    from ..file_checks import FileRefused

    if args.all_regions and args.action != "install":
        raise UsageError(
            f"--all-regions applies to install; {args.action} covers the regions the block holds"
        )
    path: Path = args.config or default_config_path()
    try:
        if args.action == "install":
            return _install(args, path)
        if args.action == "remove":
            return _remove(args, path)
        return _show(args, path)
    except (SshConfigError, FileRefused) as err:  # damaged markers, conflicts, a FIFO, a read-only file
        print(f"sm-spaces: {err}", file=sys.stderr)
        return EXIT_FAILED


# --- install ----------------------------------------------------------------------------------


def _install(args: argparse.Namespace, path: Path) -> int:
    from ..connect.ssh_config import install

    if getattr(args, "demo", False) and not args.dry_run:
        raise UsageError(
            "`ssh-config install --demo` would point ssh at a simulated account that stops with this "
            "command; preview it with --dry-run, or run `sm-spaces demo serve`, export its environment "
            "and install with --endpoint-url (see `sm-spaces ssh-config --help`)"
        )
    block, coverage = asyncio.run(_block_for_account(args, path))
    if getattr(args, "demo", False):
        print(
            "sm-spaces: preview only: this block points at a simulated account that stops with this command",
            file=sys.stderr,
        )
    plan = install(path, block, dry_run=True)  # raises SshConfigConflict before anything is shown
    print(f"sm-spaces: {coverage}", file=sys.stderr)
    if not plan.changed:
        print(f"{path}: the sm-spaces block is already up to date")
        return EXIT_OK
    return show_diff_and_write(plan, args, verb="install the sm-spaces block in")


async def _block_for_account(args: argparse.Namespace, path: Path) -> tuple[str, str]:
    """The block install would write now, and which regions (and how many spaces) it covers."""
    from ..connect.block_regions import covered_regions, installed_block_at, spaces_in
    from ..connect.ssh_block import BlockContext, expected_block, skipped_warning, split_usable

    context = explicit_block_context(args)
    every = args.action == "install" and args.all_regions
    failed: dict[str, BaseException] = {}
    async with aws_context(args) as (svc, demo):
        regions = covered_regions(svc.region, installed_block_at(path))
        if every:
            asked = list(dict.fromkeys([*regions, *await svc.session.available_regions()]))
            spaces = await spaces_in(svc, asked, failed, mostly_empty=True)
            # The regions it covered anyway, and those where the user has spaces.
            regions = [r for r in asked if r in regions or any(s.region == r for s in spaces)]
        else:
            spaces = await spaces_in(svc, regions)
        endpoint = demo.endpoint_url if demo else context.endpoint_url
        context = BlockContext(context.profile, svc.region, endpoint)
    for region, err in failed.items():
        print(f"sm-spaces: {region} left out: {describe_failure(err)}", file=sys.stderr)
    skipped = split_usable(spaces)[1]
    if skipped:
        print(skipped_warning(skipped), file=sys.stderr)
    return expected_block(spaces, context), _coverage(regions, spaces, every)


def _coverage(regions: list[str], spaces: list[Space], every: bool) -> str:
    def counted(region: str) -> str:
        n = sum(s.region == region for s in spaces)
        return f"{region} ({n} space{'s' if n != 1 else ''})"

    counts = [counted(r) for r in regions]
    listed = counts[0] if len(counts) == 1 else ", ".join(counts[:-1]) + f" and {counts[-1]}"
    if every:
        return f"the block covers every region where you have spaces: {listed}"
    if len(regions) == 1:
        from ..config import settings_path

        return (
            f"the block covers {listed} only; --all-regions adds every region where you have "
            f"spaces, or list regions in `regions` in {settings_path()} (the TUI's R picker saves them)"
        )
    return f"the block covers {listed}"


def explicit_block_context(args: argparse.Namespace) -> BlockContext:
    """Profile, region and endpoint as the user gave them, refused early if they cannot be baked
    safely into ssh_config (they end up in a shell command)."""
    from ..connect.ssh_block import block_context

    try:
        return block_context(
            profile_of(args), getattr(args, "region", None), getattr(args, "endpoint_url", None)
        )
    except ValueError as err:
        raise UsageError(str(err)) from None


# --- remove -----------------------------------------------------------------------------------


def _remove(args: argparse.Namespace, path: Path) -> int:
    from ..connect.ssh_config import remove

    plan = remove(path, dry_run=True)
    if not plan.changed:
        print(f"{path}: no sm-spaces block to remove")
        return EXIT_OK
    return show_diff_and_write(plan, args, verb="remove the sm-spaces block from")


# --- show -------------------------------------------------------------------------------------


def _show(args: argparse.Namespace, path: Path) -> int:
    from ..connect.ssh_block import BlockContext, compare, installed_block
    from ..file_checks import read_regular

    try:
        data = read_regular(path)
    except FileNotFoundError:
        data = b""
    block = installed_block(data)
    if block is None:
        print(f"{path}: no sm-spaces block is installed (add one with: sm-spaces ssh-config install)")
        return EXIT_OK
    sys.stdout.write(block)
    # Judge it against the context it was installed for, unless the user names another one.
    baked = BlockContext.of_block(block)
    if not any(getattr(args, name, None) for name in ("profile", "region", "endpoint_url", "demo")):
        args = argparse.Namespace(
            **{
                **vars(args),
                "profile": baked.profile,
                "region": baked.region,
                "endpoint_url": baked.endpoint_url,
            }
        )
    from ..aws.errors import AwsError

    try:
        status = compare(block, asyncio.run(_block_for_account(args, path))[0])
    except AwsError as err:
        print(f"sm-spaces: cannot tell whether the block is current: {err}", file=sys.stderr)
        return EXIT_FAILED
    print(f"# {path}: {status.describe()} (for {baked.describe()})")
    if not status.current:
        print("# update it with: sm-spaces ssh-config install" + _context_flags(baked))
    return EXIT_OK


def _context_flags(context) -> str:
    flags = [
        ("--profile", context.profile),
        ("--region", context.region),
        ("--endpoint-url", context.endpoint_url),
    ]
    return "".join(f" {flag} {value}" for flag, value in flags if value)


# --- shared -----------------------------------------------------------------------------------


def show_diff_and_write(plan, args: argparse.Namespace, *, verb: str) -> int:
    from ..atomic import backup_path
    from ..connect.ssh_config import write_plan

    sys.stdout.write(_coloured_diff(plan.diff))
    sys.stdout.flush()
    if args.dry_run:
        print(f"(dry run: {plan.path} was not changed)")
        return EXIT_OK
    if not confirm(f"{verb.capitalize()} {plan.path}?", assume_yes=args.yes, action=f"changing {plan.path}"):
        print(f"{plan.path} was not changed", file=sys.stderr)
        return EXIT_FAILED
    written = write_plan(plan)
    if written.deleted:
        print(f"removed {written.path}: sm-spaces had created it and nothing else was in it")
        return EXIT_OK
    backup = backup_path(written.path)
    note = f" (previous version in {backup})" if plan.before and backup.exists() else ""
    print(f"wrote {written.path}{note}")
    return EXIT_OK


def _coloured_diff(diff: str) -> str:
    from .style import Style

    style = Style.for_stream(sys.stdout)
    colours = {"+": "green", "-": "red", "@": "cyan"}
    lines = []
    for line in diff.splitlines():
        colour = None if line.startswith(("+++", "---")) else colours.get(line[:1])
        lines.append(style.paint(line, colour))
    return "\n".join(lines) + "\n" if lines else ""
