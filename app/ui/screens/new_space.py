"""`n`: a new space in the highlighted domain. Name, IDE, owner (a user profile, or the domain when
it allows shared spaces), instance type and storage, checked as they are typed; enter creates."""

from __future__ import annotations

import re

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from ...space_changes import NewSpace, SpaceOptions
from ..widgets.labels import MUTED
from .dialog import FormDialog

# botocore's SpaceName pattern (63 characters at most).
_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")


def problems(name: str, instance_type: str, storage: str, opts: SpaceOptions, taken: set[str]) -> list[str]:
    """What is wrong with the form's values, one phrase each ([] when it can be sent)."""
    from ...aws.api import check_instance_type

    found = []
    if not name:
        found.append("name the space")
    elif not _NAME.fullmatch(name):
        found.append("a name is letters, digits and hyphens, up to 63, starting with a letter or digit")
    elif name in taken:
        found.append(f"{opts.domain_name} already has a space called {name}")
    if instance_type:
        try:
            check_instance_type(instance_type)
        except ValueError as err:
            found.append(str(err))
    try:
        gib = int(storage)
    except ValueError:
        found.append("storage is whole GiB")
    else:
        if not 5 <= gib <= opts.max_storage_gib:
            found.append(f"storage is 5–{opts.max_storage_gib} GiB (the domain's maximum)")
    return found


class NewSpaceScreen(FormDialog[NewSpace]):
    SUBMIT = "create"

    def __init__(self, opts: SpaceOptions, region: str, owner: str | None, taken: set[str]) -> None:
        super().__init__()
        self.opts = opts
        self.where = region
        self.taken = taken
        self.owner = owner if owner in opts.profiles else opts.mine

    def compose(self) -> ComposeResult:
        opts = self.opts
        owners: list[tuple[str, str]] = [(p + (" (you)" if p == opts.mine else ""), p) for p in opts.profiles]
        sharing = [("private to its owner", "Private")]
        if opts.shared_allowed:  # the domain has DefaultSpaceSettings
            sharing.append(("shared with the domain", "Shared"))
        with Vertical(id="dialog", classes="form"):
            yield Static(
                Text.assemble(
                    ("New space in ", "bold"), (opts.domain_name, "bold"), (f"  {self.where}", MUTED)
                ),
                id="dialog-title",
            )
            with Horizontal(classes="field"):
                yield Label("Name")
                yield Input(placeholder="e.g. churn-analysis", id="new-name", max_length=63, compact=True)
            with Horizontal(classes="field"):
                yield Label("IDE")
                yield Select(
                    [("JupyterLab", "JupyterLab"), ("Code Editor", "CodeEditor")],
                    value="JupyterLab",
                    allow_blank=False,
                    id="new-app-type",
                    compact=True,
                )
            with Horizontal(classes="field"):
                yield Label("Owner")
                yield Select(
                    owners,
                    value=self.owner or Select.BLANK,
                    prompt="choose a user profile",
                    id="new-owner",
                    compact=True,
                )
            with Horizontal(classes="field"):
                yield Label("Sharing")
                yield Select(sharing, value="Private", allow_blank=False, id="new-sharing", compact=True)
            with Horizontal(classes="field"):
                yield Label("Instance")
                yield Input(placeholder="the domain's default", id="new-instance", compact=True)
            with Horizontal(classes="field"):
                yield Label("Storage GiB")
                yield Input(str(opts.default_storage_gib), id="new-storage", type="integer", compact=True)
            yield Static("", id="form-error")
            yield Static(
                Text(
                    f"The space is created stopped; starting it is billed. Storage up to "
                    f"{opts.max_storage_gib} GiB; it can grow later, never shrink.",
                    style=MUTED,
                ),
                id="dialog-body",
            )
            with Horizontal(id="dialog-buttons"):
                yield Button("Create (enter)", variant="primary", id="create", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#new-name", Input).focus()

    def _answer(self) -> tuple[NewSpace | None, list[str]]:
        name, instance, storage = (
            self._value("#new-name"),
            self._value("#new-instance"),
            self._value("#new-storage"),
        )
        found = problems(name, instance, storage, self.opts, self.taken)
        owner = self.query_one("#new-owner", Select).value
        if owner is Select.BLANK:
            found.append("choose the user profile that owns the space")
        if found:
            return None, found
        app_type = str(self.query_one("#new-app-type", Select).value)
        return NewSpace(
            self.opts.domain_id,
            name,
            app_type,
            str(owner),  # a shared space has an owner too: the profile that created it
            shared=self.query_one("#new-sharing", Select).value == "Shared",
            instance_type=instance or None,
            storage_gib=int(storage),
        ), []
