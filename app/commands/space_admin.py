"""`create`, `edit` and `delete`: a space's life from the command line.

They ask as `start` and `stop` do: on a terminal, or not at all with --yes; without a terminal and
without --yes they refuse in one line. Delete asks for the space's name to be typed, since it takes
the space's storage with it. Edits that restart a running space (instance type, image) say so.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING

from ..model import Space
from ..space_changes import APP_TYPE_CHOICES, NewSpace, SpaceEdit
from .changes import checked_instance_type, reported_if_interrupted
from .common import UsageError, add_space_argument, aws_context, confirm, progress_printer, terminal_answer
from .lookup import find_space

if TYPE_CHECKING:
    from ..aws.service import SpacesService


def add_parser(command) -> None:
    p = command("create", "create a space (private to a user profile, or shared in its domain)")
    p.add_argument("space", metavar="SPACE")
    p.add_argument("--domain", required=True, help="domain id or name")
    p.add_argument("--app-type", required=True, choices=sorted(APP_TYPE_CHOICES), help="the space's IDE")
    p.add_argument("--instance-type", help="instance type it starts on (default: the domain's)")
    p.add_argument("--storage-gib", type=int, metavar="N", help="EBS volume size (default: the domain's)")
    p.add_argument("--shared", action="store_true", help="a shared space of the domain (default: private)")
    p.add_argument(
        "--user",
        metavar="USER_PROFILE",
        help="owning user profile (default: yours, when Identity Center says which)",
    )
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    p.set_defaults(run=create_command)

    p = command("edit", "change a space's instance type, storage, image or idle shutdown")
    add_space_argument(p)
    p.add_argument("--instance-type", help="instance type (a running space restarts on it)")
    p.add_argument("--storage-gib", type=int, metavar="N", help="EBS volume size; it can only grow")
    p.add_argument("--image", metavar="IMAGE_ARN", help="SageMaker image ARN (a running space restarts)")
    p.add_argument("--idle-timeout", type=int, metavar="MINUTES", help="idle shutdown after MINUTES")
    p.add_argument("--yes", "-y", action="store_true", help="restart or grow storage without asking")
    p.set_defaults(run=edit_command)

    p = command("delete", "delete a space and its storage (a running space is stopped first)")
    add_space_argument(p)
    p.add_argument("--yes", "-y", action="store_true", help="do not ask to type the space's name")
    p.set_defaults(run=delete_command)


async def domain_id_of(svc: SpacesService, text: str) -> str:
    """The id of the domain `text` names (an id or a name) in the region."""
    from ..aws.errors import AwsError
    from ..aws.listing import PAGE, paginate

    domains = await paginate(svc, "ListDomains", "Domains", MaxResults=PAGE)
    found = [d for d in domains if text in (d.get("DomainId"), d.get("DomainName"))]
    if len(found) == 1:
        return str(found[0]["DomainId"])
    names = ", ".join(str(d.get("DomainName") or d.get("DomainId")) for d in domains) or "none"
    what = "several domains are" if found else "no domain is"
    raise AwsError(f"{what} called {text!r} in {svc.region}; domains: {names}", kind="not_found")


def _size(value: int | None, flag: str) -> int | None:
    if value is not None and not 5 <= value <= 16384:
        raise UsageError(f"{flag} must be from 5 to 16384 GiB")
    return value


# --- create ---------------------------------------------------------------------------------------


def create_command(args: argparse.Namespace) -> int:
    instance_type = checked_instance_type(args)
    _size(args.storage_gib, "--storage-gib")
    space = asyncio.run(_create(args, instance_type))
    if space is None:
        print("not created", file=sys.stderr)
        return 1
    print(f"{space.name}: created in {space.domain_name or space.domain_id} ({space.status.value.lower()})")
    return 0


async def _create(args: argparse.Namespace, instance_type: str | None) -> Space | None:
    from ..aws.errors import AwsError
    from ..aws.space_admin import check_storage, owner_for

    async with aws_context(args) as (svc, _):
        domain_id = await domain_id_of(svc, args.domain)
        opts = await svc.space_options(domain_id, owner=args.user, shared=args.shared)
        if args.shared and not opts.shared_allowed:
            raise AwsError(
                f"domain {opts.domain_name} does not allow shared spaces (it has no DefaultSpaceSettings); "
                "create a private one, or ask its administrator",
                kind="validation",
            )
        owner = owner_for(opts, args.user)
        if args.storage_gib is not None:
            check_storage(opts, args.storage_gib)
        new = NewSpace(
            domain_id,
            args.space,
            APP_TYPE_CHOICES[args.app_type],
            owner,
            shared=args.shared,
            instance_type=instance_type,
            storage_gib=args.storage_gib,
        )
        kind = "shared" if args.shared else f"private ({owner}'s)"
        details = ", ".join(
            x
            for x in (
                instance_type,
                f"{args.storage_gib or opts.default_storage_gib} GiB",
                owner if args.shared else "",
            )
            if x
        )
        question = f"Create {kind} {new.app_type} space {new.name} in {opts.domain_name} ({details})?"
        if not confirm(question, assume_yes=args.yes, action=f"creating {new.name}"):
            return None
        return await svc.create_space(new, progress=progress_printer())


# --- delete ---------------------------------------------------------------------------------------


def delete_command(args: argparse.Namespace) -> int:
    gone = asyncio.run(_delete(args))
    if gone is None:
        print("not deleted", file=sys.stderr)
        return 1
    print(f"{gone.name}: deleted from {gone.domain_name or gone.domain_id}")
    return 0


def confirm_by_name(question: str, name: str, *, assume_yes: bool) -> bool:
    """Ask for `name` to be typed; without a terminal, only --yes agrees."""
    if assume_yes:
        return True
    typed = terminal_answer(
        f"{question}\nType the space's name to delete it: ",
        refusal=f"deleting {name} needs confirmation; pass --yes when not on a terminal",
    )
    return typed is not None and typed.strip() == name


async def _delete(args: argparse.Namespace) -> Space | None:
    async with aws_context(args) as (svc, _):
        space = await find_space(svc, args.space, args.domain)
        live = space.app is not None and space.app.status in ("Pending", "InService", "Deleting")
        running = (
            f"It is {space.status.value.lower()}: it is stopped first, and unsaved work is lost. "
            if live
            else ""
        )
        question = (
            f"Delete {space.name} in {space.domain_name or space.domain_id}? {running}"
            "Its storage (the home directory) is deleted with it, for good."
        )
        if not confirm_by_name(question, space.name, assume_yes=args.yes):
            return None
        async with reported_if_interrupted(svc, space, args, "stop"):
            await svc.delete_space(space.domain_id, space.name, progress=progress_printer())
        return space


# --- edit -----------------------------------------------------------------------------------------


def edit_command(args: argparse.Namespace) -> int:
    instance_type = checked_instance_type(args)
    change = SpaceEdit(
        instance_type=instance_type,
        storage_gib=_size(args.storage_gib, "--storage-gib"),
        image=_image(args.image),
        idle_timeout_minutes=args.idle_timeout,
    )
    if change == SpaceEdit():
        raise UsageError("nothing to change: pass --instance-type, --storage-gib, --image or --idle-timeout")
    space = asyncio.run(_edit(args, change))
    if space is None:
        print("not changed", file=sys.stderr)
        return 1
    print(
        f"{space.name}: {space.status.value.lower()} on {space.instance_type or '?'}, "
        f"{space.storage_gib or '?'} GiB, idle shutdown {space.idle_timeout_minutes or '?'} min"
    )
    return 0


def _image(value: str | None) -> str | None:
    from ..aws.known_values import check_image_arn

    if value is None:
        return None
    try:
        return check_image_arn(value)
    except ValueError as err:
        raise UsageError(f"--image: {err}") from None


async def _edit(args: argparse.Namespace, change: SpaceEdit) -> Space | None:
    from ..aws.space_admin import check_edit

    async with aws_context(args) as (svc, _):
        found = await find_space(svc, args.space, args.domain)
        space = await svc.describe_space(found.domain_id, found.name)
        changes = change.changes(space)
        if not changes:
            print(f"{space.name} already has these settings", file=sys.stderr)
            return space
        await check_edit(svc, space, change)
        restarts = change.restarts(space)
        grows = change.storage_gib is not None and change.storage_gib != space.storage_gib
        if restarts or grows:
            notes = []
            if restarts:
                notes.append(f"{space.name} is running: it restarts, and unsaved work is lost")
            if grows:
                notes.append("storage can grow but never shrink")
            question = f"Change {space.name}: {'; '.join(changes)}? ({'; '.join(notes)})"
            if not confirm(question, assume_yes=args.yes, action=f"changing {space.name}"):
                return None
        edit = svc.edit_space(
            space.domain_id, space.name, change, restart=restarts, progress=progress_printer()
        )
        if not restarts:
            return await edit
        async with reported_if_interrupted(svc, space, args, "start"):
            return await edit
