"""The Toolkit's "filter by user profile": a multi-select of "user profile — domain" pairs."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Input

from ...model import Domain, UserProfile
from ..view import OwnerPair
from ..widgets.labels import ACCENT, MUTED
from .pickers import FilteredSelectScreen

SHOW_ALL = "*"


def pair_value(pair: OwnerPair) -> str:
    return f"{pair[0]}\t{pair[1]}"


def parse_value(value: str) -> OwnerPair:
    domain_id, _, profile = value.partition("\t")
    return (domain_id, profile)


class OwnerFilterScreen(FilteredSelectScreen):
    """Dismisses with the chosen values; SHOW_ALL (or nothing chosen) means no filter."""

    def __init__(
        self,
        profiles: list[UserProfile],
        domains: list[Domain],
        chosen: frozenset[OwnerPair] | None,
        me: str | None = None,
    ) -> None:
        names = {d.domain_id: d.name for d in domains}
        items: list[tuple[str, Text]] = [(SHOW_ALL, Text("★ show all spaces", style=f"bold {ACCENT}"))]
        for p in sorted(profiles, key=lambda p: (p.name.lower(), names.get(p.domain_id, ""))):
            label = Text.assemble((p.name, "bold"), " — ", names.get(p.domain_id, p.domain_id))
            if me and p.sso_user_value == me:
                label.append("  (you)", style=MUTED)
            items.append((pair_value((p.domain_id, p.name)), label))
        selected = {SHOW_ALL} if chosen is None else {pair_value(p) for p in chosen}
        super().__init__(
            "Filter by user profile",
            items,
            selected,
            "space toggles · enter applies · shared spaces of a chosen profile's domain stay visible",
        )

    def toggled(self, value: str) -> None:
        super().toggled(value)
        # "show all" and specific profiles exclude each other, as in the Toolkit's quick pick.
        if value == SHOW_ALL and SHOW_ALL in self.chosen:
            self.chosen = {SHOW_ALL}
        elif value != SHOW_ALL:
            self.chosen.discard(SHOW_ALL)
        self._fill(self.query_one("#picker-filter", Input).value)


def owners_from_result(values: list[str]) -> frozenset[OwnerPair] | None:
    if not values or SHOW_ALL in values:
        return None
    return frozenset(parse_value(v) for v in values)
