"""The Toolkit-shaped tree: Region → SageMaker AI → Studio → spaces (or → domain → user profile → spaces).

The tree is rebuilt from already-filtered model lists; each branch shows at most `page` spaces with a
"… more" row, so a 10,000-space account never builds 10,000 nodes per keystroke.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from app.model import Space
from app.ui.view import DomainGroup, Tally, group_by_domain
from app.ui.widgets.labels import AMBER, MUTED, RED, Columns, count_text, space_line

PAGE = 100  # space rows per branch before a "… more" row
LAZY_GROUPS = 600  # above this many matching spaces, grouped domains open on demand


@dataclass(frozen=True)
class Branch:
    """A non-space node; `key` identifies it across rebuilds (to keep it collapsed or paged)."""

    kind: str  # region | service | studio | domain | owner | more
    key: str
    region: str = ""


@dataclass
class RegionState:
    """What the tree knows about one region besides its spaces."""

    loading: bool = False
    error: str | None = None
    domains: int | None = None


@dataclass
class TreeContent:
    regions: list[str]
    spaces: dict[str, list[Space]]  # per region, already filtered
    states: dict[str, RegionState] = field(default_factory=dict)
    grouped: bool = False
    tallies: dict[str, Tally] = field(default_factory=dict)


class SpaceTree(Tree[Space | Branch]):
    """Spaces by region; enter on a space asks the app to connect."""

    BINDINGS = [
        Binding("enter", "activate", "Connect/expand", show=False),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    class SpaceActivated(Message):
        def __init__(self, space: Space) -> None:
            self.space = space
            super().__init__()

    def __init__(self, **kwargs) -> None:
        super().__init__("spaces", **kwargs)
        self.show_root = False
        self.guide_depth = 3
        self.spinner = "⠋"
        self._collapsed: set[str] = set()
        self._pages: dict[str, int] = {}
        self._opened: set[str] = set()  # lazily built domains the user opened: keep them open
        self._pending: dict[object, DomainGroup] = {}  # node id → children not built yet
        self._space_nodes: dict[tuple[str, str, str], TreeNode] = {}
        self._by_identity: dict[str, TreeNode] = {}  # branch key → node, for keeping the cursor
        self._columns = Columns()
        self._content: TreeContent | None = None
        # Labels by space object: typing in the filter redraws the same spaces over and over.
        self._labels: dict[int, tuple[Space, Columns, str, Text]] = {}

    # --- building -------------------------------------------------------------------------

    def show(self, content: TreeContent) -> None:
        """Rebuild from `content`, keeping the cursor on the same space or branch."""
        self._content = content
        keep = self._cursor_identity()
        self.clear()
        self._space_nodes.clear()
        self._pending.clear()
        # Widths fit the rows a branch can show: measuring 10k names per keystroke is waste.
        sample = [s for r in content.regions for s in content.spaces.get(r, [])[:PAGE]]
        self._columns = Columns.fit(sample)
        big = sum(len(content.spaces.get(r, [])) for r in content.regions) > LAZY_GROUPS
        self._by_identity.clear()
        for region in content.regions:
            spaces = content.spaces.get(region, [])
            state = content.states.get(region, RegionState())
            region_node = self._branch(self.root, Branch("region", region, region), _region_label(region, spaces, state))
            service = self._branch(region_node, Branch("service", f"{region}/sm", region), Text("SageMaker AI"))
            tally = content.tallies.get(region, Tally())
            studio = self._branch(service, Branch("studio", f"{region}/studio", region), _studio_label(tally))
            if content.grouped:
                self._add_grouped(studio, region, spaces, lazy=big)
            else:
                self._add_spaces(studio, f"{region}/studio", spaces)
        target = None if keep is None else self._space_nodes.get(keep) or self._by_identity.get(keep)  # type: ignore[arg-type]
        if target is not None:
            self.call_after_refresh(self.move_cursor, target)
        elif self._space_nodes:
            first = next(iter(self._space_nodes.values()))
            self.call_after_refresh(self.move_cursor, first)
        elif self._pending:  # every domain closed (a big account): start on the first of them
            self.call_after_refresh(self.move_cursor_to_line, 0)

    def _add_grouped(self, studio: TreeNode, region: str, spaces: list[Space], lazy: bool) -> None:
        """Domain → user profile → spaces. With many spaces, domains start closed and are filled
        when opened, so a keystroke never builds thousands of nodes nobody sees."""
        for group in group_by_domain(spaces):
            key = f"{region}/d/{group.domain_id}"
            label = Text.assemble((group.domain_name, "bold"), (f"  {group.domain_id}", MUTED), count_text(group.count))
            opened = key not in self._collapsed and (not lazy or key in self._opened)
            domain_node = self._by_identity[key] = studio.add(label, Branch("domain", key, region), expand=opened)
            if opened:
                self._fill_domain(domain_node, group)
            else:
                self._pending[domain_node.id] = group

    def _fill_domain(self, domain_node: TreeNode, group: DomainGroup) -> None:
        key, region = domain_node.data.key, domain_node.data.region
        for owner in sorted(group.by_owner, key=lambda o: (o == "", o.lower())):
            members = group.by_owner[owner]
            owner_key = f"{key}/u/{owner}"
            owner_label = Text.assemble((owner or "shared", "" if owner else "italic"), count_text(len(members)))
            owner_node = self._branch(domain_node, Branch("owner", owner_key, region), owner_label)
            self._add_spaces(owner_node, owner_key, members)

    def _add_spaces(self, parent: TreeNode, key: str, spaces: list[Space]) -> None:
        limit = self._pages.get(key, PAGE)
        nodes = self._space_nodes
        for space in spaces[:limit]:
            nodes[space.key] = parent.add_leaf(self._label(space), space)
        if len(spaces) > limit:
            more = len(spaces) - limit
            branch = Branch("more", key)
            self._by_identity[branch.key] = parent.add_leaf(
                Text(f"… {more:,} more — narrow with / or press enter to show {min(more, PAGE)} more", style=MUTED),
                branch,
            )

    def _label(self, space: Space) -> Text:
        cached = self._labels.get(id(space))
        if cached is not None and cached[0] is space and cached[1] == self._columns and cached[2] == self.spinner:
            return cached[3]
        text = space_line(space, self._columns, self.spinner)
        if len(self._labels) > 20_000:
            self._labels.clear()
        self._labels[id(space)] = (space, self._columns, self.spinner, text)
        return text

    def _branch(self, parent: TreeNode, branch: Branch, label: Text) -> TreeNode:
        node = self._by_identity[branch.key] = parent.add(label, branch, expand=branch.key not in self._collapsed)
        return node

    def _all_nodes(self):
        stack = list(self.root.children)
        while stack:
            node = stack.pop(0)
            yield node
            stack[0:0] = list(node.children)

    def _cursor_identity(self) -> object:
        node = self.cursor_node
        return None if node is None else _identity(node.data)

    # --- in-place updates -----------------------------------------------------------------

    def update_space(self, space: Space) -> bool:
        """Redraw one space line (progress); False if it is not on screen."""
        node = self._space_nodes.get(space.key)
        if node is None:
            return False
        node.data = space
        node.set_label(space_line(space, self._columns, self.spinner))
        return True

    def tick_spinners(self, frame: str) -> None:
        self.spinner = frame
        for node in self._space_nodes.values():
            space = node.data
            if isinstance(space, Space) and space.status.in_transition:
                node.set_label(space_line(space, self._columns, frame))

    @property
    def highlighted_space(self) -> Space | None:
        node = self.cursor_node
        return node.data if node is not None and isinstance(node.data, Space) else None

    def space_lines(self) -> list[Space]:
        """The spaces currently drawn (tests and the palette use this)."""
        return [n.data for n in self._space_nodes.values() if isinstance(n.data, Space)]

    # --- events ---------------------------------------------------------------------------

    def action_activate(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if isinstance(node.data, Space):
            self.post_message(self.SpaceActivated(node.data))
        elif isinstance(node.data, Branch) and node.data.kind == "more":
            self._pages[node.data.key] = self._pages.get(node.data.key, PAGE) + PAGE
            if self._content is not None:
                self.show(self._content)
        else:
            node.toggle()

    def on_tree_node_collapsed(self, event: Tree.NodeCollapsed) -> None:
        if isinstance(event.node.data, Branch):
            self._collapsed.add(event.node.data.key)

    def on_tree_node_expanded(self, event: Tree.NodeExpanded) -> None:
        if isinstance(event.node.data, Branch):
            self._collapsed.discard(event.node.data.key)
            group = self._pending.pop(event.node.id, None)
            if group is not None:
                self._opened.add(event.node.data.key)
                self._fill_domain(event.node, group)


def _identity(data: object) -> object:
    if isinstance(data, Space):
        return data.key
    if isinstance(data, Branch):
        return data.key
    return None


def _region_label(region: str, spaces: list[Space], state: RegionState) -> Text:
    label = Text(region, style="bold")
    if state.loading:
        label.append("  loading…", style=AMBER)
    if state.error:
        label.append(f"  ⚠ {state.error}", style=RED)
    elif state.domains is not None:
        label.append(f"  {state.domains} domain{'s' if state.domains != 1 else ''}", style=MUTED)
    return label


def _studio_label(tally: Tally) -> Text:
    return Text.assemble(("Studio", ""), count_text(tally.total, tally.running, tally.busy))
