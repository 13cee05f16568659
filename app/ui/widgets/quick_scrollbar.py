"""A vertical scrollbar whose rows are drawn from its segments directly.

A `/` keystroke that changes how many spaces the tree holds moves the scrollbar's thumb, and
Textual repaints the whole bar: the bar as a Rich renderable through its Visual pipeline, split
into lines, each line through the widget's CSS (~2 ms for 38 rows, as much as the tree's own rows).
A row of a vertical bar is one segment on the widget's style, so it is drawn as that: the
segment's text under `rich_style + segment.style`, then the app's line filters, as Textual's
pipeline does for a widget without border, padding or tint. That equivalence is not assumed: the
bar is drawn Textual's way until, for the current style, width and filters, every row drawn
directly equals Textual's (checked once per such context, so a theme or hover change is checked
again). Rows are then remembered by segment: a bar has four kinds (track above, thumb, the thumb's
partial ends, track below).
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip

_MEMO_LIMIT = 512  # remembered rows: a handful per context


class QuickScrollBar(ScrollBar):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._rows: dict[tuple, Strip] = {}
        self._checked: set[tuple] = set()  # contexts where direct rows matched Textual's

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._rows.clear()
        self._checked.clear()

    def _bar_segments(self) -> list[Segment] | None:
        """One segment per row, as ScrollBarRender yields them; None when the bar is not that simple."""
        renderer = self.render()
        if type(renderer) is not ScrollBarRender or not self.vertical:
            return None
        width, height = self.size
        style = renderer.style
        if not isinstance(style, Style) or style.bgcolor is None or style.color is None:
            return None
        bar = renderer.render_bar(
            size=height,
            virtual_size=renderer.virtual_size,
            window_size=renderer.window_size,
            position=renderer.position,
            thickness=width,
            vertical=True,
            back_color=style.bgcolor,
            bar_color=style.color,
        )
        return bar.segments

    def render_lines(self, crop: Region) -> list[Strip]:
        if not self._styles_cache._dirty_lines:  # unchanged since Textual drew it: its cache is cheap
            return super().render_lines(crop)
        width = self.size.width
        segments = self._bar_segments()
        if segments is None or len(segments) < crop.bottom or crop.x != 0 or crop.width != width:
            return super().render_lines(crop)
        base, background, filters = self.rich_style, self.background_colors[1], tuple(self.get_line_filters())
        context = (width, base, background, filters)
        rows = self._rows
        if len(rows) > _MEMO_LIMIT:
            rows.clear()

        def row(segment: Segment) -> Strip:
            key = (segment, context)
            strip = rows.get(key)
            if strip is None:
                strip = Strip([Segment(segment.text, base + segment.style)], width)
                for line_filter in filters:
                    strip = strip.apply_filter(line_filter, background)
                rows[key] = strip
            return strip

        if context in self._checked:
            return [row(segments[y]) for y in crop.line_range]
        strips = super().render_lines(crop)
        if all(row(segments[y]) == strip for y, strip in zip(crop.line_range, strips, strict=True)):
            self._checked.add(context)
        else:
            rows.clear()
        return strips
