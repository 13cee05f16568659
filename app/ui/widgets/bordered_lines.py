"""Textual's per-line styling, short-cut for a bordered Line-API widget's content rows.

Textual wraps every repainted line of a widget in its CSS (StylesCache.render_line): for a content
row of a bordered widget that means re-reading the border and outline, building the two border
cells' styles, checking hatch, tint and opacity — ~40 µs a line, about as much as drawing the line.
A `/` keystroke that changes the tree repaints its ~40 rows, so the tree takes this subclass: when
the widget's CSS has a left and right border and no padding, outline, hatch, tint or opacity, a
content row is built as Textual builds it (content strip fitted to the content width, between the
border cells), with the border cells worked out once per repaint. Any other row or style goes
Textual's way. The snapshot tests hold the result to Textual's, cell for cell.

Relies on textual._styles_cache (private, textual 8.2.x): widgets keep one in `_styles_cache`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual._border import get_box
from textual._styles_cache import StylesCache
from textual.geometry import Region
from textual.strip import Strip
from textual.style import Style

if TYPE_CHECKING:
    from textual.widget import Widget


class BorderedLinesCache(StylesCache):
    def __init__(self) -> None:
        super().__init__()
        # For the repaint under way: (top rows, bottom rows, left cell, right cell, inner style), or None.
        self._fast: tuple | None = None

    def render_widget(self, widget: Widget, crop: Region) -> list[Strip]:
        self._fast = self._fast_rows(widget)
        try:
            return super().render_widget(widget, crop)
        finally:
            self._fast = None

    def render_line(
        self,
        styles,
        y,
        size,
        content_size,
        padding,
        base_background,
        background,
        render_content_line,
        border_title,
        border_subtitle,
        opacity,
        ansi_theme,
        native_ansi,
    ) -> Strip:
        fast = self._fast
        if fast is not None:
            top, bottom, left, right, inner = fast
            width, height = size
            if top <= y < height - bottom:  # a content row (no padding: the gutter is the border)
                content_width, content_height = content_size
                content_y = y - top
                if content_y < content_height:
                    line = render_content_line(content_y).adjust_cell_length(content_width, inner)
                else:
                    line = Strip.blank(content_width, inner)
                return Strip([left, *line, right], width)
        return super().render_line(
            styles,
            y,
            size,
            content_size,
            padding,
            base_background,
            background,
            render_content_line,
            border_title,
            border_subtitle,
            opacity,
            ansi_theme,
            native_ansi,
        )

    def _fast_rows(self, widget: Widget) -> tuple | None:
        """What a content row needs, when the widget's CSS lets it take the short cut; else None."""
        styles = widget.styles
        if widget.opacity != 1.0 or styles.text_opacity != 1.0 or styles.tint.a or any(styles.padding):
            return None
        if any(edge for edge, _ in styles.outline):
            return None
        if styles.has_rule("hatch") and styles.hatch != "none":
            return None
        (top, _), (right_edge, right_color), (bottom, _), (left_edge, left_color) = styles.border
        if not (left_edge and right_edge):
            return None
        base_background, background = widget.background_colors
        inner, outer = self.get_inner_outer(base_background, background)
        left = get_box(left_edge, inner, outer, Style(foreground=base_background + left_color))[1][0]
        right = get_box(right_edge, inner, outer, Style(foreground=base_background + right_color))[1][2]
        return (1 if top else 0), (1 if bottom else 0), left, right, inner.rich_style
