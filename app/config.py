"""User settings (config.toml), the listing cache, and validation of the values both accept.

Settings are read with tomllib and never rewritten on load. A malformed file gives defaults plus one
warning line, and `save_settings` refuses to overwrite it unless forced, so a user's hand-edited
file is never silently lost. The listing cache holds only what ListSpaces/ListApps showed — never
credentials — and a damaged cache is simply ignored.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import platformdirs

APP_NAME = "sm-spaces"
CONFIG_DIR_ENV = "SM_SPACES_CONFIG_DIR"
CACHE_DIR_ENV = "SM_SPACES_CACHE_DIR"

# --- values that end up on command lines and in ssh_config: strict on purpose ---------------

# Profile names in ~/.aws/config are nearly free-form; we accept the common safe subset, which
# keeps them inert in a shell command and in ssh_config.
PROFILE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+=,-]{0,127}$")
REGION_RE = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$")
_ENDPOINT_RE = re.compile(
    r"^https?://(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])"
    r"(?::\d{1,5})?(?:/[A-Za-z0-9._~/-]*)?$"
)
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
    if not isinstance(url, str) or not _ENDPOINT_RE.fullmatch(url):
        raise ValueError(
            f"unsupported endpoint URL {_shown(url)}: expected http(s)://host[:port][/path] "
            "without query, credentials or special characters"
        )
    port = url.split("://", 1)[1].split("/", 1)[0].rpartition("]")[2].partition(":")[2]
    if port and not 0 < int(port) < 65536:
        raise ValueError(f"endpoint URL {_shown(url)} has an invalid port")
    return url


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
