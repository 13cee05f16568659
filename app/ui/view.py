"""What the tree shows: filtering and grouping of model lists, in plain Python.

Kept free of textual so that 10,000 spaces can be narrowed per keystroke without touching widgets:
the tree then renders only the result (and only a capped number of rows per branch).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from app.model import Space, SpaceStatus, UserProfile

# An owner filter entry: (domain_id, user profile name).
OwnerPair = tuple[str, str]


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
        counts = Counter(statuses)
        return cls(
            total=len(statuses),
            running=counts[SpaceStatus.RUNNING],
            failed=counts[SpaceStatus.FAILED],
            busy=sum(n for status, n in counts.items() if status.in_transition),
        )


@dataclass
class Selection:
    spaces: list[Space] = field(default_factory=list)  # sorted by name
    per_region: dict[str, Tally] = field(default_factory=dict)


class SpaceIndex:
    """Spaces sorted once, with their filter text and derived status computed once per change,
    so a keystroke in the `/` filter is a single pass of substring tests over 10k strings."""

    def __init__(self) -> None:
        self.spaces: list[Space] = []
        self._text: list[str] = []
        self._status: list[SpaceStatus] = []
        self._pos: dict[tuple[str, str, str], int] = {}
        self._moving: set[int] = set()  # positions of spaces in transition
        self._tally_cache: tuple[tuple[str, ...], Tally] | None = None

    def replace(self, spaces: list[Space]) -> None:
        self.spaces = sort_spaces(spaces)
        self._text = [haystack(s) for s in self.spaces]
        self._status = [s.status for s in self.spaces]
        self._pos = {s.key: i for i, s in enumerate(self.spaces)}
        self._moving = {i for i, st in enumerate(self._status) if st.in_transition}
        self._tally_cache = None

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
        self._tally_cache = None
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
        """The spaces matching every word of `text`, the owner filter and the regions, with counts."""
        words = text.lower().split()
        owner_domains = {domain for domain, _ in owners} if owners is not None else set()
        region_set = set(regions) if regions is not None else None
        single = words[0] if len(words) == 1 else None
        spaces: list[Space] = []
        statuses: dict[str, list[SpaceStatus]] = {}
        for space, hay, status in zip(self.spaces, self._text, self._status):
            if single is not None:
                if single not in hay:
                    continue
            elif words and not all(word in hay for word in words):
                continue
            if region_set is not None and space.region not in region_set:
                continue
            if owners is not None and not owner_allows(space, owners, owner_domains):
                continue
            spaces.append(space)
            bucket = statuses.get(space.region)
            if bucket is None:
                bucket = statuses[space.region] = []
            bucket.append(status)
        return Selection(spaces, {region: Tally.of(sts) for region, sts in statuses.items()})

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
        tally = Tally.of([st for s, st in zip(self.spaces, self._status) if s.region in wanted])
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


def sort_spaces(spaces: list[Space]) -> list[Space]:
    return sorted(spaces, key=lambda s: (s.name.lower(), s.domain_name.lower(), s.domain_id))


