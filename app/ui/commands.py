"""Command palette: every space action on every visible space, plus region and view switches, all
from the action registry.

Names come from AWS: every entry is a rich Text, never markup. Textual's `Matcher.highlight` and
a hit's `help` string are parsed as markup, so neither is used: matches are styled here, and the
grey line under an entry is part of its Text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider

from . import registry
from .widgets.labels import MUTED

if TYPE_CHECKING:
    from .app import SpacesApp

MAX_SPACES = 2000  # beyond this, narrow with / first: the palette scores every entry per keystroke
MATCH_STYLE = Style(reverse=True)  # Textual's own highlight of matched characters


@dataclass(frozen=True, slots=True)
class Entry:
    text: str  # what the query is matched against
    run: Callable[[], object]  # the palette awaits it when it returns an awaitable
    where: str  # the grey line under it


def entries(app: SpacesApp) -> list[Entry]:
    found: list[Entry] = []
    actions = registry.space_actions(app.readonly)
    for space in app.visible_spaces()[:MAX_SPACES]:
        where = f"{space.domain_name or space.domain_id} · {space.region}"
        for action in actions:
            assert action.palette is not None and action.space_action is not None
            text = action.palette.replace("{}", space.name)
            found.append(Entry(text, partial(app.run_space_action, action.space_action, space), where))
    for region in app.known_regions():
        if region not in app.regions:
            found.append(Entry(f"Switch to {region}", partial(app.switch_regions, [region]), "region"))
    for action in registry.view_actions(app.readonly):
        assert action.palette is not None
        text = (
            action.palette_when_on if action.palette_when_on and app.toggled(action.name) else action.palette
        )
        found.append(Entry(text, partial(app.run_action, action.binding_action), action.palette_group))
    return found


def shown(entry: Entry, matcher: Matcher | None = None) -> Text:
    """The entry as plain Text, matched characters highlighted, its grey line below."""
    text = Text(entry.text)
    if matcher is not None:
        _, offsets = matcher.fuzzy_search.match(matcher.query, entry.text)
        for offset in offsets:
            if not entry.text[offset].isspace():
                text.stylize(MATCH_STYLE, offset, offset + 1)
    text.append("\n")
    text.append(entry.where, style=MUTED)
    return text


class SpaceCommands(Provider):
    def _entries(self) -> list[Entry]:
        app: SpacesApp = self.app  # type: ignore[assignment]  # the provider is only ever given to SpacesApp
        return entries(app)

    async def discover(self) -> Hits:
        for entry in self._entries():
            yield DiscoveryHit(shown(entry), entry.run, text=entry.text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self._entries():
            score = matcher.match(entry.text)
            if score > 0:
                yield Hit(score, shown(entry, matcher), entry.run, text=entry.text)
