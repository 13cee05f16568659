"""Settings file (tomllib/tomli-w, never rewritten on load) and the listing cache."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sm_spaces import config
from sm_spaces.atomic import backup_path
from sm_spaces.config import (
    Settings,
    SettingsFileMalformed,
    load_cache,
    load_settings,
    save_cache,
    save_settings,
)
from sm_spaces.model import App, Space

from tests.own_dirs import OwnDirs


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- locations --------------------------------------------------------------------------------


def test_env_overrides_locations(own_dirs: OwnDirs) -> None:
    assert config.settings_path() == own_dirs.config / "config.toml"
    assert config.cache_dir() == own_dirs.cache


def test_platformdirs_locations_without_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SM_SPACES_CONFIG_DIR")
    monkeypatch.delenv("SM_SPACES_CACHE_DIR")
    assert config.settings_path().name == "config.toml"
    assert "sm-spaces" in config.settings_path().parts
    assert "sm-spaces" in config.cache_dir().parts


# --- settings ---------------------------------------------------------------------------------


def test_missing_file_gives_defaults_without_warning() -> None:
    assert load_settings() == (Settings(), None)
    assert Settings().refresh_interval_s == 60


def test_save_then_load_round_trip() -> None:
    wanted = Settings(
        profile="dev-sso",
        regions=["us-east-1", "eu-west-1"],
        filters=["d-abc123/alice"],
        show_all=True,
        refresh_interval_s=0,
        theme="nord",
        group_by_domain=False,
    )
    save_settings(wanted)
    path = config.settings_path()
    assert load_settings() == (wanted, None)
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    assert b"profile" in path.read_bytes()
    save_settings(Settings())  # None profile is simply left out
    assert b"profile" not in path.read_bytes()
    assert load_settings() == (Settings(), None)


BAD_FILES = [
    (b'regions = ["us-east-1"\n', "invalid TOML"),
    (b'refresh_interval_s = "60"\n', "refresh_interval_s must be an integer"),
    (b"refresh_interval_s = true\n", "refresh_interval_s must be an integer"),
    (b"refresh_interval_s = 2\n", "refresh_interval_s must be 0"),
    (b"refresh_interval_s = -1\n", "refresh_interval_s must be 0"),
    (b"show_all = 1\n", "show_all must be true or false"),
    (b'regions = "us-east-1"\n', "regions must be a list"),
    (b'regions = ["us-east-1", "mars-1"]\n', "regions: not an AWS region"),
    (b'regions = ["us-east-1", "us-east-1"]\n', "regions lists a value twice"),
    (b"regions = [1]\n", "regions: not an AWS region"),
    (b'filters = ["alice"]\n', "filters: not a <domain-id>/<user-profile>"),
    (b'profile = "a b"\n', "unsupported AWS profile name"),
    (b'profile = ""\n', "unsupported AWS profile name"),
    (b'theme = "Bad Theme!"\n', "theme must be"),
    (b"refresh_interval = 60\n", "unknown setting 'refresh_interval'"),
    (b"[regions]\nx = 1\n", "regions must be a list"),
    (b"\xff\xfe\x00", "not UTF-8"),
]


@pytest.mark.parametrize(("content", "problem"), BAD_FILES)
def test_malformed_file_gives_defaults_one_warning_and_is_left_alone(content: bytes, problem: str) -> None:
    path = config.settings_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    loaded, warning = load_settings()
    assert loaded == Settings()
    assert warning is not None and "\n" not in warning
    assert str(path) in warning and problem in warning
    assert path.read_bytes() == content


@pytest.mark.parametrize(("content", "problem"), BAD_FILES[:4])
def test_save_refuses_to_replace_malformed_file_unless_forced(content: bytes, problem: str) -> None:
    path = config.settings_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with pytest.raises(SettingsFileMalformed) as caught:
        save_settings(Settings(theme="nord"))
    assert problem in str(caught.value) and str(path) in str(caught.value)
    assert path.read_bytes() == content
    save_settings(Settings(theme="nord"), force=True)
    assert load_settings() == (Settings(theme="nord"), None)
    assert backup_path(path).read_bytes() == content
    assert _mode(backup_path(path)) == 0o600


def test_unreadable_file_is_a_warning() -> None:
    path = config.settings_path()
    path.mkdir(parents=True)  # a directory where the file should be
    loaded, warning = load_settings()
    assert loaded == Settings() and warning and "cannot read" in warning


@pytest.mark.parametrize(
    "bad",
    [
        Settings(regions=["nowhere"]),
        Settings(refresh_interval_s=3),
        Settings(profile="x y"),
        Settings(filters=["d-a/"]),
        Settings(theme=""),
    ],
)
def test_save_refuses_invalid_settings(bad: Settings) -> None:
    with pytest.raises(ValueError):
        save_settings(bad)
    assert not config.settings_path().exists()


def _check_reader(content: bytes) -> None:
    path = config.settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    loaded, warning = load_settings()
    assert isinstance(loaded, Settings)
    assert warning is None or ("\n" not in warning and str(path) in warning)
    if warning:
        assert loaded == Settings()
    else:
        assert loaded.validate() is loaded
    assert path.read_bytes() == content


toml_scalars = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.text(max_size=20),
    st.sampled_from(["us-east-1", "d-abc/alice", "nord", "dev"]),
    st.floats(allow_nan=False),
)
toml_values = st.recursive(
    toml_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)
KEYS = ["profile", "regions", "filters", "show_all", "refresh_interval_s", "theme", "group_by_domain", "x"]
toml_docs = st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=10), toml_values, max_size=8).map(
    lambda d: tomli_w.dumps(d).encode()
)
fuzz_input = st.one_of(st.binary(max_size=300), toml_docs, st.text(max_size=200).map(str.encode))


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fuzz_input)
def test_reader_never_raises_on_arbitrary_input(content: bytes) -> None:
    _check_reader(content)


@pytest.mark.fuzz
@settings(max_examples=20_000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fuzz_input)
def test_reader_fuzz(content: bytes) -> None:
    _check_reader(content)


def test_deeply_nested_toml_is_a_warning() -> None:
    _check_reader(b"x = " + b"[" * 5000 + b"]" * 5000)


# --- listing cache ----------------------------------------------------------------------------

SPACES = [
    Space(
        "d-abc",
        "alpha",
        "us-east-1",
        "123456789012",
        "InService",
        domain_name="Research",
        app_type="JupyterLab",
        app=App("d-abc", "alpha", "JupyterLab", "default", "InService", "ml.t3.large"),
        owner="alice",
        remote_access=True,
        instance_type="ml.t3.large",
        storage_gib=5,
        idle_timeout_minutes=120,
        last_modified=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        alias="sm-alpha",
    ),
    Space("d-abc", "beta", "us-east-1", "123456789012", "InService", sharing="Shared"),
]


def test_cache_round_trip_private_and_keyed() -> None:
    saved_at = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    save_cache("dev", "us-east-1", SPACES, saved_at=saved_at)
    assert load_cache("dev", "us-east-1") == (SPACES, saved_at)
    path = config.cache_path("dev", "us-east-1")
    assert _mode(path) == 0o600 and _mode(path.parent) == 0o700
    assert load_cache("prod", "us-east-1") is None
    assert load_cache("dev", "eu-west-1") is None
    assert load_cache("dev", "us-east-1", endpoint_url="http://127.0.0.1:1") is None
    save_cache(None, "us-east-1", SPACES[1:], endpoint_url="http://127.0.0.1:1")
    local = load_cache(None, "us-east-1", endpoint_url="http://127.0.0.1:1")
    assert local is not None and local[0] == SPACES[1:]
    assert load_cache("dev", "us-east-1")[0] == SPACES  # type: ignore[index]


def test_cache_holds_only_listing_fields() -> None:
    save_cache("dev", "us-east-1", SPACES)
    document = json.loads(config.cache_path("dev", "us-east-1").read_bytes())
    assert set(document) == {"version", "profile", "region", "endpoint_url", "saved_at", "spaces"}
    text = json.dumps(document).lower()
    assert "secret" not in text and "token" not in text and "credential" not in text


def _mutations(document: dict) -> list[object]:
    space = document["spaces"][0]
    return [
        {**document, "version": 99},
        {**document, "saved_at": "yesterday"},
        {**document, "saved_at": "2025-01-01T00:00:00"},  # naive
        {**document, "region": "eu-west-1"},
        {**document, "spaces": {}},
        {**document, "spaces": [{**space, "storage_gib": "5"}]},
        {**document, "spaces": [{**space, "remote_access": 1}]},
        {**document, "spaces": [{**space, "extra": 1}]},
        {**document, "spaces": [{k: v for k, v in space.items() if k != "name"}]},
        {**document, "spaces": [{**space, "app": {"x": 1}}]},
        {**document, "spaces": [{**space, "app": "JupyterLab"}]},
        {**document, "spaces": [{**space, "last_modified": "never"}]},
        [],
        None,
    ]


def test_damaged_cache_is_ignored() -> None:
    save_cache("dev", "us-east-1", SPACES)
    path = config.cache_path("dev", "us-east-1")
    good = path.read_bytes()
    for damaged in [good[: len(good) // 2], b"", b"\x00\xff", b"[" * 100_000]:
        path.write_bytes(damaged)
        assert load_cache("dev", "us-east-1") is None
    for mutated in _mutations(json.loads(good)):
        path.write_text(json.dumps(mutated))
        assert load_cache("dev", "us-east-1") is None, mutated
    path.write_bytes(good)
    assert load_cache("dev", "us-east-1") is not None


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_cache_reader_never_raises(content: bytes) -> None:
    path = config.cache_path("dev", "us-east-1")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    assert load_cache("dev", "us-east-1") is None
    assert os.path.exists(path)
