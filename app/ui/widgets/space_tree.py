"""The Toolkit-shaped tree: Region → SageMaker AI → Studio → spaces (or → domain → user profile → spaces).

A ScrollView drawing with the Line API, not a Textual Tree: Tree makes a node object per row and
re-renders every visible line on each rebuild. Here the filtered lists are the rows
(tree_rows.Lines), only the lines on screen are drawn, each drawn line is kept as a Strip keyed by
what it shows (tree_drawing.py), and a rebuild repaints only the lines whose content changed: a
cursor move repaints two lines, a filter keystroke the lines that now show something else.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from ...model import Space
from ..view import Tally, group_by_domain
from .labels import MUTED, Columns, count_text
from .tree_cursor import TreeCursor
from .tree_drawing import ICON_OPEN, Look, TreeStrips, line_key
from .tree_rows import (
    AccountState,
    Branch,
    Lines,
    Node,
    RegionState,
    Row,
    account_label,
    depth_of,
    fill_domain,
    region_label,
    studio_label,
)
from .tree_scroll import cell, thumb, top_for

__all__ = ["AccountState", "Branch", "RegionState", "SpaceTree", "TreeContent"]

LAZY_GROUPS = 600  # above this many matching spaces, grouped domains open on demand
SAMPLE = 300  # column widths fit the first rows of each branch: measuring 10k names per keystroke is waste


@dataclass
class TreeContent:
    regions: list[str]
    spaces: dict[str, list[Space]]  # per region, already filtered
    states: dict[str, RegionState] = field(default_factory=dict)
    grouped: bool = False
    tallies: dict[str, Tally] = field(default_factory=dict)
    # Several accounts side by side: each is a top-level branch holding its regions.
    accounts: list[AccountState] | None = None


class SpaceTree(TreeCursor, ScrollView, can_focus=True):
    """Spaces by region; enter on a space asks the app to connect."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"tree--cursor", "tree--guides"}
    DEFAULT_CSS = """
    SpaceTree {
        background: $surface;
        color: $foreground;
        & > .tree--guides { color: $surface-lighten-2; }
        & > .tree--cursor {
            text-style: $block-cursor-blurred-text-style;
            background: $block-cursor-blurred-background;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .tree--cursor {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
                text-style: $block-cursor-text-style;
            }
            & > .tree--guides { color: $surface-lighten-3; }
        }
        &:light > .tree--guides { color: $surface-darken-1; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "activate", "Connect/expand", show=False),
        Binding("space", "toggle_branch", "Open/close", show=False),
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
    ]

    class SpaceActivated(Message):
        def __init__(self, space: Space) -> None:
            self.space = space
            super().__init__()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spinner = "⠋"
        self.cursor_line = -1  # no line yet: the first listing puts it on the first space
        self._roots: list[Node] = []
        self._lines = Lines([], lambda node: True)
        self._collapsed: set[str] = set()
        self._opened: set[str] = set()  # lazily built domains the user opened: keep them open
        self._lazy = False
        self._columns = Columns()
        self._content: TreeContent | None = None
        self._highlighted: object = None  # the last line announced with NodeHighlighted
        self._strips = TreeStrips()
        self._look: Look | None = None  # from the CSS: reset when the styles or the focus change
        self._drawn: dict[int, Hashable] = {}  # line on screen (y) -> the key of what was drawn there

    # --- building -------------------------------------------------------------------------

    def show(self, content: TreeContent) -> None:
        """Rebuild from `content`, keeping the cursor on the same space or branch."""
        self._content = content
        keep = self._cursor_target()
        sample = [s for r in content.regions for s in content.spaces.get(r, [])[:SAMPLE]]
        self._columns = Columns.fit(sample)
        self._lazy = sum(len(content.spaces.get(r, [])) for r in content.regions) > LAZY_GROUPS
        self._roots = []
        if content.accounts is None:
            for region in content.regions:
                state = content.states.get(region, RegionState())
                spaces, tally = content.spaces.get(region, []), content.tallies.get(region, Tally())
                self._roots.append(self._region(region, "", spaces, state, tally, content.grouped))
        else:
            self._account_roots(content, content.accounts)
        self._relayout(keep)

    def _account_roots(self, content: TreeContent, accounts: list[AccountState]) -> None:
        """Account → region → …: each account's spaces split out of the regions' filtered lists
        (which keep their order), so filters and counts work as for one account."""
        split: dict[tuple[str, str], list[Space]] = {}
        for region in content.regions:
            for space in content.spaces.get(region, []):
                split.setdefault((space.account, region), []).append(space)
        for account in accounts:
            prefix = f"a/{account.key}/"
            node = Node(Branch("account", prefix, top=True), account_label(account))
            for region in content.regions:
                spaces = split.get((account.account_id or "", region), [])
                state = account.regions.get(region, RegionState())
                tally = Tally.of([s.status for s in spaces])
                node.add(self._region(region, prefix, spaces, state, tally, content.grouped))
            self._roots.append(node)

    def _region(
        self, region: str, prefix: str, spaces: list[Space], state: RegionState, tally: Tally, grouped: bool
    ) -> Node:
        """A region's branch: SageMaker AI → Studio → its spaces (or → domain → user profile → spaces)."""
        key = prefix + region
        region_node = Node(Branch("region", key, region, top=not prefix), region_label(region, state))
        service = region_node.add(Node(Branch("service", f"{key}/sm", region), Text("SageMaker AI")))
        studio = service.add(Node(Branch("studio", f"{key}/studio", region), studio_label(tally)))
        if grouped:
            for group in group_by_domain(spaces):
                label = Text.assemble(
                    (group.domain_name, "bold"), (f"  {group.domain_id}", MUTED), count_text(group.count)
                )
                studio.add(Node(Branch("domain", f"{key}/d/{group.domain_id}", region), label, group=group))
        else:
            studio.spaces = spaces
        return region_node

    def _is_open(self, node: Node) -> bool:
        key = node.data.key
        if key in self._collapsed:
            return False
        if node.group is not None:
            if self._lazy and key not in self._opened:
                return False
            if not node.children:
                fill_domain(node, node.group)
        return True

    def _relayout(self, keep: object) -> None:
        """Flatten the branches, put the cursor back on `keep` (a space or a branch key), repaint."""
        self._lines = Lines(self._roots, self._is_open)
        line = None
        if isinstance(keep, Space):
            line = self._lines.space_line(keep)
        elif isinstance(keep, str):
            line = self._lines.branch_lines.get(keep)
        if line is None:  # nothing to keep (or it is gone): the first space, else no cursor yet
            runs = self._lines.runs()
            closed = any(n.group is not None and not n.children for n in self._lines.nodes())
            line = runs[0][0] if runs else 0 if closed else -1  # closed domains: start on the first line
        self.cursor_line = min(line, self._lines.total - 1)
        self._set_line_count(self._lines.total)
        # Scrolled before the repaint, so the lines are drawn once, at their final offset.
        if self.scrollable_content_region.height:
            self._scroll_to_cursor()
        else:
            self.call_after_refresh(self._scroll_to_cursor)  # not laid out yet
        self._refresh_changed_lines()
        self._announce()

    def _content_width(self) -> int:
        """The widest line, as Tree measured it: the horizontal scrollbar shows only when needed."""
        cols = self._columns
        label = cols.name + cols.instance + cols.owner + 35  # space_line: 6 cells, 5 gaps of 2
        widest = 0
        nested = self._content is not None and self._content.accounts is not None  # under accounts
        for start, _ in self._lines.runs():
            row = self._lines.row(start)
            if row is not None:  # always, for a run's first line
                widest = max(widest, 3 * (len(row.guides) + 1) + label)
        for node in self._lines.nodes():
            depth = depth_of(node.data.kind) + (0 if node.data.top or not nested else 1)
            widest = max(widest, node.label.cell_len + len(ICON_OPEN) + 3 * depth)
        return widest

    def _set_line_count(self, total: int) -> None:
        # One column more than the widest line: the scroll bar's (tree_scroll.py).
        size, old = Size(self._content_width() + 1, total), self.virtual_size
        region = self.scrollable_content_region
        if size == old:
            return
        if region.height and (old.width > region.width) == (size.width > region.width):
            # No scrollbar comes or goes (the vertical one is ours, drawn into the lines): move the
            # range in place. Setting virtual_size asks for a layout of the whole screen, on every
            # keystroke in the filter.
            self.set_reactive(Widget.virtual_size, size)
            self.horizontal_scrollbar.window_virtual_size = size.width
            self.scroll_to(
                x=min(self.scroll_offset.x, max(0, size.width - region.width)),
                y=min(self.scroll_offset.y, max(0, total - region.height)),
                animate=False,
                immediate=True,
            )
        else:
            self.virtual_size = size

    # --- drawing --------------------------------------------------------------------------

    def _current_look(self) -> Look:
        if self._look is None or self._look.columns != self._columns:
            self._look = Look(
                self.rich_style,
                self.get_component_rich_style("tree--guides", partial=True),
                self.get_component_rich_style("tree--cursor", partial=False),
                self._columns,
                *self._bar_styles(),
            )
        return self._look

    def _bar_styles(self) -> tuple[Style, Style]:
        """The track's and the thumb's colours, from the scrollbar styles Textual's own bar uses."""
        track = self.background_colors[1] + self.styles.scrollbar_background
        return Style(bgcolor=track.rich_color), Style(
            bgcolor=(track + self.styles.scrollbar_color).rich_color
        )

    def _thumb(self) -> range:
        return thumb(self._lines.total, self.size.height, self.scroll_offset.y)

    def _line(self, line: int) -> tuple[Hashable, Row | None, bool]:
        """The key of what `line` shows (tree_drawing.line_key, or None past the end), its row, and
        whether the row is an open branch."""
        row = self._lines.row(line)
        if row is None:
            return None, None, False
        opened = row.node is not None and self._is_open(row.node)
        return (
            line_key(row, line == self.cursor_line, opened, self._current_look(), self.spinner),
            row,
            opened,
        )

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width - 1  # the last column is the scroll bar
        look = self._current_look()
        key, row, opened = self._line(scroll_y + y)
        on_thumb = y in self._thumb()
        self._drawn[y] = (key, scroll_x, width, on_thumb)
        bar = cell(look.thumb if on_thumb else look.track)
        if row is None:
            return Strip.join([Strip.blank(width, look.base), bar])
        strip = self._strips.get(
            key, row, scroll_y + y == self.cursor_line, opened, look, self.spinner, self.app.console
        )
        return Strip.join([strip.crop_extend(scroll_x, scroll_x + width, look.base), bar])

    def _refresh_changed_lines(self) -> None:
        """Repaint the lines on screen that would now show something else than was drawn there."""
        width, height = self.size
        scroll_x, scroll_y = self.scroll_offset
        bar = self._thumb()
        changed: list[Region] = []
        for y in range(height):
            if self._drawn.get(y) != (self._line(scroll_y + y)[0], scroll_x, width - 1, y in bar):
                last = changed[-1] if changed else None
                if last is not None and last.bottom == y:  # one region per run of changed lines
                    changed[-1] = Region(0, last.y, width, last.height + 1)
                else:
                    changed.append(Region(0, y, width, 1))
        if changed:
            self.refresh(*changed)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._look = None
        self._strips.clear()

    def on_focus(self, event: events.Focus) -> None:
        self._look = None  # the cursor and guides have styles of their own under :focus
        self.refresh()

    def on_blur(self, event: events.Blur) -> None:
        self._look = None
        self.refresh()

    # --- in-place updates -----------------------------------------------------------------

    def update_space(self, space: Space) -> bool:
        """Redraw one space line (progress); False if it is not drawn."""
        line = self._lines.space_line(space)
        if line is None:
            return False
        row = self._lines.row(line)
        assert row is not None and row.run is not None
        row.run[row.position] = space  # the run is the filtered list the app drew from: keep it current
        self.refresh_line(line)
        if line == self.cursor_line:
            self._highlighted = space
        return True

    def tick_spinners(self, frame: str) -> None:
        self.spinner = frame
        top = self.scroll_offset.y
        for line in range(top, min(self._lines.total, top + self.size.height)):
            row = self._lines.row(line)
            if row is not None and row.space is not None and row.space.status.in_transition:
                self.refresh_line(line)

    @property
    def highlighted_space(self) -> Space | None:
        row = self._lines.row(self.cursor_line)
        return row.space if row is not None else None

    @property
    def highlighted_place(self) -> tuple[str, str | None, str | None, str | None] | None:
        """(region, domain id, user profile, account id) of the highlighted line, as far as it says:
        a space line says all four (no profile for a shared space), a domain or profile branch its
        part (not the account: branch keys name it by profile)."""
        row = self._lines.row(self.cursor_line)
        if row is None:
            return None
        if row.space is not None:
            s = row.space
            return s.region, s.domain_id, None if s.shared else s.owner, s.account
        if row.node is None:
            return None
        parts = row.node.data.key.split("/")  # [a/<account>/]<region>/d/<domain id>/u/<user profile>
        if parts[0] == "a":
            parts = parts[2:]
        domain = parts[2] if len(parts) > 2 and parts[1] == "d" else None
        owner = parts[4] if len(parts) > 4 and parts[3] == "u" and parts[4] else None
        return row.node.data.region, domain, owner, None

    def space_lines(self) -> list[Space]:
        """The spaces in open branches (tests and the palette use this)."""
        return [s for _, run in self._lines.runs() for s in run]

    # --- events ---------------------------------------------------------------------------

    def action_activate(self) -> None:
        row = self._lines.row(self.cursor_line)
        if row is None:
            return
        if row.space is not None:
            self.post_message(self.SpaceActivated(row.space))
        else:
            self.action_toggle_branch()

    def action_toggle_branch(self) -> None:
        row = self._lines.row(self.cursor_line)
        if row is None or row.node is None:
            return
        key = row.node.data.key
        if self._is_open(row.node):
            self._collapsed.add(key)
        else:
            self._collapsed.discard(key)
            self._opened.add(key)
        self._relayout(key)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.x >= self.size.width - 1:  # the scroll bar's column
            return
        line = offset.y + self.scroll_offset.y
        if line >= self._lines.total:
            return
        self._set_cursor(line)
        row = self._lines.row(line)
        if row is not None and row.node is not None:
            self.action_toggle_branch()

    # The scroll bar (tree_scroll.py): press or drag in the last column to scroll there.

    def on_mouse_down(self, event: events.MouseDown) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and offset.x >= self.size.width - 1:
            self.capture_mouse()
            self._drag_bar(offset.y)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self.app.mouse_captured is self:
            self._drag_bar(event.y)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self.app.mouse_captured is self:
            self.release_mouse()

    def _drag_bar(self, row: int) -> None:
        top = top_for(row, self._lines.total, self.size.height)
        self.scroll_to(y=top, animate=False, immediate=True)
