"""The region the AWS configuration names, read without botocore (importing it would delay the first frame).

The TUI paints the cached listing of this region at once; the live listing then asks botocore
(clients.default_region) and follows it should the two ever disagree. Which profile and which
variables count follows botocore's session variables (botocore/configprovider.py: `profile` from
AWS_DEFAULT_PROFILE then AWS_PROFILE, `config_file` from AWS_CONFIG_FILE, sections `[default]` and
`[profile NAME]` as botocore/configloader.py's build_profile_map reads them); AWS_REGION first, as
clients.default_region and the AWS CLI v2 do.
"""

from __future__ import annotations

import os

from ..file_checks import read_regular

REGION_VARIABLES = ("AWS_REGION", "AWS_DEFAULT_REGION")
CONFIG_LIMIT = 1 << 20  # an AWS config file is a few kB; a bigger one is not read for a hint


def env_region() -> str | None:
    for var in REGION_VARIABLES:
        if os.environ.get(var):
            return os.environ[var]
    return None


def profile_name(profile: str | None) -> str:
    """The profile botocore would use: the one given, else the environment's, else "default"."""
    return profile or os.environ.get("AWS_DEFAULT_PROFILE") or os.environ.get("AWS_PROFILE") or "default"


def configured_region(profile: str | None) -> str | None:
    """AWS_REGION/AWS_DEFAULT_REGION, else the profile's `region` in the AWS config file; None when
    neither names one or the file cannot be read (botocore reports a broken file later)."""
    found = env_region()
    if found:
        return found
    import configparser  # here: with AWS_REGION set, the first frame need not wait for it

    path = os.path.expanduser(os.environ.get("AWS_CONFIG_FILE") or os.path.join("~", ".aws", "config"))
    try:
        raw = read_regular(path, limit=CONFIG_LIMIT)
        if len(raw) > CONFIG_LIMIT:
            return None
        text = raw.decode()
        parser = configparser.RawConfigParser()
        parser.read_string(text, source=path)
    except (OSError, UnicodeDecodeError, configparser.Error):
        return None
    wanted = profile_name(profile)
    region = None
    for section in parser.sections():  # a later section of the same profile wins, as in botocore
        if _profile_of(section) == wanted and parser.has_option(section, "region"):
            region = parser.get(section, "region").strip() or region
    return region


def _profile_of(section: str) -> str | None:
    if section == "default":
        return "default"
    words = section.split()
    if len(words) == 2 and words[0] == "profile":
        return words[1].strip("\"'")
    return None
