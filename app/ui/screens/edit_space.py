"""`E`: edit a space's instance type, storage, image and idle shutdown in one form, each checked
against what the domain allows as it is typed; enter saves what changed."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from ...model import Space, SpaceStatus, remote_access_upgrade
from ...space_changes import IdleBounds, SpaceEdit, SpaceOptions
from ..widgets.labels import MUTED
from .dialog import FormDialog


def edit_problems(
    space: Space, opts: SpaceOptions, idle: IdleBounds, instance: str, storage: str, image: str, minutes: str
) -> list[str]:
    """What is wrong with the form's values, one phrase each."""
    from ...aws.api import check_image_arn, is_instance_type

    found = []
    if instance and not is_instance_type(instance):
        found.append(f"{instance} is not a SageMaker instance type for spaces")
    elif instance and space.remote_access and (bigger := remote_access_upgrade(instance)):
        found.append(f"{instance} is too small for remote access; use {bigger}")
    try:
        gib = int(storage)
        if gib < (space.storage_gib or 5):
            found.append(f"storage cannot shrink below {space.storage_gib} GiB")
        elif gib > opts.max_storage_gib:
            found.append(f"storage is at most {opts.max_storage_gib} GiB (the domain's maximum)")
    except ValueError:
        found.append("storage is whole GiB")
    if image:
        try:
            check_image_arn(image)
        except ValueError:
            found.append("the image is a SageMaker image ARN (…:image/<name>)")
    try:
        idle.check(int(minutes))
    except ValueError as err:
        found.append("the idle timeout is whole minutes" if not minutes.isdigit() else str(err))
    return found


class EditSpaceScreen(FormDialog[SpaceEdit]):
    SUBMIT = "save"

    def __init__(self, space: Space, opts: SpaceOptions, idle: IdleBounds) -> None:
        super().__init__()
        self.space = space
        self.opts = opts
        self.idle = idle

    def compose(self) -> ComposeResult:
        s = self.space
        running = s.status in (SpaceStatus.RUNNING, SpaceStatus.STARTING)
        with Vertical(id="dialog", classes="form"):
            yield Static(Text.assemble(("Edit ", "bold"), (s.name, "bold")), id="dialog-title")
            for label, widget_id, value in (
                ("Instance", "edit-instance", s.instance_type or ""),
                ("Storage GiB", "edit-storage", str(s.storage_gib or "")),
                ("Image", "edit-image", s.image or ""),
                ("Idle min", "edit-idle", str(s.idle_timeout_minutes or "")),
            ):
                with Horizontal(classes="field"):
                    yield Label(label)
                    yield Input(value, id=widget_id, compact=True)
            yield Static("", id="form-error")
            notes = [
                f"Storage {s.storage_gib or '?'}–{self.opts.max_storage_gib} GiB (it never shrinks); "
                f"idle shutdown {self.idle.minimum}–{self.idle.maximum} min."
            ]
            if running:
                notes.append("A new instance type or image restarts the running space (you are asked first).")
            yield Static(Text(" ".join(notes), style=MUTED), id="dialog-body")
            with Horizontal(id="dialog-buttons"):
                yield Button("Save (enter)", variant="primary", id="save", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#edit-instance", Input).focus()

    def _answer(self) -> tuple[SpaceEdit | None, list[str]]:
        instance, storage = self._value("#edit-instance"), self._value("#edit-storage")
        image, minutes = self._value("#edit-image"), self._value("#edit-idle")
        found = edit_problems(self.space, self.opts, self.idle, instance, storage, image, minutes)
        if found:
            return None, found
        s = self.space
        return SpaceEdit(
            instance_type=instance if instance and instance != s.instance_type else None,
            storage_gib=int(storage) if int(storage) != s.storage_gib else None,
            image=image if image and image != s.image else None,
            idle_timeout_minutes=int(minutes) if int(minutes) != s.idle_timeout_minutes else None,
        ), []
