"""What the app tells the user: one-line toasts, and failures as their one readable line.

Messages hold names from AWS, so they are never markup. The last lines said are kept in `said`:
tests read them there rather than in Textual's private notification store.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import NamedTuple

from textual.app import App
from textual.notifications import SeverityLevel

KEPT = 200  # lines kept in `said`


class Notice(NamedTuple):
    message: str
    title: str
    severity: SeverityLevel


class Notices:
    def __init__(self, app: App[int], show_banner: Callable[[str, str | None], None]) -> None:
        self._app = app
        self._show_banner = show_banner  # credentials failures: a banner with the command that fixes them
        self.said: deque[Notice] = deque(maxlen=KEPT)

    def say(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
    ) -> None:
        self.said.append(Notice(message, title, severity))
        self._app.notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def warn(self, message: str, *, title: str = "", timeout: float | None = None) -> None:
        self.say(message, title=title, severity="warning", timeout=timeout)

    def fail(self, message: str, *, title: str = "") -> None:
        self.say(message, title=title, severity="error", timeout=10)

    def report(self, err: BaseException) -> None:
        """An AwsError as its one line (credentials also in the banner); anything else by its name
        and text. Never a traceback."""
        from ..aws.errors import AwsError

        if isinstance(err, AwsError):
            if err.kind == "credentials":
                self._show_banner(err.message, err.fix)
            self.fail(err.message, title=err.operation or "AWS")
        else:
            self.fail(str(err) or type(err).__name__, title="Error")

    def text(self) -> str:
        """Everything said that is still kept, one line each."""
        return "\n".join(notice.message for notice in self.said)
