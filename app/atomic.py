"""Crash-safe, trap-safe file replacement for files the user cares about (~/.ssh/config, settings,
caches).

A reader, or a crash at any instant, sees either the complete old content or the complete new
content: we write a temporary file in the same directory, fsync it, rename it over the target
(atomic on POSIX), then fsync the directory so the rename itself survives a power loss.

Links. Temporary files are created with O_EXCL (mkstemp) and backups are renamed into place, so
neither ever writes through a link found at its name. The target is written through a link only
when the caller says the file is the user's (`follow_link`: ~/.ssh/config and config.toml, which
dotfile managers link); for our own files (the cache, backups) a link at the name is replaced, and
its target left alone. A link to nothing is refused rather than followed into creating directories.

Edits by others. `atomic_update` re-reads the file just before the rename and starts over when it
changed, and afterwards checks the file it replaced for a write that landed in between, so an
edit made while we work is kept; sm-spaces writers also queue on a lock of the directory.
"""

from __future__ import annotations

import errno
import fcntl
import os
import random
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .file_checks import FileRefused, not_regular, open_regular, private_dir, read_from_start, read_regular

BACKUP_SUFFIX = ".sm-spaces.bak"
# A temporary file this old was left by a writer that died (SIGKILL, power loss) mid-write: no
# live writer takes more than moments between creating its temporary file and renaming it.
STALE_TEMP_SECONDS = 600
UPDATE_ATTEMPTS = 20
LOCK_WAIT_SECONDS = 10.0
# How long after the rename a write may still reach the file we replaced: a program that opened it
# just before (`echo >> ~/.ssh/config`) and was scheduled out before writing. Checked once, then.
LATE_WRITE_GRACE_SECONDS = 0.05


class FileChanged(FileRefused):
    """The file no longer holds what the user was shown."""


