"""Crash-safe file replacement for files the user cares about (~/.ssh/config, settings, caches).

A reader, or a crash at any instant, sees either the complete old content or the complete new
content: we write a temporary file in the same directory, fsync it, rename it over the target
(atomic on POSIX), then fsync the directory so the rename itself survives a power loss.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from pathlib import Path

BACKUP_SUFFIX = ".sm-spaces.bak"
# A temporary file this old was left by a writer that died (SIGKILL, power loss) mid-write: no
# live writer takes more than moments between creating its temporary file and renaming it.
STALE_TEMP_SECONDS = 600


def backup_path(path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    return path.with_name(path.name + BACKUP_SUFFIX)


def atomic_write(
    path: str | os.PathLike[str], data: bytes, *, mode: int = 0o600, backup: bool = False
) -> None:
    """Replace `path` with `data` atomically.

    An existing file keeps its permission bits; a new file gets `mode`. Missing parent directories
    are created private (0700). With `backup`, the previous content is first saved (atomically,
    0600) next to it as ``<name>.sm-spaces.bak``.
    """
    target = _resolve_symlink(Path(path))
    parent = target.parent
    _make_private_dirs(parent)
    try:
        current = target.stat()
    except FileNotFoundError:
        current = None
    if current is not None and not stat.S_ISREG(current.st_mode):
        raise IsADirectoryError(f"{target} is not a regular file; not replacing it")
    file_mode = stat.S_IMODE(current.st_mode) if current is not None else mode
    if backup and current is not None:
        atomic_write(backup_path(target), target.read_bytes(), mode=0o600)
        os.chmod(backup_path(target), 0o600)  # an older backup may have looser bits
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            # Set the mode before any byte lands, so private data is never world-readable.
            os.fchmod(tmp.fileno(), file_mode)
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(parent)
    _sweep_stale_temps(parent, target.name)


def _temp_pattern(name: str) -> re.Pattern[str]:
    # mkstemp's names: the prefix, eight characters of [a-z0-9_], the suffix.
    return re.compile(re.escape(f".{name}.") + r"[a-z0-9_]{8}" + re.escape(".tmp"))


def _sweep_stale_temps(directory: Path, name: str) -> None:
    """Remove temporary files of ours that a killed writer left beside `name` (best effort)."""
    pattern = _temp_pattern(name)
    cutoff = time.time() - STALE_TEMP_SECONDS
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        if not pattern.fullmatch(entry.name):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < cutoff:
                os.unlink(entry.path)
        except OSError:
            pass


def _make_private_dirs(directory: Path) -> None:
    # Path.mkdir(parents=True) gives intermediate directories the umask default, so go level by level.
    missing = []
    while not directory.is_dir():
        missing.append(directory)
        directory = directory.parent
    for level in reversed(missing):
        level.mkdir(mode=0o700, exist_ok=True)


def _resolve_symlink(path: Path) -> Path:
    """Write through a symlink (dotfile managers link ~/.ssh/config) instead of replacing it."""
    if path.is_symlink():
        return Path(os.path.realpath(path))
    return path


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # platforms that cannot open directories (Windows)
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
