"""User settings (config.toml), the listing cache, and validation of the values both accept.

Settings are read with tomllib and never rewritten on load. A malformed file gives defaults plus one
warning line, and `save_settings` refuses to overwrite it unless forced, so a user's hand-edited
file is never silently lost. The listing cache holds only what ListSpaces/ListApps showed — never
credentials — and a damaged cache is simply ignored.
"""

from __future__ import annotations

import json
import os
import re
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import platformdirs

from .model import App, Space
from .safe_text import safe_text

# tomllib, tomli_w and app.atomic are imported where settings are read or anything is written: the
# TUI's first frame only reads the cache, usually without any settings file yet.

APP_NAME = "sm-spaces"
CONFIG_DIR_ENV = "SM_SPACES_CONFIG_DIR"
CACHE_DIR_ENV = "SM_SPACES_CACHE_DIR"

# --- values that end up on command lines and in ssh_config: strict on purpose ---------------

# Profile names in ~/.aws/config are nearly free-form; we accept the common safe subset, which
# keeps them inert in a shell command and in ssh_config.
PROFILE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+=,-]{0,127}$")
REGION_RE = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$")
DOMAIN_ID_RE = re.compile(r"^d-[a-z0-9]{1,63}$")
USER_PROFILE_RE = re.compile(r"^[a-zA-Z0-9](?:-*[a-zA-Z0-9]){0,62}$")
_THEME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def validate_profile(profile: str) -> str:
    if not isinstance(profile, str) or not PROFILE_RE.fullmatch(profile):
        raise ValueError(
            f"unsupported AWS profile name {_shown(profile)}: use letters, digits and _.@+=,- only"
        )
    return profile


def validate_region(region: str) -> str:
    if not isinstance(region, str) or not REGION_RE.fullmatch(region):
        raise ValueError(f"not an AWS region: {_shown(region)} (expected e.g. us-east-1)")
    return region


def validate_endpoint_url(url: str) -> str:
    from .endpoint_url import check_endpoint_url

    return check_endpoint_url(url)


def validate_filter_key(key: str) -> str:
    """A user-profile filter: ``<domain-id>/<user-profile-name>``."""
    domain, sep, user = key.partition("/") if isinstance(key, str) else ("", "", "")
    if not (sep and DOMAIN_ID_RE.fullmatch(domain) and USER_PROFILE_RE.fullmatch(user)):
        raise ValueError(f"not a <domain-id>/<user-profile> filter: {_shown(key)}")
    return key


def _shown(value: object) -> str:
    """A value safe to put in a one-line message: repr, cut short."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- locations --------------------------------------------------------------------------------


def config_dir() -> Path:
    return Path(os.environ.get(CONFIG_DIR_ENV) or platformdirs.user_config_dir(APP_NAME))


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_DIR_ENV) or platformdirs.user_cache_dir(APP_NAME))


def settings_path() -> Path:
    return config_dir() / "config.toml"


# --- settings ---------------------------------------------------------------------------------

DEFAULT_THEME = "textual-dark"
MIN_REFRESH_S = 5
MAX_REFRESH_S = 86_400


@dataclass(slots=True)
class Settings:
    """config.toml's values (a docstring also spares @dataclass an inspect.signature at import)."""

    profile: str | None = None  # None: the botocore default chain (AWS_PROFILE, default)
    regions: list[str] = field(default_factory=list)  # empty: the profile's default region
    filters: list[str] = field(default_factory=list)  # "<domain-id>/<user-profile>" keys
    show_all: bool = False  # ignore `filters` and the "my spaces" default
    refresh_interval_s: int = 60  # 0 turns auto-refresh off
    theme: str = DEFAULT_THEME
    group_by_domain: bool = True
    # Ask before connect or forward starts a stopped space (it costs money); --yes answers too.
    ask_before_start: bool = True
    # The TUI's connect keeps the shell in tmux on the space, as `connect --persist` does.
    persist: bool = False

    def validate(self) -> Settings:
        """Raise ValueError naming the first bad value; returns self for chaining."""
        _from_table(self.to_table())
        return self

    def to_table(self) -> dict[str, Any]:
        table = asdict(self)
        if table["profile"] is None:
            del table["profile"]  # TOML has no null
        return table


class SettingsFileMalformed(ValueError):
    """save_settings refused to replace a settings file that has errors."""


