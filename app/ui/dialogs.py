"""Questions to the user from the flows that run as workers, one at a time.

Several actions can be in flight at once; a dialog pushed while the user is answering another would
take the key meant for the first, so each waits for the one before it to be answered.
"""

from __future__ import annotations

import asyncio
from typing import TypeVar

from rich.text import Text
from textual.app import App
from textual.screen import Screen

Answer = TypeVar("Answer")


class Dialogs:
    def __init__(self, app: App[int]) -> None:
        self._app = app
        self._one_at_a_time = asyncio.Lock()

    async def ask(self, screen: Screen[Answer]) -> Answer:
        """Show `screen` and wait for its answer (only from a worker: Textual's push_screen_wait)."""
        async with self._one_at_a_time:
            return await self._app.push_screen_wait(screen)

    async def confirm(self, title: str, body: str | Text, yes: str, *, danger: bool = True) -> bool:
        """y / n / esc; True only on y."""
        from .screens.confirm import ConfirmScreen

        answer: bool = await self.ask(ConfirmScreen(title, body, yes, danger))
        return answer is True
