"""The header's filter cell, spliced into its row instead of rendering the row's grid per keystroke.

Typing in the `/` filter changes one cell of the header's third row. Rendering that row (a Rich
grid through Textual's Visual pipeline) costs ~1 ms, on every keystroke. The grid's column widths
do not depend on the content, so the cell is a fixed span of the row: a probe row (the cell
filled with a marker) gives the span and its style, and a new filter text is that span re-filled.

Only plain text that fits goes this way (ASCII, printable, shorter than the span: no ellipsis,
no wide characters); anything else renders the grid. And the first spliced row for each width and
set of other cells is checked, cell by cell, against the grid's own rendering; a mismatch turns
splicing off for good.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

if TYPE_CHECKING:
    from app.ui.widgets.header import ContextHeader

FILTER_ROW, FILTER_COLUMN = 2, 3
_MARK = "|"


@dataclass(frozen=True)
class _Template:
    width: int
    others: tuple  # the row key without the filter text: the template holds those cells
    strip: Strip
    start: int  # the filter cell's span: [start, end)
    end: int
    style: Style


class FilterCell:
    def __init__(self) -> None:
        self._template: _Template | None = None
        self._checked = False  # a spliced row matched the grid's rendering for this template
        self._off = False

    def splice(self, header: ContextHeader, key: tuple, width: int) -> Strip | None:
        """The filter row for row key `key`, or None when the grid should render it."""
        regions, note, busy, failed = key
        others = (regions, busy, failed)
        if self._off or not note or not (note.isascii() and note.isprintable()):
            return None
        template = self._template
        if template is None or template.width != width or template.others != others:
            template = self._template = _probe(header, width, others)
            self._checked = False
            if template is None:
                return None
        span = template.end - template.start
        if len(note) >= span:
            return None
        row = Strip.join([
            template.strip.crop(0, template.start),
            Strip([Segment(note.ljust(span), template.style)], span),
            template.strip.crop(template.end, width),
        ])
        if not self._checked:
            rendered = header._render_row(FILTER_ROW, width)
            if _cells(rendered) != _cells(row):
                self._off = True
                return rendered
            self._checked = True
        return row


def _probe(header: ContextHeader, width: int, others: tuple) -> _Template | None:
    """The row rendered with the filter cell full of markers: where the cell is, and its style."""
    cells = list(header._cells()[FILTER_ROW])
    cells[FILTER_COLUMN] = Text(_MARK * width)
    strip = header._render_row(FILTER_ROW, width, tuple(cells))
    text = strip.text
    start = text.find(_MARK)
    end = text.find("…", start) + 1  # a no-wrap cell ends in an ellipsis when its text is cut
    if start <= 0 or end <= start + 1 or text[start:end - 1] != _MARK * (end - 1 - start):
        return None
    if cell_len(text[:end]) != end or strip.cell_length != width:
        return None  # wide characters before the cell: positions are not cells
    style = next((s.style for s in strip.crop(start, start + 1) if s.style is not None), None)
    if style is None:
        return None
    return _Template(width, others, strip, start, end, style)


def _cells(strip: Strip) -> list[tuple[str, Style | None]]:
    return [(char, segment.style) for segment in strip for char in segment.text]