def load_settings(path: Path | None = None) -> tuple[Settings, str | None]:
    """The saved settings, or defaults plus one warning line if the file is unusable.

    Never writes: a broken file stays byte-identical for the user to fix.
    """
    path = path or settings_path()
    try:
        return _read_settings(path), None
    except FileNotFoundError:
        return Settings(), None
    except _Malformed as problem:
        return Settings(), f"{path}: {problem}; using default settings (the file was left unchanged)"


def save_settings(settings: Settings, path: Path | None = None, *, force: bool = False) -> None:
    """Write the settings atomically (0600, directory 0700).

    Refuses with SettingsFileMalformed if the file on disk has errors, so a user's broken edit is
    not silently replaced; with `force` it is replaced and the old content kept as a backup.
    """
    from .atomic import atomic_write, backup_path

    path = path or settings_path()
    settings.validate()
    try:
        _read_settings(path)
    except FileNotFoundError:
        pass
    except _Malformed as problem:
        if not force:
            raise SettingsFileMalformed(
                f"not saving settings: {path} has errors ({problem}); fix or delete it, "
                f"or overwrite it (the old file is kept as {backup_path(path).name})"
            ) from None
    import tomli_w

    data = tomli_w.dumps(settings.to_table()).encode("utf-8")
    # The user's file, maybe linked from their dotfiles: written through a link, as ~/.ssh/config is.
    atomic_write(path, data, mode=0o600, backup=path.exists(), follow_link=True)


class _Malformed(Exception):
    pass


_MAX_SETTINGS_BYTES = 1 << 20


