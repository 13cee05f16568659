"""Each test's own settings and cache folders (the conftest's autouse `own_dirs`), never the user's."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest
from sm_spaces.config import CACHE_DIR_ENV, CONFIG_DIR_ENV


class OwnDirs(NamedTuple):
    config: Path  # SM_SPACES_CONFIG_DIR
    cache: Path  # SM_SPACES_CACHE_DIR


def use_dirs(monkeypatch: pytest.MonkeyPatch, root: Path) -> OwnDirs:
    """Point sm-spaces (and every subprocess started with os.environ) at `root`/config and `root`/cache."""
    dirs = OwnDirs(root / "config", root / "cache")
    monkeypatch.setenv(CONFIG_DIR_ENV, str(dirs.config))
    monkeypatch.setenv(CACHE_DIR_ENV, str(dirs.cache))
    return dirs
