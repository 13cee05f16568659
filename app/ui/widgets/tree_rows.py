"""The tree's shape as plain Python: branch nodes, runs of space rows, line lookup, branch labels.

A 10,000-space branch is one run (the filtered list itself), not 10,000 objects: flattening costs
one step per branch, and a line number finds its row by bisection. SpaceTree draws only the lines
on screen from this.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import NamedTuple

from rich.console import Console
from rich.segment import Segment
from rich.text import Text

from ...model import Space
from ..view import DomainGroup, Tally, space_sort_key
from .labels import AMBER, MUTED, RED, Columns, count_text, space_line


class Branch(NamedTuple):
    """A non-space node; `key` identifies it across rebuilds (to keep it collapsed or under the cursor)."""

    kind: str  # account | region | service | studio | domain | owner
    key: str
    region: str = ""
    top: bool = False  # a top-level line (drawn without a connector): an account, or a lone account's region


@dataclass(eq=False)
class Node:
    """A branch line. `spaces` are its leaf rows, after its child branches."""

    data: Branch
    label: Text
    children: list[Node] = field(default_factory=list)
    spaces: list[Space] = field(default_factory=list)
    group: DomainGroup | None = None  # a domain whose owner branches are built when first opened

    def add(self, child: Node) -> Node:
        self.children.append(child)
        return child


@dataclass(eq=False)
class Leaf:
    """A space line handed out to callers (tests, the app): its space, and its label as drawn."""

    data: Space
    columns: Columns
    spinner: str = "⠋"

    @property
    def label(self) -> Text:
        return space_line(self.data, self.columns, self.spinner)


class Row(NamedTuple):
    """What one line shows: a branch (`node`) or the `position`-th space of `run`; `guides` are the
    is-last flags of the ancestors that draw a guide column, `last` whether the line ends its branch."""

    node: Node | None
    run: list[Space] | None
    position: int  # in `run`
    guides: tuple[bool, ...]
    last: bool

    @property
    def space(self) -> Space | None:
        return self.run[self.position] if self.run is not None else None


@dataclass
class _Block:
    node: Node | None  # a branch line, or a run of spaces
    run: list[Space] | None
    guides: tuple[bool, ...]
    last: bool


class Lines:
    """The visible lines of a forest of nodes, given which branches are open."""

    def __init__(self, roots: list[Node], is_open) -> None:  # is_open(node) -> bool
        self._blocks: list[_Block] = []
        self._starts: list[int] = []
        self.branch_lines: dict[str, int] = {}
        self.total = 0
        for root in roots:
            self._visit(root, (), True, 0, is_open)

    def _visit(self, node: Node, guides: tuple[bool, ...], last: bool, depth: int, is_open) -> None:
        self.branch_lines[node.data.key] = self.total
        self._push(_Block(node, None, guides, last), 1)
        if not is_open(node):
            return
        inner = guides + (last,) if depth > 0 else guides  # top-level lines draw no guide column
        for i, child in enumerate(node.children):
            self._visit(child, inner, i == len(node.children) - 1 and not node.spaces, depth + 1, is_open)
        if node.spaces:
            self._push(_Block(None, node.spaces, inner, True), len(node.spaces))

    def _push(self, block: _Block, size: int) -> None:
        self._starts.append(self.total)
        self._blocks.append(block)
        self.total += size

    def row(self, line: int) -> Row | None:
        if not 0 <= line < self.total:
            return None
        i = bisect_right(self._starts, line) - 1
        block, offset = self._blocks[i], line - self._starts[i]
        if block.run is None:
            return Row(block.node, None, 0, block.guides, block.last)
        return Row(None, block.run, offset, block.guides, offset == len(block.run) - 1)

    def runs(self) -> list[tuple[int, list[Space]]]:
        """(first line, spaces) of every run of space lines."""
        return [
            (start, b.run) for start, b in zip(self._starts, self._blocks, strict=True) if b.run is not None
        ]

    def nodes(self) -> list[Node]:
        return [b.node for b in self._blocks if b.node is not None]

    def space_line(self, space: Space) -> int | None:
        """The line showing the space with `space`'s key (runs are sorted, so bisect)."""
        wanted = space_sort_key(space)
        runs = self.runs()
        for start, run in runs:
            i = bisect_left(run, wanted, key=space_sort_key)
            while i < len(run) and space_sort_key(run[i]) == wanted:
                if run[i].key == space.key:
                    return start + i
                i += 1
        # A newer state whose sort fields changed (say, a describe without the domain's name): look.
        for start, run in runs:
            for i, other in enumerate(run):
                if other.name == space.name and other.key == space.key:
                    return start + i
        return None


@dataclass
class RegionState:
    """What the tree knows about one region besides its spaces."""

    loading: bool = False
    error: str | None = None
    domains: int | None = None


@dataclass
class AccountState:
    """What the tree knows about one of several accounts besides its spaces."""

    key: str  # the account's identity across refreshes (app.aws.accounts.AccountRef.key)
    name: str  # the profile's name, or the account's name in Identity Center
    account_id: str | None = None  # known once STS answered (at once for Identity Center accounts)
    role: str | None = None  # the Identity Center role taken there
    loading: bool = False
    error: str | None = None  # short, as the branch label says it ("access denied")
    regions: dict[str, RegionState] = field(default_factory=dict)


def depth_of(kind: str) -> int:
    return {"account": 0, "region": 0, "service": 1, "studio": 2, "domain": 3, "owner": 4}.get(kind, 0)


def account_label(state: AccountState) -> Text:
    label = Text(state.name, style="bold")
    if state.account_id and state.account_id != state.name:
        label.append(f"  {state.account_id}", style=MUTED)
    if state.role:
        label.append(f"  {state.role}", style=MUTED)
    if state.loading:
        label.append("  loading…", style=AMBER)
    if state.error:
        label.append(f"  ⚠ {state.error}", style=RED)
    return label


def fill_domain(domain: Node, group: DomainGroup) -> None:
    key, region = domain.data.key, domain.data.region
    for owner in sorted(group.by_owner, key=lambda o: (o == "", o.lower())):
        members = group.by_owner[owner]
        label = Text.assemble((owner or "shared", "" if owner else "italic"), count_text(len(members)))
        domain.add(Node(Branch("owner", f"{key}/u/{owner}", region), label, spaces=members))


def text_segments(console: Console, text: Text) -> list[Segment]:
    """A one-line Text as segments, its base style under its spans (Text.render leaves it out)."""
    return list(Segment.apply_style(text.render(console), console.get_style(text.style)))


def region_label(region: str, state: RegionState) -> Text:
    label = Text(region, style="bold")
    if state.loading:
        label.append("  loading…", style=AMBER)
    if state.error:
        label.append(f"  ⚠ {state.error}", style=RED)
    elif state.domains is not None:
        label.append(f"  {state.domains} domain{'s' if state.domains != 1 else ''}", style=MUTED)
    return label


def studio_label(tally: Tally) -> Text:
    return Text.assemble(("Studio", ""), count_text(tally.total, tally.running, tally.busy))
