"""The credentials banner: what failed, the command that fixes it, and the retry key."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from .labels import AMBER, RED


class CredentialsBanner(Static):
    """Expired or missing credentials: what happened, the command that fixes it, and the retry key."""

    def show(self, message: str, fix: str | None) -> None:
        text = Text.assemble(("⚠ ", f"bold {RED}"), (message, "bold"))
        if fix:
            text.append("\n  Fix: ", style="bold")
            text.append(fix, style=f"bold {AMBER}")
        text.append("   then press ", style="")
        text.append("ctrl+r", style=f"bold {AMBER}")
        text.append(" to retry", style="")
        self.update(text)
        self.add_class("-visible")

    def hide(self) -> None:
        self.remove_class("-visible")
