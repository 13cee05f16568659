"""The UI's view of app.config: settings in, settings out, and the listing cache.

Every call is guarded: a broken settings or cache file must never stop the UI from painting.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from ..model import Space
from .view import OwnerPair


@dataclass
class Prefs:
    """What the UI keeps between runs (a docstring also spares @dataclass an inspect.signature)."""

    profile: str | None = None
    regions: list[str] = field(default_factory=list)
    owners: frozenset[OwnerPair] | None = None
    refresh_interval: float = 60.0
    theme: str | None = None
    grouped: bool = False
    show_all: bool = False  # the user chose "show all": no SSO "my spaces" default


def load() -> tuple[Prefs, str | None, object | None]:
    """(prefs, warning, raw settings object to hand back to save)."""
    try:
        from .. import config

        settings, warning = config.load_settings()
    except Exception as exc:  # config module missing or broken: defaults, say so once
        return Prefs(), f"settings not loaded: {exc}", None
    owners = frozenset(tuple(f.split("/", 1)) for f in settings.filters if "/" in f)  # type: ignore[misc]
    prefs = Prefs(
        profile=settings.profile,
        regions=list(settings.regions),
        owners=owners or None,
        refresh_interval=float(settings.refresh_interval_s or 0),
        theme=settings.theme,
        grouped=bool(settings.group_by_domain),
        show_all=bool(settings.show_all),
    )
    return prefs, warning, settings


def save(raw: object | None, prefs: Prefs) -> str | None:
    """Write the preferences back; returns a warning line instead of raising."""
    if raw is None or not dataclasses.is_dataclass(raw):
        return None
    try:
        from .. import config

        names = {f.name for f in dataclasses.fields(raw)}
        wanted = {
            "profile": prefs.profile,
            "regions": list(prefs.regions),
            "theme": prefs.theme,
            "refresh_interval_s": int(prefs.refresh_interval),
            "filters": sorted(f"{d}/{u}" for d, u in prefs.owners) if prefs.owners else [],
            "show_all": prefs.show_all,
            "group_by_domain": prefs.grouped,
        }
        changes = {k: v for k, v in wanted.items() if k in names and v is not None}
        config.save_settings(dataclasses.replace(raw, **changes))  # type: ignore[arg-type]
    except Exception as exc:
        return f"settings not saved: {exc}"
    return None


def load_cached(profile_key: str, region: str, endpoint: str | None) -> tuple[list[Space], float] | None:
    try:
        from .. import config

        found = config.load_cache(profile_key, region, endpoint_url=endpoint)
    except Exception:
        return None
    if not found:
        return None
    spaces, saved_at = found
    stamp = saved_at.timestamp() if hasattr(saved_at, "timestamp") else float(saved_at)
    return list(spaces), stamp


def save_cached(profile_key: str, region: str, spaces: list[Space], endpoint: str | None) -> None:
    try:
        from .. import config

        config.save_cache(profile_key, region, spaces, endpoint_url=endpoint)
    except Exception:
        pass  # a cache is an optimisation; failing to write it is not worth a message
