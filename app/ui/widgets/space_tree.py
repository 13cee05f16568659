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

from app.model import Space, SpaceStatus
from app.ui.view import group_by_domain, sort_spaces
from app.ui.widgets.labels import AMBER, MUTED, RED, Columns, count_text, space_line

PAGE = 300


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
        self._space_nodes: dict[tuple[str, str, str], TreeNode] = {}
        self._columns = Columns()
        self._content: TreeContent | None = None

    # --- building -------------------------------------------------------------------------

    def show(self, content: TreeContent) -> None:
        """Rebuild from `content`, keeping the cursor on the same space or branch."""
        self._content = content
        keep = self._cursor_identity()
        self.clear()
        self._space_nodes.clear()
        visible = [s for r in content.regions for s in content.spaces.get(r, [])]
        self._columns = Columns.fit(visible)
        target: TreeNode | None = None
        for region in content.regions:
            spaces = content.spaces.get(region, [])
            state = content.states.get(region, RegionState())
            region_node = self._branch(self.root, Branch("region", region, region), _region_label(region, spaces, state))
            service = self._branch(region_node, Branch("service", f"{region}/sm", region), Text("SageMaker AI"))
            studio = self._branch(service, Branch("studio", f"{region}/studio", region), _studio_label(spaces, state))
            if content.grouped:
                self._add_grouped(studio, region, spaces)
            else:
                self._add_spaces(studio, f"{region}/studio", sort_spaces(spaces))
        for node in self._all_nodes():
            if keep is not None and _identity(node.data) == keep:
                target = node
                break
        if target is not None:
            self.call_after_refresh(self.move_cursor, target)
        elif self._space_nodes:
            first = next(iter(self._space_nodes.values()))
            self.call_after_refresh(self.move_cursor, first)

    def _add_grouped(self, studio: TreeNode, region: str, spaces: list[Space]) -> None:
        for group in group_by_domain(spaces):
            key = f"{region}/d/{group.domain_id}"
            label = Text.assemble((group.domain_name, "bold"), (f"  {group.domain_id}", MUTED), count_text(group.count))
            domain_node = self._branch(studio, Branch("domain", key, region), label)
            owners = sorted(group.by_owner, key=lambda o: (o == "", o.lower()))
            for owner in owners:
                members = sort_spaces(group.by_owner[owner])
                owner_key = f"{key}/u/{owner}"
                owner_label = Text.assemble(
                    (owner or "shared", "" if owner else "italic"), count_text(len(members))
                )
                owner_node = self._branch(domain_node, Branch("owner", owner_key, region), owner_label)
                self._add_spaces(owner_node, owner_key, members)

    def _add_spaces(self, parent: TreeNode, key: str, spaces: list[Space]) -> None:
        limit = self._pages.get(key, PAGE)
        for space in spaces[:limit]:
            self._space_nodes[space.key] = parent.add_leaf(space_line(space, self._columns, self.spinner), space)
        if len(spaces) > limit:
            more = len(spaces) - limit
            parent.add_leaf(
                Text(f"… {more:,} more — narrow with / or press enter to show {min(more, PAGE)} more", style=MUTED),
                Branch("more", key),
            )

    def _branch(self, parent: TreeNode, branch: Branch, label: Text) -> TreeNode:
        return parent.add(label, branch, expand=branch.key not in self._collapsed)

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


def _studio_label(spaces: list[Space], state: RegionState) -> Text:
    running = sum(1 for s in spaces if s.status is SpaceStatus.RUNNING)
    busy = sum(1 for s in spaces if s.status.in_transition)
    return Text.assemble(("Studio", ""), count_text(len(spaces), running, busy))
