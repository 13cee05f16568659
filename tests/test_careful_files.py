"""Files opened with care (issue 14, item 4): links, FIFOs, devices, directories, ownership, read-only
files, and an edit another program makes while sm-spaces writes ~/.ssh/config.

Anything that could hang (a FIFO) runs in a subprocess with a timeout, so a regression fails the
test instead of stopping the suite."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sm_spaces import atomic, config
from sm_spaces.atomic import atomic_update, atomic_write, backup_path
from sm_spaces.connect.ssh_block import BlockContext, expected_block, split_usable
from sm_spaces.connect.ssh_config import install, remove, render_block, write_plan
from sm_spaces.file_checks import FileRefused, private_dir, read_regular
from sm_spaces.model import Space, assign_aliases

from tests.reliability_log import record

ROOT = Path(__file__).resolve().parent.parent
SM = [sys.executable, "-m", "sm_spaces"]
PREFIX = ["/usr/bin/sm-spaces"]


def _block(*names: str) -> str:
    arns = [(f"sm-{n}", f"arn:aws:sagemaker:us-east-1:123456789012:space/d-abc/{n}") for n in names]
    return render_block(arns, PREFIX)


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def _python(
    code: str, env: dict[str, str] | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def _sm(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SM, *args], capture_output=True, text=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL
    )


# --- links ------------------------------------------------------------------------------------


def test_a_link_at_the_cache_name_is_replaced_and_its_target_left_alone(tmp_path) -> None:  # type: ignore[no-untyped-def]
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious\n")
    os.chmod(victim, 0o644)
    name = config.cache_path("dev", "us-east-1")
    private_dir(name.parent)
    name.symlink_to(victim)
    config.save_cache("dev", "us-east-1", [Space("d-abc", "s1", "us-east-1", "123456789012", "InService")])
    assert victim.read_bytes() == b"precious\n" and _mode(victim) == 0o644
    assert not name.is_symlink() and _mode(name) == 0o600
    assert config.load_cache("dev", "us-east-1") is not None
    record("files.links", cases=1)


def test_a_link_at_the_backup_name_is_replaced_and_its_target_left_alone(tmp_path: Path) -> None:
    ssh_config = tmp_path / "ssh" / "config"
    private_dir(ssh_config.parent)
    ssh_config.write_bytes(b"Host github.com\n  User git\n")
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious\n")
    os.chmod(victim, 0o644)
    backup_path(ssh_config).symlink_to(victim)
    install(ssh_config, _block("a"))
    assert victim.read_bytes() == b"precious\n" and _mode(victim) == 0o644
    assert backup_path(ssh_config).read_bytes() == b"Host github.com\n  User git\n"
    assert not backup_path(ssh_config).is_symlink() and _mode(backup_path(ssh_config)) == 0o600
    record("files.links", cases=1)


def test_the_user_s_link_for_ssh_config_is_written_through_and_kept(tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir(mode=0o700)
    real = dotfiles / "ssh_config"
    real.write_bytes(b"Host x\n")
    os.chmod(real, 0o600)
    link = tmp_path / "config"
    link.symlink_to(real)
    install(link, _block("a"))
    assert link.is_symlink() and b"sm-a" in real.read_bytes()
    assert backup_path(real).read_bytes() == b"Host x\n"  # the backup sits next to the real file
    remove(link)
    assert link.is_symlink() and real.read_bytes() == b"Host x\n"
    record("files.links", cases=1)


def test_a_dangling_ssh_config_link_is_refused_and_creates_nothing(tmp_path: Path) -> None:
    link = tmp_path / "config"
    target = tmp_path / "nowhere" / "deeper" / "ssh_config"
    link.symlink_to(target)
    with pytest.raises(FileRefused, match="which does not exist"):
        install(link, _block("a"))
    assert not (tmp_path / "nowhere").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config"]
    record("files.links", cases=1)


def test_temporary_files_are_never_written_through_a_link(tmp_path: Path) -> None:
    # mkstemp picks names no one can predict and creates them with O_EXCL: a link planted at any
    # name in the directory is never opened. Plant many and check they all survive untouched.
    target = tmp_path / "config"
    target.write_bytes(b"old\n")
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious\n")
    for i in range(50):
        (tmp_path / f".config.{i:08d}.tmp").symlink_to(victim)
    atomic_write(target, b"new\n")
    assert target.read_bytes() == b"new\n" and victim.read_bytes() == b"precious\n"


# --- FIFOs, devices, directories ----------------------------------------------------------------


def test_a_fifo_where_settings_and_cache_should_be_is_refused_not_waited_on(tmp_path: Path) -> None:
    env = dict(
        os.environ, SM_SPACES_CONFIG_DIR=str(tmp_path / "cfg"), SM_SPACES_CACHE_DIR=str(tmp_path / "cache")
    )
    private_dir(tmp_path / "cfg")
    os.mkfifo(tmp_path / "cfg" / "config.toml")
    cache = tmp_path / "cache"
    private_dir(cache)
    env["SM_SPACES_CACHE_DIR"] = str(cache)
    done = _python(
        """
        import os
        from sm_spaces import config
        settings, warning = config.load_settings()
        print(warning)
        os.mkfifo(config.cache_path("dev", "us-east-1"))
        print(config.load_cache("dev", "us-east-1"))
        """,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    warning, cache = done.stdout.splitlines()
    assert "config.toml is a FIFO (named pipe), not a regular file" in warning
    assert "using default settings" in warning
    assert cache == "None"
    record("files.fifo", cases=2, message=warning.split(": ", 1)[1])


def test_a_fifo_as_ssh_config_is_one_line_for_install_show_remove_and_doctor(tmp_path: Path) -> None:
    fifo = tmp_path / "ssh_config"
    os.mkfifo(fifo)
    env = dict(os.environ, HOME=str(tmp_path))
    for words in (["install", "--dry-run"], ["show"], ["remove", "--yes"]):
        proc = _sm("--demo", "ssh-config", *words, "--config", str(fifo), env=env)
        assert proc.returncode == 1, (words, proc.stderr)
        assert proc.stderr.strip().splitlines()[-1] == (  # after --demo's "preview only" note
            f"sm-spaces: {fifo} is a FIFO (named pipe), not a regular file; move it away and try again"
        )
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # left as it was
    doctor = _sm("--demo", "doctor", "--config", str(fifo), env=env, timeout=120)
    assert "FIFO (named pipe)" in doctor.stdout and "Traceback" not in doctor.stderr
    record("files.fifo", commands=4)


@pytest.mark.parametrize("kind", ["device", "directory"])
def test_a_device_or_a_directory_is_refused(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "config"
    if kind == "device":
        path.symlink_to("/dev/zero")  # an endless read if it were read
        expected = "is a character device, not a regular file"
    else:
        path.mkdir()
        expected = "is a directory, not a regular file"
    with pytest.raises(FileRefused, match=expected):
        read_regular(path)
    with pytest.raises(FileRefused, match=expected):
        install(path, _block("a"))
    _, warning = config.load_settings(path)
    assert warning is not None and expected in warning
    record("files.not_regular", cases=3)


# --- our own directories --------------------------------------------------------------------


def test_our_directories_are_created_private(tmp_path: Path) -> None:
    made = private_dir(tmp_path / "a" / "b" / "c")
    assert all(_mode(tmp_path / p) == 0o700 for p in ("a", "a/b", "a/b/c"))
    assert made == tmp_path / "a" / "b" / "c"


def test_a_directory_of_another_user_or_writable_by_all_is_refused(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        theirs = tmp_path / "theirs"
        theirs.mkdir(mode=0o700)
        os.chown(theirs, 4242, 4242)
    else:  # not root: a directory root owns stands for another user's
        theirs = Path("/usr/share")
    with pytest.raises(FileRefused, match=r"belongs to another user \(uid \d+\)"):
        atomic_write(theirs / "config.toml", b"x = 1\n")
    everyone = tmp_path / "everyone"
    everyone.mkdir()
    os.chmod(everyone, 0o777)
    with pytest.raises(FileRefused, match="is writable by every user"):
        config.save_settings(config.Settings(), everyone / "config.toml")
    assert list(everyone.iterdir()) == []
    record("files.directories", cases=2)


# --- read-only, remove, unparseable spaces ---------------------------------------------------


def test_a_read_only_ssh_config_is_refused_with_a_line(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_bytes(b"Host x\n")
    os.chmod(path, 0o444)
    env = dict(os.environ, HOME=str(tmp_path))
    proc = _sm("--demo", "ssh-config", "install", "--dry-run", "--config", str(path), env=env)
    assert proc.returncode == 0  # a preview only reads
    with pytest.raises(FileRefused, match=r"is read-only; make it writable \(chmod u\+w"):
        install(path, _block("a"))
    assert path.read_bytes() == b"Host x\n" and _mode(path) == 0o444
    assert not backup_path(path).exists()
    record("files.read_only", cases=1)


def test_remove_deletes_a_file_that_held_only_our_block(tmp_path: Path) -> None:
    path = tmp_path / "config"
    install(path, _block("a"))
    assert remove(path).written
    assert not path.exists() and not backup_path(path).exists()
    # A file with the user's own lines keeps them, byte for byte.
    path.write_bytes(b"Host x\n")
    install(path, _block("a"))
    remove(path)
    assert path.read_bytes() == b"Host x\n"


def test_remove_after_seeing_the_diff_deletes_the_file_too(tmp_path: Path) -> None:
    path = tmp_path / "config"
    install(path, _block("a"))
    plan = remove(path, dry_run=True)
    assert plan.after == b"" and plan.deleted
    assert write_plan(plan).deleted
    assert not path.exists()


def test_an_empty_file_the_user_had_stays_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_bytes(b"")
    install(path, _block("a"))
    assert b"sm-spaces created this file" not in path.read_bytes()
    remove(path)
    assert path.exists() and path.read_bytes() == b""


def test_the_cli_says_it_removed_the_file_it_had_created(tmp_path: Path) -> None:
    path = tmp_path / "config"
    install(path, _block("a"))
    proc = _sm(
        "ssh-config", "remove", "--yes", "--config", str(path), env=dict(os.environ, HOME=str(tmp_path))
    )
    assert proc.returncode == 0, proc.stderr
    assert (
        proc.stdout.splitlines()[-1] == f"removed {path}: sm-spaces had created it and nothing else was in it"
    )
    assert not path.exists()


def test_a_space_that_cannot_form_an_arn_is_left_out_not_fatal() -> None:
    good = Space("d-abc", "good", "us-east-1", "123456789012", "InService")
    bad = Space("d-abc", "bad name\u241b[2J", "us-east-1", "123456789012", "InService")
    twin = Space("d-abc", "GOOD", "us-east-1", "123456789012", "InService")  # same alias once lowered
    spaces = assign_aliases([good, bad, twin])
    usable, skipped = split_usable(spaces)
    assert [alias for alias, _ in usable] == [spaces[0].alias]
    assert {s.name for s in skipped} == {"bad name\u241b[2J", "GOOD"}
    block = expected_block(spaces, BlockContext(), PREFIX)
    assert "space/d-abc/good" in block and "bad name" not in block


# --- an edit made while we write --------------------------------------------------------------

APPENDER = """
import os, random, sys, time
path, count = sys.argv[1], int(sys.argv[2])
print("go", flush=True)
for i in range(count):
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    os.write(fd, f"# user line {i}\\n".encode())
    os.close(fd)
    time.sleep(random.uniform(0.002, 0.02))
