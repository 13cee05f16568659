"""Where the TCSS files are: shipped in the wheel (sm_spaces/styles) or the repo's styles/."""

from __future__ import annotations

from pathlib import Path


def styles_path(name: str) -> Path:
    """`name` in the wheel's styles folder (app/styles), or the repo's styles/ in a source checkout."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "styles" / name
    return packaged if packaged.exists() else package.parent / "styles" / name
