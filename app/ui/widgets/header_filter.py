"""The header's filter cell, spliced into its row instead of rendering the row's grid per keystroke.

Typing in the `/` filter changes one cell of the header's third row. Rendering that row (a Rich
grid through Textual's Visual pipeline) on every keystroke would be most of what the header
costs. The grid's column widths do not depend on the content, so the cell is a fixed span of the
row: a probe row (the cell filled with a marker) gives the span and its style, and a new filter
text is that span re-filled.

Only plain text that fits goes this way (ASCII, printable, shorter than the span: no ellipsis,
no wide characters); anything else renders the grid. The probe, for each width and set of other
cells, runs after the grid has drawn the row (so neither on a keystroke nor before the first
frame), and a sample text spliced into it must equal, cell for cell, the grid's own rendering of
that text; a mismatch turns splicing off for good.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

if TYPE_CHECKING:
    from .header import ContextHeader

FILTER_ROW, FILTER_COLUMN = 2, 3
_MARK = "|"


class Template(NamedTuple):
    width: int
    others: tuple  # the row key without the filter text: the template holds those cells
    strip: Strip
    start: int  # the filter cell's span: [start, end)
    end: int
    style: Style


class FilterCell:
    def __init__(self) -> None:
        self._template: Template | None = None  # set only once checked against the grid
        self._off = False

    def splice(self, key: tuple, width: int) -> Strip | None:
        """The filter row for row key `key`, or None when the grid should render it."""
        regions, note, busy, failed = key
        template = self._template
        if template is None or template.width != width or template.others != (regions, busy, failed):
            return None
        if (
            not note
            or not (note.isascii() and note.isprintable())
            or len(note) >= template.end - template.start
        ):
            return None
        return _fill(template, note)

    def prepare(self, header: ContextHeader, key: tuple, width: int) -> None:
        """Probe and check the template for this row's other cells, if not done yet: called after
        the grid drew the row (not on a keystroke, nor before the first frame)."""
        regions, _, busy, failed = key
        others = (regions, busy, failed)
        template = self._template
        if self._off or (template is not None and template.width == width and template.others == others):
            return
        self._template = None
        template = _probe(header, width, others)
        if template is None:
            return
        sample = "x-0"  # a short filter text: spliced and rendered by the grid, cell for cell the same?
        cells = list(header.cells()[FILTER_ROW])
        cells[FILTER_COLUMN] = Text(sample)
        if _cells(header.render_row(FILTER_ROW, width, tuple(cells))) != _cells(_fill(template, sample)):
            self._off = True
            return
        self._template = template


def _fill(template: Template, note: str) -> Strip:
    span = template.end - template.start
    return Strip.join(
        [
            template.strip.crop(0, template.start),
            Strip([Segment(note.ljust(span), template.style)], span),
            template.strip.crop(template.end, template.width),
        ]
    )


def _probe(header: ContextHeader, width: int, others: tuple) -> Template | None:
    """The row rendered with the filter cell full of markers: where the cell is, and its style."""
    cells = list(header.cells()[FILTER_ROW])
    cells[FILTER_COLUMN] = Text(_MARK * width)
    strip = header.render_row(FILTER_ROW, width, tuple(cells))
    text = strip.text
    start = text.find(_MARK)
    end = text.find("…", start) + 1  # a no-wrap cell ends in an ellipsis when its text is cut
    if start <= 0 or end <= start + 1 or text[start : end - 1] != _MARK * (end - 1 - start):
        return None
    if cell_len(text[:end]) != end or strip.cell_length != width:
        return None  # wide characters before the cell: positions are not cells
    style = next((s.style for s in strip.crop(start, start + 1) if s.style is not None), None)
    if style is None:
        return None
    return Template(width, others, strip, start, end, style)


def _cells(strip: Strip) -> list[tuple[str, Style | None]]:
    return [(char, segment.style) for segment in strip for char in segment.text]
