"""The base of every sm-spaces dialog: its stylesheet is read when the first dialog opens.

Textual reads a screen's CSS_PATH as it pushes the screen, so the dialogs' rules are not parsed
before the first frame (BENCHMARKS.md's first paint).
"""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen

from ..styles import styles_path

Result = TypeVar("Result")


class Dialog(ModalScreen[Result]):
    """A modal screen styled by styles/dialogs.tcss (selectors name `Dialog` or its ids)."""

    CSS_PATH = str(styles_path("dialogs.tcss"))