def _read_settings(path: Path) -> Settings:
    from .file_checks import FileRefused, read_regular

    try:
        raw = read_regular(path, limit=_MAX_SETTINGS_BYTES)  # a FIFO or a device: refused, never waited on
    except FileNotFoundError:
        raise
    except FileRefused as refused:
        raise _Malformed(f"cannot read it: {refused}") from None
    except OSError as error:
        raise _Malformed(f"cannot read it ({error.strerror or error})") from None
    if len(raw) > _MAX_SETTINGS_BYTES:
        raise _Malformed("file is larger than 1 MiB")
    import tomllib

    try:
        table = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise _Malformed("not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise _Malformed(f"invalid TOML: {_one_line(str(error))}") from None
    except RecursionError:
        raise _Malformed("invalid TOML: nested too deeply") from None
    try:
        return _from_table(table)
    except ValueError as error:
        raise _Malformed(_one_line(str(error))) from None


def _from_table(table: dict[str, Any]) -> Settings:
    known = {f.name for f in fields(Settings)}
    for key in table:
        if key not in known:
            raise ValueError(f"unknown setting {_shown(key)}")
    settings = Settings()
    if "profile" in table:
        settings.profile = validate_profile(_typed(table, "profile", str))
    settings.regions = _string_list(table, "regions", validate_region)
    settings.filters = _string_list(table, "filters", validate_filter_key)
    settings.show_all = _typed(table, "show_all", bool, settings.show_all)
    interval = _typed(table, "refresh_interval_s", int, settings.refresh_interval_s)
    if interval != 0 and not MIN_REFRESH_S <= interval <= MAX_REFRESH_S:
        raise ValueError(
            f"refresh_interval_s must be 0 (off) or {MIN_REFRESH_S}-{MAX_REFRESH_S}, not {interval}"
        )
    settings.refresh_interval_s = interval
    settings.theme = _typed(table, "theme", str, settings.theme)
    if not _THEME_RE.fullmatch(settings.theme):
        raise ValueError(f"theme must be a theme name like {DEFAULT_THEME!r}, not {_shown(settings.theme)}")
    settings.group_by_domain = _typed(table, "group_by_domain", bool, settings.group_by_domain)
    settings.ask_before_start = _typed(table, "ask_before_start", bool, settings.ask_before_start)
    settings.persist = _typed(table, "persist", bool, settings.persist)
    return settings


_TYPE_NAMES = {str: "a string", int: "an integer", bool: "true or false", list: "a list"}


def _typed(table: dict[str, Any], key: str, kind: type, default: Any = None) -> Any:
    value = table.get(key, default)
    # bool is a subclass of int: `refresh_interval_s = true` must not pass as 1.
    if type(value) is not kind:
        raise ValueError(f"{key} must be {_TYPE_NAMES[kind]}, not {_shown(value)}")
    return value


def _string_list(table: dict[str, Any], key: str, check: Callable[[str], str]) -> list[str]:
    values = _typed(table, key, list, [])
    for value in values:
        try:
            check(value)
        except ValueError as error:
            raise ValueError(f"{key}: {error}") from None
    if len(set(values)) != len(values):
        raise ValueError(f"{key} lists a value twice")
    return list(values)


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- listing cache ----------------------------------------------------------------------------
# Shows the last listing instantly at start-up while the fresh one loads. Holds only what the
# listing showed (no credentials, no tokens); anything unexpected in it means "no cache".

_CACHE_VERSION = 1
_MAX_CACHE_BYTES = 64 << 20


def cache_path(profile: str | None, region: str, endpoint_url: str | None = None) -> Path:
    # Hashed so that any profile name or endpoint maps to a safe, fixed-length file name. A CRC, not
    # sha256: the file names its own profile, region and endpoint and load_cache checks them, so a
    # clash costs a cache miss, never another account's spaces; and zlib is loaded already, where
    # hashlib would load OpenSSL's bindings before the TUI's first frame.
    key = json.dumps([profile, region, endpoint_url]).encode("utf-8")
    return cache_dir() / f"spaces-{zlib.crc32(key):08x}.json"


def save_cache(
    profile: str | None,
    region: str,
    spaces: list[Space],
    *,
    endpoint_url: str | None = None,
    saved_at: datetime | None = None,
) -> None:
    saved_at = saved_at or datetime.now(UTC)
    document = {
        "version": _CACHE_VERSION,
        "profile": profile,
        "region": region,
        "endpoint_url": endpoint_url,
        "saved_at": saved_at.isoformat(),
        "spaces": [_space_to_json(space) for space in spaces],
    }
    data = json.dumps(document, separators=(",", ":")).encode("utf-8")
    from .atomic import atomic_write

    # Our own file: a link at its name is replaced, never written through; always 0600.
    atomic_write(cache_path(profile, region, endpoint_url), data, mode=0o600, keep_mode=False)


def load_cache(
    profile: str | None, region: str, *, endpoint_url: str | None = None
) -> tuple[list[Space], datetime] | None:
    """The cached listing and when it was saved, or None if absent, stale-format or damaged."""
    from .file_checks import read_regular

    path = cache_path(profile, region, endpoint_url)
    try:
        # Our own file: not through a link, and never a FIFO or a device (FileRefused is an OSError).
        raw = read_regular(path, limit=_MAX_CACHE_BYTES, follow=False)
        if len(raw) > _MAX_CACHE_BYTES:
            return None
        document = json.loads(raw)
        if not isinstance(document, dict) or document.get("version") != _CACHE_VERSION:
            return None
        identity = [document.get(k) for k in ("profile", "region", "endpoint_url")]
        if identity != [profile, region, endpoint_url]:
            return None
        saved_at = datetime.fromisoformat(_expect(document.get("saved_at"), str))
        spaces = [_space_from_json(item) for item in _expect(document.get("spaces"), list)]
    except (OSError, ValueError, TypeError, KeyError, RecursionError):
        return None
    if saved_at.tzinfo is None:
        return None
    return spaces, saved_at


def _space_to_json(space: Space) -> dict[str, Any]:
    table = asdict(space)
    if space.last_modified is not None:
        table["last_modified"] = space.last_modified.isoformat()
    return table


# Field types as written in the model's annotations, mapped to JSON types.
_JSON_TYPES: dict[str, type] = {"str": str, "int": int, "bool": bool, "None": type(None)}


@cache
def _field_kinds(cls: type) -> dict[str, frozenset[str]]:
    """Each field of `cls` and the type names its annotation allows ("str | None" -> str, None)."""
    kinds = {}
    for f in fields(cls):
        text = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
        kinds[f.name] = frozenset(part.strip() for part in text.split("|"))
    return kinds


def _checked_fields(cls: type, item: object) -> dict[str, Any]:
    table = _expect(item, dict)
    names = _field_kinds(cls)
    if table.keys() != names.keys():
        raise ValueError("cache fields do not match the model")
    for name, kinds in names.items():
        value = table[name]
        if value is None and "None" in kinds:
            continue
        if "datetime" in kinds and type(value) is str:
            table[name] = datetime.fromisoformat(value)
        elif "App" in kinds and type(value) is dict:
            table[name] = App(**_checked_fields(App, value))
        elif not any(type(value) is _JSON_TYPES.get(kind) for kind in kinds):
            raise ValueError(f"cache field {name} has the wrong type")
        elif type(value) is str:  # a cache written before safe_text, or by hand: sanitise again
            table[name] = safe_text(value)
    return table


def _space_from_json(item: object) -> Space:
    return Space(**_checked_fields(Space, item))


def _expect(value: Any, kind: type) -> Any:
    if type(value) is not kind:
        raise TypeError(f"expected {kind.__name__}")
    return value
