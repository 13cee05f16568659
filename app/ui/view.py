"""What the tree shows: filtering and grouping of model lists, in plain Python.

Kept free of textual so that 10,000 spaces can be narrowed per keystroke without touching widgets:
the tree then renders only the result (and only a capped number of rows per branch).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..model import Space, SpaceStatus, UserProfile

# An owner filter entry: (domain_id, user profile name).
OwnerPair = tuple[str, str]


@dataclass
class ViewState:
    """What the tree shows: the regions side by side, narrowed by text and owners, flat or grouped."""

    regions: list[str]
    text: str = ""  # the `/` filter
    owners: frozenset[OwnerPair] | None = None  # None: every owner
    owners_chosen: bool = False  # picked by the user (or settings): the SSO default never overrides it
    grouped: bool = False


def is_shared(space: Space) -> bool:
    return space.owner is None or space.sharing == "Shared"


def owner_column(space: Space) -> str:
    """'shared' for shared spaces (whoever created them), else the owning user profile."""
    return "shared" if is_shared(space) else space.owner or "shared"


def haystack(space: Space) -> str:
    """Everything the `/` filter matches against, lower-cased once."""
    parts = (
        space.name,
        space.display_name,
        space.domain_name,
        space.domain_id,
        space.owner_label,
        owner_column(space),
        space.status.value,
        space.app_type or "",
        space.instance_type or "",
        space.region,
    )
    return " ".join(parts).lower()


@dataclass
class Tally:
    """Counts for a branch label or the header."""

    total: int = 0
    running: int = 0
    busy: int = 0
    failed: int = 0

    @classmethod
    def of(cls, statuses: list[SpaceStatus]) -> Tally:
        return cls.from_counts(Counter(statuses))

    @classmethod
    def from_counts(cls, counts: Counter) -> Tally:
        return cls(
            total=sum(counts.values()),
            running=counts[SpaceStatus.RUNNING],
            failed=counts[SpaceStatus.FAILED],
            busy=sum(n for status, n in counts.items() if status.in_transition),
        )


@dataclass
class Selection:
    spaces: list[Space] = field(default_factory=list)  # sorted by name
    per_region: dict[str, Tally] = field(default_factory=dict)
    _by_region: dict[str, list[Space]] | None = None

    def by_region(self, regions: list[str]) -> dict[str, list[Space]]:
        """The spaces split per region (every region of `regions` present), computed once."""
        if self._by_region is None:
            present = [r for r, t in self.per_region.items() if t.total]
            if len(present) <= 1:  # the usual case: no pass over 10k spaces
                split = {present[0]: self.spaces} if present else {}
            else:
                split = {}
                for space in self.spaces:
                    split.setdefault(space.region, []).append(space)
            self._by_region = split
        return {r: self._by_region.get(r, []) for r in dict.fromkeys([*regions, *self._by_region])}


# What narrows a selection besides its words: the owner filter and the regions.
_Narrowing = tuple[frozenset[OwnerPair] | None, tuple[str, ...] | None]
_SelectKey = tuple[tuple[str, ...], frozenset[OwnerPair] | None, tuple[str, ...] | None]


class SpaceIndex:
    """Spaces sorted once, with their filter text and derived status computed once per change.

    A `/` keystroke is a substring test over the spaces the previous (shorter) query matched, and
    a query seen before (backspace) is answered from a memo; both are dropped on any change.
    """

    MEMO = 64  # queries remembered per listing

    def __init__(self) -> None:
        self.spaces: list[Space] = []
        self._text: list[str] = []
        self._status: list[SpaceStatus] = []
        self._region: list[str] = []
        self._regions_present: set[str] = set()
        self._pos: dict[tuple[str, str, str], int] = {}
        self._moving: set[int] = set()  # positions of spaces in transition
        self._tally_cache: tuple[tuple[str, ...], Tally] | None = None
        self._matches: dict[tuple[str, ...], list[int]] = {}
        self._selections: dict[_SelectKey, Selection] = {}
        # The last select: its text match list, its owners and regions, and its Selection.
        self._last: tuple[list[int], _Narrowing, Selection] | None = None

    def replace(self, spaces: list[Space]) -> None:
        self.spaces = sort_spaces(spaces)
        self._text = [haystack(s) for s in self.spaces]
        self._status = [s.status for s in self.spaces]
        self._region = [s.region for s in self.spaces]
        self._regions_present = set(self._region)
        self._pos = {s.key: i for i, s in enumerate(self.spaces)}
        self._moving = {i for i, st in enumerate(self._status) if st.in_transition}
        self._changed()

    def _changed(self) -> None:
        self._tally_cache = None
        self._matches.clear()
        self._selections.clear()
        self._last = None

    def update(self, space: Space) -> bool:
        """Swap in a newer state of one space; False if it is not known."""
        i = self._pos.get(space.key)
        if i is None:
            return False
        self.spaces[i] = space
        self._text[i] = haystack(space)
        self._status[i] = status = space.status
        if status.in_transition:
            self._moving.add(i)
        else:
            self._moving.discard(i)
        self._changed()
        return True

    def find(self, key: tuple[str, str, str]) -> Space | None:
        i = self._pos.get(key)
        return None if i is None else self.spaces[i]

    def select(
        self,
        text: str = "",
        owners: frozenset[OwnerPair] | None = None,
        regions: list[str] | None = None,
    ) -> Selection:
        """The spaces matching every word of `text`, the owner filter and the regions, with counts.

        The same query returns the same Selection object until the index changes."""
        words = tuple(text.lower().split())
        key: _SelectKey = (words, owners, tuple(regions) if regions is not None else None)
        found = self._selections.get(key)
        if found is not None:
            return found
        positions = matched = self._text_matches(words)
        last = self._last
        if last is not None and last[0] is matched and last[1] == (owners, key[2]):
            self._selections[key] = last[2]  # "space-" after "space": the very same match
            return last[2]
        region_set = set(regions) if regions is not None else None
        if region_set is not None and not region_set.issuperset(self._regions_present):
            region_of = self._region
            positions = [i for i in positions if region_of[i] in region_set]
        if owners is not None:
            owner_domains = {domain for domain, _ in owners}
            spaces_ = self.spaces
            positions = [i for i in positions if owner_allows(spaces_[i], owners, owner_domains)]
        spaces = list(map(self.spaces.__getitem__, positions))
        counts = Counter(
            zip(
                map(self._region.__getitem__, positions),
                map(self._status.__getitem__, positions),
                strict=True,
            )
        )
        per_region: dict[str, Counter] = {}
        for (region, status), n in counts.items():
            per_region.setdefault(region, Counter())[status] = n
        selection = Selection(spaces, {region: Tally.from_counts(c) for region, c in per_region.items()})
        if len(self._selections) >= self.MEMO:
            self._selections.clear()
        self._selections[key] = selection
        self._last = (matched, (owners, key[2]), selection)
        return selection

    def _text_matches(self, words: tuple[str, ...]) -> list[int]:
        """Positions whose filter text holds every word. Starts from the smallest remembered
        match of a query that this one refines (each old word inside some new word)."""
        found = self._matches.get(words)
        if found is not None:
            return found
        base: list[int] | None = None
        for old, positions in self._matches.items():  # () too: the first word refines "everything"
            if (base is None or len(positions) < len(base)) and all(any(o in w for w in words) for o in old):
                base = positions
        texts = self._text
        if not words:
            result = list(range(len(texts)))
        elif base is None:
            result = (
                [i for i, hay in enumerate(texts) if all(w in hay for w in words)]
                if len(words) > 1
                else [i for i, hay in enumerate(texts) if words[0] in hay]
            )
        elif len(words) == 1:
            word = words[0]
            result = [i for i in base if word in texts[i]]
        else:
            result = [i for i in base if all(w in texts[i] for w in words)]
        if base is not None and len(result) == len(base):
            result = base  # nothing dropped: the same list, so the Selection below is reused too
        if len(self._matches) >= self.MEMO:
            self._matches.clear()
        self._matches[words] = result
        return result

    def transitional(self, regions: list[str]) -> list[Space]:
        """Spaces changing state (polled until they settle)."""
        wanted = set(regions)
        return [self.spaces[i] for i in sorted(self._moving) if self.spaces[i].region in wanted]

    def tally(self, regions: list[str]) -> Tally:
        """Counts over every space of `regions`, ignoring filters (the header; cached until a change)."""
        key = tuple(regions)
        if self._tally_cache is not None and self._tally_cache[0] == key:
            return self._tally_cache[1]
        wanted = set(regions)
        tally = Tally.of([st for s, st in zip(self.spaces, self._status, strict=True) if s.region in wanted])
        self._tally_cache = (key, tally)
        return tally


def owner_allows(space: Space, owners: frozenset[OwnerPair], owner_domains: set[str]) -> bool:
    """Own spaces of the chosen profiles, plus shared spaces of their domains (everyone there can use them)."""
    if is_shared(space):
        return space.domain_id in owner_domains
    return (space.domain_id, space.owner) in owners


def sso_default_owners(sso_user: str | None, profiles: list[UserProfile]) -> frozenset[OwnerPair] | None:
    """The Identity Center caller's own profiles (matched on SingleSignOnUserValue), or None for "all"."""
    if not sso_user:
        return None
    mine = frozenset((p.domain_id, p.name) for p in profiles if p.sso_user_value == sso_user)
    return mine or None


@dataclass
class DomainGroup:
    domain_id: str
    domain_name: str
    by_owner: dict[str, list[Space]]  # "" holds the shared spaces

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.by_owner.values())


def group_by_domain(spaces: list[Space]) -> list[DomainGroup]:
    """Domain → user profile → spaces, sorted by name; shared spaces under the key ""."""
    domains: dict[str, DomainGroup] = {}
    for space in spaces:
        group = domains.get(space.domain_id)
        if group is None:
            group = domains[space.domain_id] = DomainGroup(
                space.domain_id, space.domain_name or space.domain_id, defaultdict(list)
            )
        group.by_owner["" if is_shared(space) else space.owner or ""].append(space)
    # Spaces arrive sorted (SpaceIndex keeps them so), so each owner's list is sorted too.
    return sorted(domains.values(), key=lambda g: (g.domain_name.lower(), g.domain_id))


def space_sort_key(space: Space) -> tuple[str, str, str]:
    return (space.name.lower(), space.domain_name.lower(), space.domain_id)


def sort_spaces(spaces: list[Space]) -> list[Space]:
    return sorted(spaces, key=space_sort_key)
