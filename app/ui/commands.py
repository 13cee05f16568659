"""Command palette: every action on every visible space, plus region and view switches."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from .app import SpacesApp

SPACE_ACTIONS = [
    ("connect", "Connect to {}"),
    ("vscode", "Open {} in VS Code"),
    ("forward", "Forward JupyterLab of {}"),
    ("start", "Start {}"),
    ("stop", "Stop {}"),
    ("remote_access", "Enable remote access on {}"),
    ("instance_type", "Change instance type of {}"),
    ("idle_timeout", "Set idle timeout of {}"),
]
# Offered in --readonly too: they leave the space as it is (a start they would need is refused then).
READONLY_ACTIONS = frozenset({"connect", "vscode", "forward"})
MAX_SPACES = 2000  # beyond this, narrow with / first: the palette scores every entry per keystroke


class SpaceCommands(Provider):
    def _commands(self) -> list[tuple[str, object, str]]:
        app: SpacesApp = self.app  # type: ignore[assignment]
        commands: list[tuple[str, object, str]] = []
        for space in app.visible_spaces()[:MAX_SPACES]:
            where = f"{space.domain_name or space.domain_id} · {space.region}"
            for action, text in SPACE_ACTIONS:
                if app.readonly and action not in READONLY_ACTIONS:
                    continue
                commands.append(
                    (text.format(space.name), partial(app.run_space_action, action, space), where)
                )
        for region in app.known_regions():
            if region not in app.regions:
                commands.append((f"Switch to {region}", partial(app.switch_regions, [region]), "region"))
        commands.append(
            (
                "Group spaces by domain / user profile" if not app.grouped else "Show spaces as a flat list",
                app.action_toggle_group,
                "view",
            )
        )
        commands.append(("Filter by user profile…", app.action_owner_filter, "view"))
        commands.append(("Choose regions…", app.action_regions, "view"))
        commands.append(("Switch AWS profile…", app.action_profile, "view"))
        commands.append(("Refresh", app.action_refresh, "view"))
        commands.append(("Open forwards…", app.action_forwards, "reach"))
        commands.append(("Install the ssh config block (ssh sm-<space>)…", app.action_ssh_config, "reach"))
        return commands

    async def discover(self) -> Hits:
        for text, callback, help_text in self._commands():
            yield DiscoveryHit(text, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, callback, help_text in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), callback, help=help_text)