"""

INSTALLER = """
import sys
from sm_spaces.connect.ssh_config import install, render_block
path, rounds = sys.argv[1], int(sys.argv[2])
arn = "arn:aws:sagemaker:us-east-1:123456789012:space/d-abc/"
blocks = [render_block([(f"sm-{n}", arn + n)], ["/usr/bin/sm-spaces"]) for n in ("one", "two")]
print("go", flush=True)
for i in range(rounds):
    install(path, blocks[i % 2])
"""


def test_edits_made_while_install_writes_are_kept(tmp_path: Path) -> None:
    """Two sm-spaces writers (taking the directory lock) and a program that does not (appending
    lines, as a user's script or editor would) change ~/.ssh/config at once: no line is lost, and
    the file ends with exactly one block."""
    path = tmp_path / "config"
    path.write_bytes(b"Host github.com\n  User git\n")
    lines, rounds = 300, 60
    appender = subprocess.Popen(
        [sys.executable, "-c", APPENDER, str(path), str(lines)], stdout=subprocess.PIPE, text=True
    )
    installers = [
        subprocess.Popen(
            [sys.executable, "-c", INSTALLER, str(path), str(rounds)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in range(2)
    ]
    for child in [appender, *installers]:
        assert child.stdout is not None and child.stdout.readline() == "go\n"
    for child in [appender, *installers]:
        assert child.wait(timeout=120) == 0
        assert child.stdout is not None
        child.stdout.close()
    final = path.read_bytes().decode()
    lost = [i for i in range(lines) if f"# user line {i}\n" not in final]
    record("files.concurrent_edit", iterations=2 * rounds, appended=lines, lost=len(lost))
    assert lost == []
    assert final.count("# >>> sm-spaces") == 1 and final.count("# <<< sm-spaces") == 1
    assert "Host github.com\n  User git\n" in final


def test_an_edit_between_our_read_and_our_check_starts_the_change_again(tmp_path: Path) -> None:
    # Deterministic form of the race above: the other program writes once, right after our read.
    path = tmp_path / "config"
    path.write_bytes(b"Host x\n")
    edits = []

    def change(before: bytes) -> bytes:
        if not edits:
            edits.append(1)
            with open(path, "ab") as other:
                other.write(b"# added meanwhile\n")
        return before if b"# ours\n" in before else before + b"# ours\n"

    atomic_update(path, change)
    assert path.read_bytes() == b"Host x\n# added meanwhile\n# ours\n"


def test_an_edit_between_our_check_and_the_rename_is_applied_again(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The narrowest window: the other program appends after our check, just before the rename.
    # os.replace is wrapped only to make that write happen at exactly that instant.
    path = tmp_path / "config"
    path.write_bytes(b"Host x\n")
    real_replace = os.replace
    edits = []

    def replace_after_an_edit(src, dst):  # type: ignore[no-untyped-def]
        if not edits:
            edits.append(1)
            with open(path, "ab") as other:
                other.write(b"# added meanwhile\n")
        return real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace_after_an_edit)
    before, _ = atomic_update(path, lambda old: old if b"# ours\n" in old else old + b"# ours\n")
    assert path.read_bytes() == b"Host x\n# added meanwhile\n# ours\n"
    assert before == b"Host x\n"  # what the first write replaced (also what the backup holds)
    assert backup_path(path).read_bytes() == b"Host x\n"


def test_the_tui_starts_and_quits_with_fifos_for_settings_cache_and_ssh_config(demo_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The TUI once waited forever on a FIFO config.toml and then ignored q and Ctrl-C."""
    from tests.terminal_session import TerminalSession

    home, cfg, cache = tmp_path / "home", tmp_path / "cfg", tmp_path / "cache"
    for directory in (home / ".ssh", cfg, cache):
        private_dir(directory)
    env = dict(demo_env, HOME=str(home), SM_SPACES_CONFIG_DIR=str(cfg), SM_SPACES_CACHE_DIR=str(cache))
    os.mkfifo(cfg / "config.toml")
    os.mkfifo(home / ".ssh" / "config")
    env_cache = subprocess.run(
        [
            *SM[:1],
            "-c",
            "from sm_spaces import config; print(config.cache_path('default', 'us-east-1', None))",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    os.mkfifo(env_cache)
    with TerminalSession([*SM], env, tmp_path) as term:
        assert term.wait_for("fraud-detection"), term.screen()  # the listing painted
        assert term.wait_for("FIFO"), term.screen()  # the settings warning says why
        term.keys("q")
        assert term.wait_exit(), term.screen()
    assert term.exit_code == 0
    assert all(stat.S_ISFIFO(os.lstat(p).st_mode) for p in (cfg / "config.toml", home / ".ssh" / "config"))
    record("files.fifo", cases=1)
