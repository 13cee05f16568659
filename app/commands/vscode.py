"""`connect SPACE --vscode [--editor code|cursor]`: open the space in VS Code (or Cursor) Remote-SSH.

Steps: start the space if needed (as connect does), make sure the ssh config block holds the space's
alias (same diff and consent as `ssh-config install`), then run
`code --remote ssh-remote+<alias> /home/sagemaker-user`. Not a sub-command of its own: connect's
parser registers the flags and hands over here.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys

from .common import UsageError, aws_context

EXIT_OK, EXIT_FAILED = 0, 1


def vscode_command(args: argparse.Namespace) -> int:
    from ..connect.editor import EditorMissing, find_editor
    from ..connect.ssh_config import SshConfigError

    if args.cmd:
        raise UsageError("--vscode opens an editor on the space; it takes no command after --")
    if getattr(args, "demo", False):
        raise UsageError(
            "--vscode cannot use --demo: the editor outlives this command, and the simulated "
            "account with it; run `sm-spaces demo serve`, export what it prints, and try again"
        )
    try:
        editor, executable = find_editor(args.editor)  # before anything starts: fail fast and cheap
    except EditorMissing as err:
        print(f"sm-spaces: {err}", file=sys.stderr)
        return EXIT_FAILED
    try:
        alias = asyncio.run(_prepare(args))
    except SshConfigError as err:  # a conflicting Host, damaged markers, a file changed underneath
        print(f"sm-spaces: {err}", file=sys.stderr)
        return EXIT_FAILED
    if alias is None:
        return EXIT_FAILED
    _tip_once(editor, alias)
    print(f"opening {alias} in {editor.product}", file=sys.stderr)
    return subprocess.run(editor.argv(executable, alias), check=False, stdin=subprocess.DEVNULL).returncode


async def _prepare(args: argparse.Namespace) -> str | None:
    """Start the space if needed and install the alias; the alias, or None when the user declined."""
    from ..connect.block_regions import covered_regions, installed_block_at, spaces_in
    from ..connect.ssh_block import BlockContext, expected_block
    from ..connect.ssh_config import block_aliases, default_config_path, install
    from .connect import running_space
    from .sshconfig import explicit_block_context, show_diff_and_write

    context = explicit_block_context(args)  # refuses a profile/region/endpoint unsafe to bake in
    path = default_config_path()
    async with aws_context(args) as (svc, _):
        space = await running_space(svc, args, f"open it in {args.editor or 'an editor'}")
        # The same regions as `ssh-config install`, so opening one space keeps the others' aliases.
        spaces = await spaces_in(svc, covered_regions(svc.region, installed_block_at(path)))
        block = expected_block(spaces, BlockContext(context.profile, svc.region, context.endpoint_url))
    if space.alias not in block_aliases(block):  # listed before the space existed, or filtered out
        raise UsageError(f"{space.name} is missing from the listing the ssh config block is made from; retry")
    plan = install(path, block, dry_run=True)
    if plan.changed:
        print(f"{space.alias} needs the sm-spaces block in {plan.path}:", file=sys.stderr)
        written = show_diff_and_write(
            plan, argparse.Namespace(dry_run=False, yes=args.yes), verb="install the sm-spaces block in"
        )
        if written != EXIT_OK:
            return None
    return space.alias


def _tip_once(editor, alias: str) -> None:
    """The serverInstallPath tip, until the user's settings have it for this alias."""
    from ..connect.editor import server_install_path_set, server_install_path_tip

    if not server_install_path_set(editor, alias):
        print(server_install_path_tip(editor, alias), file=sys.stderr)
