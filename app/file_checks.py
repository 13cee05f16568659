"""Opening files that may be traps, and keeping our own directories private.

A FIFO where config.toml, the listing cache or ~/.ssh/config should be made a plain open() wait
for a writer forever (the TUI then ignored q and Ctrl-C); a device or a directory there gave a
confusing error or an endless read. So files are opened without blocking and read only when
fstat says they are regular files. Directories we write into must belong to the user running
us and must not be writable by everyone, or someone else could plant the links our writes meet.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class FileRefused(OSError):
    """A path sm-spaces will not read or replace, with the one line that says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def kind_of(mode: int) -> str:
    """What a non-regular file is, for a message."""
    for test, name in (
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISLNK, "a symbolic link"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def not_regular(path: os.PathLike[str] | str, mode: int) -> FileRefused:
    return FileRefused(f"{path} is {kind_of(mode)}, not a regular file; move it away and try again")


def open_regular(path: os.PathLike[str] | str, *, follow: bool = True) -> int:
    """A read-only descriptor of the regular file at `path`; FileRefused for anything else.

    FileNotFoundError when nothing is there. `follow=False` refuses a symbolic link at `path`
    itself (O_NOFOLLOW). Opening never blocks: O_NONBLOCK makes a FIFO's open return at once,
    and fstat then refuses it (for a regular file the flag changes nothing)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW)
    before = os.stat(path, follow_symlinks=follow)
    if not stat.S_ISREG(before.st_mode):  # checked before open: opening a device can do things
        raise not_regular(path, before.st_mode)
    fd = os.open(path, flags)
    try:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode):  # swapped between the stat and the open
            raise not_regular(path, now.st_mode)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(path: os.PathLike[str] | str, *, limit: int | None = None, follow: bool = True) -> bytes:
    """The bytes of the regular file at `path` (at most limit + 1 of them, so a caller can tell
    "too large"); FileNotFoundError when absent, FileRefused when it is not a regular file."""
    with os.fdopen(open_regular(path, follow=follow), "rb") as handle:
        return handle.read() if limit is None else handle.read(limit + 1)


def read_from_start(fd: int) -> bytes:
    """All bytes of an open file from offset 0, whatever its current offset."""
    chunks, offset = [], 0
    while chunk := os.pread(fd, 1 << 20, offset):
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def private_dir(directory: Path) -> Path:
    """`directory`, created with its missing parents as 0700, or checked if it exists: a directory
    (a link to one is fine: dotfile managers link them), owned by us, not writable by everyone."""
    missing = []
    level = directory
    while not os.path.lexists(level):
        missing.append(level)
        level = level.parent
    for new in reversed(missing):
        try:
            new.mkdir(mode=0o700)
        except FileExistsError:  # made meanwhile by another writer: checked below like any other
            pass
    try:
        info = os.stat(directory)
    except FileNotFoundError:  # a dangling link
        raise FileRefused(f"{directory} is a link to a directory that does not exist") from None
    if not stat.S_ISDIR(info.st_mode):
        raise FileRefused(
            f"{directory} is {kind_of(info.st_mode)}, not a directory; move it away and try again"
        )
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        raise FileRefused(
            f"{directory} belongs to another user (uid {info.st_uid}); sm-spaces writes only in directories of yours"
        )
    if info.st_mode & stat.S_IWOTH and not info.st_mode & stat.S_ISVTX:
        raise FileRefused(
            f"{directory} is writable by every user; make it private (chmod o-w {directory}) and try again"
        )
    return directory