def backup_path(path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    return path.with_name(path.name + BACKUP_SUFFIX)


def atomic_write(
    path: str | os.PathLike[str],
    data: bytes,
    *,
    mode: int = 0o600,
    backup: bool = False,
    follow_link: bool = False,
    keep_mode: bool = True,
) -> None:
    """Replace `path` with `data` atomically.

    With `keep_mode`, an existing file keeps its permission bits and a read-only one is refused;
    otherwise (our own files) the result always has `mode`. A new file gets `mode`. Missing parent
    directories are created private (0700). With `backup`, the previous content is first saved
    next to it as ``<name>.sm-spaces.bak`` (0600)."""
    target = resolve_target(Path(path), follow_link)
    parent = private_dir(target.parent)
    current = _existing(target, keep_mode)
    file_mode = stat.S_IMODE(current.st_mode) if current is not None and keep_mode else mode
    if backup and current is not None:
        _save_backup(target)
    tmp_name = _write_temp(parent, target.name, data, file_mode)
    _rename_into_place(tmp_name, target)
    _sweep_stale_temps(parent, target.name)


def atomic_update(
    path: str | os.PathLike[str],
    change: Callable[[bytes], bytes | None],
    *,
    mode: int = 0o600,
    backup: bool = True,
    follow_link: bool = True,
    expect: bytes | None = None,
) -> tuple[bytes, bytes]:
    """Apply `change` to the file's bytes (b"" when absent) and write the result; (before, after).

    Nothing is written when `change` returns its input; `change` may raise to refuse, and may
    return None to remove the file (a link the user made is kept, its file emptied). An edit
    another program makes meanwhile is not lost: see the module docstring. With `expect`,
    FileChanged is raised unless the file first holds exactly those bytes (what a user was
    shown); edits that land while we write are then merged as above."""
    target = resolve_target(Path(path), follow_link)
    parent = private_dir(target.parent)
    with _directory_lock(parent):
        # After a write that lost a race: (the content it should have been made from, what it wrote).
        pending: tuple[bytes, bytes] | None = None
        replaced: bytes | None = None  # what our first write replaced
        for attempt in range(UPDATE_ATTEMPTS):
            fd, on_disk = _open_current(target)
            try:
                if attempt == 0 and expect is not None and on_disk != expect:
                    raise FileChanged(f"{path} changed since its diff was shown; run the command again")
                before = on_disk if pending is None else _merged(target, path, pending, on_disk)
                result = change(before)
                after = b"" if result is None else result
                delete = result is None and target == Path(path)
                if (fd is None) if delete else (after == on_disk):
                    return (on_disk if replaced is None else replaced), after
                if not _replace(target, parent, on_disk, after, delete, backup and replaced is None, mode):
                    # Changed between our read and our check: start again from what is there now.
                    time.sleep(random.uniform(0, 0.005) * (attempt + 1))  # out of step with the writer
                    continue
                replaced = on_disk if replaced is None else replaced
                if fd is not None:
                    time.sleep(LATE_WRITE_GRACE_SECONDS)
                now = read_from_start(fd) if fd is not None else on_disk
                if now == on_disk:
                    _sweep_stale_temps(parent, target.name)
                    return replaced, after
                # Appended to after our check by a program that had opened the file before our
                # rename (`echo >> ~/.ssh/config`): change the content with those lines again.
                if not now.startswith(on_disk):
                    raise _kept_aside(target, path, now)
                pending = (before + now[len(on_disk) :], after)
            finally:
                if fd is not None:
                    os.close(fd)
        raise FileRefused(f"{path} kept changing while sm-spaces was writing it; try again")


def _merged(target: Path, path: object, pending: tuple[bytes, bytes], on_disk: bytes) -> bytes:
    """The content a change must start from after a lost race: the lines that reached the file we
    replaced, plus whatever has been appended to ours since."""
    base, ours = pending
    if not on_disk.startswith(ours):  # ours was edited in place, not appended to: no safe merge
        raise _kept_aside(target, path, base)
    return base + on_disk[len(ours) :]


def _kept_aside(target: Path, path: object, content: bytes) -> FileRefused:
    aside = target.with_name(target.name + ".sm-spaces.edited")
    atomic_write(aside, content, mode=0o600, keep_mode=False)
    return FileRefused(
        f"{path} was edited while sm-spaces wrote it; that version is kept in {aside}: "
        "compare, then run the command again"
    )


def _replace(
    target: Path, parent: Path, on_disk: bytes, after: bytes, delete: bool, backup: bool, mode: int
) -> bool:
    """Put `after` in place of `target` (or remove it, with `delete`), if it still holds `on_disk`;
    False, with nothing changed, when it does not."""
    current = _existing(target, keep_mode=True)
    if delete:
        if _content(target) != on_disk:
            return False
        os.unlink(target)
        _fsync_directory(parent)
        return True
    file_mode = stat.S_IMODE(current.st_mode) if current is not None else mode
    tmp_name = _write_temp(parent, target.name, after, file_mode)
    if _content(target) != on_disk:
        _unlink_quietly(tmp_name)
        return False
    if backup and current is not None:
        _save_backup(target)
    _rename_into_place(tmp_name, target)
    return True


def resolve_target(path: Path, follow_link: bool) -> Path:
    """The file to replace: `path`, or what the link at `path` points to when following links."""
    if not follow_link or not path.is_symlink():
        return path
    real = Path(os.path.realpath(path))
    if not os.path.lexists(real):
        raise FileRefused(
            f"{path} is a link to {real}, which does not exist; create that file or remove the link"
        )
    return real


def _existing(target: Path, keep_mode: bool) -> os.stat_result | None:
    """The regular file at `target` (None when absent, or a link we replace); FileRefused otherwise."""
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(info.st_mode):
        return None  # our own file's name: the rename replaces the link, never its target
    if not stat.S_ISREG(info.st_mode):
        raise not_regular(target, info.st_mode)
    if keep_mode and not info.st_mode & stat.S_IWUSR:
        raise FileRefused(
            f"{target} is read-only; make it writable (chmod u+w {target}) or change it yourself"
        )
    return info


def _open_current(target: Path) -> tuple[int | None, bytes]:
    """A descriptor of the file about to be replaced (kept to see late writes) and its bytes."""
    try:
        fd = open_regular(target, follow=False)
    except FileNotFoundError:
        return None, b""
    try:
        return fd, read_from_start(fd)
    except BaseException:
        os.close(fd)
        raise


def _content(target: Path) -> bytes:
    try:
        return read_regular(target, follow=False)
    except FileNotFoundError:
        return b""


def _save_backup(target: Path) -> None:
    data = read_regular(target, follow=False)
    # Our own file: a fresh 0600 file renamed over the name, whatever was there (a link included).
    atomic_write(backup_path(target), data, mode=0o600, keep_mode=False)


def _write_temp(parent: Path, name: str, data: bytes, file_mode: int) -> str:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            # Set the mode before any byte lands, so private data is never world-readable.
            os.fchmod(tmp.fileno(), file_mode)
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
    except BaseException:
        _unlink_quietly(tmp_name)
        raise
    return tmp_name


def _rename_into_place(tmp_name: str, target: Path) -> None:
    try:
        os.replace(tmp_name, target)
    except BaseException:
        _unlink_quietly(tmp_name)
        raise
    _fsync_directory(target.parent)


def _unlink_quietly(name: str) -> None:
    try:
        os.unlink(name)
    except FileNotFoundError:
        pass


@contextmanager
def _directory_lock(directory: Path) -> Iterator[None]:
    """An exclusive flock on the directory itself: other sm-spaces writers of files in it wait (no
    lock file is left behind). Programs that do not take it are handled by atomic_update's checks."""
    fd = os.open(directory, os.O_RDONLY | os.O_CLOEXEC)
    try:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN) or time.monotonic() > deadline:
                    raise FileRefused(
                        f"another sm-spaces has been changing files in {directory} for over "
                        f"{LOCK_WAIT_SECONDS:g} s; try again when it is done"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # releases the lock


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
