"""atomic_write: crash safety (real SIGKILL of a writing process), modes, backups, symlinks."""

from __future__ import annotations

import os
import random
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sm_spaces.atomic import atomic_write, backup_path
from sm_spaces.file_checks import FileRefused

OLD = b"old\n" * 50_000
A = b"A" * 1_500_000
B = b"B\n" * 400_000

WRITER = textwrap.dedent(
    """
    import sys
    from sm_spaces.atomic import atomic_write
    path = sys.argv[1]
    a = b"A" * 1_500_000
    b = b"B\\n" * 400_000
    print("go", flush=True)
    while True:
        atomic_write(path, a)
        atomic_write(path, b)
    """
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _kill_writer_randomly(path: Path, iterations: int, rng: random.Random) -> set[bytes]:
    seen: set[bytes] = set()
    for _ in range(iterations):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)],
            stdout=subprocess.PIPE,
            cwd=Path(__file__).resolve().parent.parent,
        )
        assert child.stdout is not None
        assert child.stdout.readline() == b"go\n"
        time.sleep(rng.uniform(0, 0.03))  # lands the kill at a random point of the write loop
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        content = path.read_bytes()
        assert content in (OLD, A, B), f"torn file: {len(content)} bytes"
        seen.add(content)
    return seen


def test_sigkill_at_random_points_leaves_old_or_new_content(tmp_path: Path) -> None:
    target = tmp_path / "config"
    target.write_bytes(OLD)
    _kill_writer_randomly(target, 50, random.Random(1234))
    # Only the target and abandoned temp files of killed writers remain, never a half-written target.
    others = {p.name for p in tmp_path.iterdir()} - {"config"}
    assert all(name.startswith(".config.") and name.endswith(".tmp") for name in others)


@pytest.mark.fuzz
def test_sigkill_fuzz(tmp_path: Path) -> None:
    target = tmp_path / "config"
    target.write_bytes(OLD)
    seen = _kill_writer_randomly(target, 500, random.Random())
    assert seen - {OLD}


def test_new_file_gets_mode_and_private_parent_dirs(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "settings.toml"
    atomic_write(target, b"x = 1\n")
    assert target.read_bytes() == b"x = 1\n"
    assert _mode(target) == 0o600
    assert _mode(tmp_path / "a") == 0o700
    assert _mode(tmp_path / "a" / "b") == 0o700


def test_new_file_explicit_mode(tmp_path: Path) -> None:
    target = tmp_path / "f"
    atomic_write(target, b"1", mode=0o640)
    assert _mode(target) == 0o640


def test_existing_mode_is_preserved(tmp_path: Path) -> None:
    target = tmp_path / "config"
    target.write_bytes(b"old")
    os.chmod(target, 0o644)
    atomic_write(target, b"new", mode=0o600)
    assert target.read_bytes() == b"new"
    assert _mode(target) == 0o644


def test_backup_keeps_previous_content_private(tmp_path: Path) -> None:
    target = tmp_path / "config"
    target.write_bytes(b"first")
    os.chmod(target, 0o644)
    atomic_write(target, b"second", backup=True)
    bak = backup_path(target)
    assert bak.name == "config.sm-spaces.bak"
    assert bak.read_bytes() == b"first"
    assert _mode(bak) == 0o600
    atomic_write(target, b"third", backup=True)
    assert bak.read_bytes() == b"second"
    assert target.read_bytes() == b"third"


def test_backup_of_missing_file_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "config"
    atomic_write(target, b"new", backup=True)
    assert not backup_path(target).exists()


def test_writes_through_symlink(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "ssh_config"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "config"
    link.symlink_to(real)
    atomic_write(link, b"new", follow_link=True)  # the user's file, linked by a dotfile manager
    assert link.is_symlink()
    assert real.read_bytes() == b"new"


def test_failed_write_leaves_target_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "config"
    target.write_bytes(b"old")
    with pytest.raises(TypeError):
        atomic_write(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["config"]


def test_refuses_to_replace_a_directory(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    with pytest.raises(FileRefused, match="config is a directory, not a regular file"):
        atomic_write(tmp_path / "config", b"x")


def test_temp_files_a_killed_writer_left_are_swept_by_the_next_write(tmp_path: Path) -> None:
    target = tmp_path / "config"
    target.write_bytes(OLD)
    _kill_writer_randomly(target, 20, random.Random(99))
    (tmp_path / ".config.zz99_abc.tmp").write_bytes(A[:1000])  # one for certain, as mkstemp names them
    leftovers = [p for p in tmp_path.iterdir() if p.name != "config"]
    old = time.time() - 3600
    for path in leftovers:
        os.utime(path, (old, old))  # as if the killed writers died an hour ago
    fresh = tmp_path / ".config.abcd1234.tmp"  # a live writer's, moments old: must survive
    fresh.write_bytes(b"x")
    unrelated = [tmp_path / ".config.notours.tmp", tmp_path / ".other.abcd1234.tmp", tmp_path / "config.tmp"]
    for path in unrelated:
        path.write_bytes(b"keep")
        os.utime(path, (old, old))
    atomic_write(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert {p.name for p in tmp_path.iterdir()} == {"config", fresh.name, *(p.name for p in unrelated)}
