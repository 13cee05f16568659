"""The UI's view of app.config: settings in, settings out, and the listing cache.

Every call is guarded: a broken settings or cache file must never stop the UI from painting.
app.config (and tomllib with it) is imported by the calls, not before the first frame needs it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..model import Space
from .view import OwnerPair

if TYPE_CHECKING:
    from ..config import Settings


@dataclass
class Prefs:
    """What the UI keeps between runs (a docstring also spares @dataclass an inspect.signature)."""

    profile: str | None = None  # chosen in the picker and worked (None: the default chain)
    regions: list[str] = field(default_factory=list)
    owners: frozenset[OwnerPair] | None = None
    refresh_interval: float = 60.0
    theme: str | None = None
    grouped: bool = False
    show_all: bool = False  # the user chose "show all": no SSO "my spaces" default
    ask_before_start: bool = True  # connect, VS Code and forwards ask before starting a space
    persist: bool = False  # connect keeps the shell in tmux on the space (connect --persist)


class SettingsFile:
    """The settings file for this run: read once at the start, written back on each change,
    unless it could not be read (a broken file is reported once and never rewritten)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled  # off: defaults, nothing read or written (tests, --demo)
        self._read: Settings | None = None  # what was read: unknown keys survive a save

    def load(self) -> tuple[Prefs, str | None]:
        """(prefs, a warning to show once, or None)."""
        if not self.enabled:  # no timed refresh either: `r` and the polling of changing spaces
            return Prefs(refresh_interval=0.0), None
        prefs, warning, self._read = load()
        if warning:
            self._read = None
        return prefs, warning

    def save(self, prefs: Prefs) -> str | None:
        """A warning line when the file could not be written."""
        return save(self._read, prefs) if self.enabled else None


def load() -> tuple[Prefs, str | None, Settings | None]:
    """(prefs, warning, the settings as read, to hand back to save)."""
    try:
        from .. import config

        settings, warning = config.load_settings()
    except Exception as exc:  # config module missing or broken: defaults, say so once
        return Prefs(), f"settings not loaded: {exc}", None
    owners = frozenset(_owner_pair(f) for f in settings.filters if "/" in f)
    prefs = Prefs(
        profile=settings.profile,
        regions=list(settings.regions),
        owners=owners or None,
        refresh_interval=float(settings.refresh_interval_s or 0),
        theme=settings.theme,
        grouped=bool(settings.group_by_domain),
        show_all=bool(settings.show_all),
        ask_before_start=bool(settings.ask_before_start),
        persist=bool(settings.persist),
    )
    return prefs, warning, settings


def _owner_pair(key: str) -> OwnerPair:
    domain_id, _, profile = key.partition("/")
    return (domain_id, profile)


def save(read: Settings | None, prefs: Prefs) -> str | None:
    """Write the preferences back; returns a warning line instead of raising."""
    if read is None:
        return None
    try:
        from .. import config

        changed = dataclasses.replace(
            read,
            profile=prefs.profile,  # None: the default chain
            regions=list(prefs.regions),
            theme=prefs.theme if prefs.theme is not None else read.theme,
            refresh_interval_s=int(prefs.refresh_interval),
            filters=sorted(f"{d}/{u}" for d, u in prefs.owners) if prefs.owners else [],
            show_all=prefs.show_all,
            group_by_domain=prefs.grouped,
            persist=prefs.persist,
        )
        config.save_settings(changed)
    except Exception as exc:
        return f"settings not saved: {exc}"
    return None


def load_cached(
    profile_key: str | None, region: str, endpoint: str | None
) -> tuple[list[Space], float] | None:
    try:
        from .. import config

        found = config.load_cache(profile_key, region, endpoint_url=endpoint)
    except Exception:
        return None
    if not found:
        return None
    spaces, saved_at = found
    return list(spaces), saved_at.timestamp()


def save_cached(profile_key: str | None, region: str, spaces: list[Space], endpoint: str | None) -> None:
    try:
        from .. import config

        config.save_cache(profile_key, region, spaces, endpoint_url=endpoint)
    except Exception:
        pass  # a cache is an optimisation; failing to write it is not worth a message
