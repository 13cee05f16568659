"""Every action of the main screen, declared once: its keys, footer label, help line, palette entry
and read-only rule. The key bindings, the footer, `?` help, the command palette and the read-only
checks are all derived from ACTIONS; nothing else lists actions.

Keep this module free of work at import: it is read before the first frame.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from textual.binding import Binding


class SpaceAction(StrEnum):
    """Actions on one space. The app maps each to the flow that runs it (SpacesApp.flow_for)."""

    CONNECT = "connect"
    VSCODE = "vscode"
    FORWARD = "forward"
    START = "start"
    STOP = "stop"
    REMOTE_ACCESS = "remote_access"
    INSTANCE_TYPE = "instance_type"
    IDLE_TIMEOUT = "idle_timeout"
    EDIT = "edit"
    DELETE = "delete"


# The Textual actions the bindings of space actions run: SpacesApp.action_on_space(name) and,
# in read-only mode, SpacesApp.action_read_only(name) for the keys of mutating ones.
ON_SPACE = "on_space"
READ_ONLY = "read_only"


class Action(NamedTuple):
    name: str  # a SpaceAction's value, or the app's `action_<name>` method
    keys: str  # Textual key names, comma separated ("" for none of our own)
    label: str  # the footer's word
    help: str  # the `?` screen's line
    on_space: bool = False  # acts on the highlighted space; the palette offers it for every space
    mutates: bool = False  # changes a space: hidden, and its keys refuse with a line, in --readonly
    footer: bool = True
    palette: str | None = None  # the palette's entry; "{}" is the space's name for space actions
    palette_when_on: str | None = None  # a toggle's entry while it is on
    palette_group: str = "view"  # the palette's grey line under a non-space entry
    priority: bool = False  # works in dialogs and in the filter input too
    textual_keys: str = ""  # keys Textual itself binds to this action: listed in help, not bound again

    @property
    def space_action(self) -> SpaceAction | None:
        return SpaceAction(self.name) if self.on_space else None

    @property
    def binding_action(self) -> str:
        """The Textual action string a key (or the palette) runs."""
        return f"{ON_SPACE}({self.name!r})" if self.on_space else self.name

    def offered(self, readonly: bool) -> bool:
        return not (readonly and self.mutates)

    def all_keys(self) -> list[str]:
        return [k for k in (*self.keys.split(","), *self.textual_keys.split(",")) if k]

    def refusal(self) -> str:
        """What a key of a mutating action says in read-only mode."""
        return f"read-only mode: {self.label.lower()} is off (restart sm-spaces without --readonly to change spaces)"


ACTIONS: tuple[Action, ...] = (
    Action(
        "connect",
        "c",
        "Connect",
        "ssh into the space (also enter); a stopped space is started first, after asking",
        on_space=True,
        palette="Connect to {}",
    ),
    # The footer is full at 150 columns: rarer keys are in ? help and the ctrl+p palette only.
    Action(
        "vscode",
        "v",
        "Code",
        "open the space in VS Code (Remote-SSH through the ssh config block)",
        on_space=True,
        palette="Open {} in VS Code",
    ),
    Action(
        "forward",
        "f",
        "Jupyter",
        "forward the space's JupyterLab to localhost and show the URL",
        on_space=True,
        palette="Forward JupyterLab of {}",
    ),
    Action(
        "forwards",
        "F",
        "Forwards",
        "list the open forwards; close one, copy its URL",
        footer=False,
        palette="Open forwards…",
        palette_group="reach",
    ),
    Action(
        "ssh_config",
        "S",
        "SSH config",
        "install the ssh config block (ssh sm-<space>), after showing the diff",
        footer=False,
        palette="Install the ssh config block (ssh sm-<space>)…",
        palette_group="reach",
    ),
    Action(
        "start",
        "s",
        "Start",
        "start the space (enables remote access when needed)",
        on_space=True,
        mutates=True,
        palette="Start {}",
    ),
    Action(
        "stop",
        "x",
        "Stop",
        "stop the space, after confirmation",
        on_space=True,
        mutates=True,
        palette="Stop {}",
    ),
    Action(
        "remote_access",
        "e",
        "Remote",
        "enable remote access (a running space restarts)",
        on_space=True,
        mutates=True,
        palette="Enable remote access on {}",
    ),
    Action(
        "instance_type",
        "i",
        "Instance",
        "move to the next size up when remote access needs it",
        on_space=True,
        mutates=True,
        footer=False,
        palette="Change instance type of {}",
    ),
    Action(
        "idle_timeout",
        "t",
        "Idle",
        "edit the idle shutdown timeout",
        on_space=True,
        mutates=True,
        footer=False,
        palette="Set idle timeout of {}",
    ),
    Action(
        "edit",
        "E",
        "Edit",
        "edit the space: instance type, storage, image, idle shutdown (a running space restarts, after asking)",
        on_space=True,
        mutates=True,
        footer=False,
        palette="Edit {}…",
    ),
    Action(
        "delete",
        "D",
        "Delete",
        "delete the space and its storage, after typing its name (a running space is stopped first)",
        on_space=True,
        mutates=True,
        footer=False,
        palette="Delete {}…",
    ),
    Action(
        "new_space",
        "n",
        "New space",
        "create a space in the highlighted space's (or domain's) domain",
        mutates=True,
        footer=False,
        palette="New space…",
        palette_group="space",
    ),
    Action("filter", "slash", "Filter", "filter by name, domain, owner, status (esc clears)"),
    Action("clear_filter", "escape", "Clear filter", "clear the / filter, from the list too"),
    Action(
        "owner_filter",
        "u",
        "User profiles",
        "show the spaces of chosen SageMaker user profiles (domain / user profile)",
        palette="Filter by SageMaker user profile…",
    ),
    Action(
        "toggle_group",
        "g",
        "Group",
        "group by domain → user profile, or a flat list",
        palette="Group spaces by domain / user profile",
        palette_when_on="Show spaces as a flat list",
    ),
    Action(
        "toggle_persist",
        "P",
        "Persist",
        "connect keeps the shell in tmux on the space and reattaches when the connection is lost "
        "for good (as connect --persist); saved in config.toml",
        footer=False,
        palette="Keep shells in tmux on the space (persist)",
        palette_when_on="Stop keeping shells in tmux (persist off)",
        palette_group="reach",
    ),
    Action("regions", "R", "Regions", "choose the regions shown side by side", palette="Choose regions…"),
    Action(
        "profile",
        "p",
        "AWS profile",
        "switch AWS profile, or to the default credential chain (reloads everything)",
        palette="Switch AWS profile…",
    ),
    Action(
        "toggle_details",
        "d",
        "Details",
        "show or hide the detail pane (below 100 columns it starts hidden and opens under the list)",
        palette="Show or hide the detail pane",
    ),
    Action("refresh", "r,ctrl+r", "Refresh", "refresh the listing now", palette="Refresh"),
    Action("help", "question_mark", "Help", "this help"),
    Action("quit", "q", "Quit", "quit", textual_keys="ctrl+q"),
    Action(
        "interrupt",
        "ctrl+c",
        "Interrupt",
        "quit at once, from anywhere (exit status 130, as Ctrl-C elsewhere)",
        footer=False,
        priority=True,
    ),
    Action(
        "command_palette",
        "",
        "Palette",
        "command palette: every action on every space",
        textual_keys="ctrl+p",
    ),
)

BY_NAME: dict[str, Action] = {action.name: action for action in ACTIONS}


def bindings() -> list[Binding]:
    """The app's BINDINGS. A mutating action has a hidden twin on the same keys that only read-only
    mode enables (SpacesApp.check_action): the key then says why it does nothing, while the footer
    and the palette no longer offer it."""
    found: list[Binding] = []
    # The footer shows bindings in this order and cuts off what does not fit: `?` (and `d`, which
    # brings the detail pane back on a narrow terminal) go first so 80 columns still show them.
    first = ("help", "toggle_details")
    for action in sorted(ACTIONS, key=lambda a: first.index(a.name) if a.name in first else len(first)):
        if not action.keys:
            continue
        found.append(
            Binding(
                action.keys,
                action.binding_action,
                action.label,
                show=action.footer,
                priority=action.priority,
            )
        )
        if action.mutates:
            found.append(Binding(action.keys, f"{READ_ONLY}({action.name!r})", action.label, show=False))
    return found


def permits(action: str, parameters: tuple[object, ...], readonly: bool) -> bool:
    """SpacesApp.check_action: whether a binding (or the palette) may run `action` now. False also
    hides it from the footer; the read-only twins are enabled exactly when their action is not."""
    if action == READ_ONLY:
        return readonly
    name = str(parameters[0]) if action == ON_SPACE and parameters else action
    found = BY_NAME.get(name)
    return found is None or found.offered(readonly)


def help_rows(readonly: bool) -> list[tuple[list[str], str]]:
    """(keys, line) for `?`, in footer order; read-only mode leaves out what it switched off."""
    return [(a.all_keys(), a.help) for a in ACTIONS if a.offered(readonly)]


def switched_off() -> list[Action]:
    """What read-only mode switches off (named in `?` help then)."""
    return [a for a in ACTIONS if a.mutates]


def space_actions(readonly: bool) -> list[Action]:
    """The palette's entries for each space."""
    return [a for a in ACTIONS if a.on_space and a.palette and a.offered(readonly)]


def view_actions(readonly: bool) -> list[Action]:
    """The palette's entries that act on the view or the machine, not on one space."""
    return [a for a in ACTIONS if not a.on_space and a.palette and a.offered(readonly)]
