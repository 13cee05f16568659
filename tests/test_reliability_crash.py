"""Crash safety of the files we write for the user: settings, listing cache, ~/.ssh/config block.

A writer process alternates two versions of a file through our real save function and is killed
with SIGKILL at a random instant; the file must then hold the old content or one of the two new
ones, byte for byte, and keep mode 0600 in a 0700 directory. (tests/test_atomic.py covers the
generic atomic_write; this drives save_settings, save_cache and ssh_config.install themselves.)

Writers are forked from a "zygote" that imported the app once, so a kill costs a fork, not an
interpreter start: many kills fit in a short CI run.
"""

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

from tests.reliability_log import record

ROOT = Path(__file__).resolve().parent.parent

# The writer's three save functions, each alternating version "a" and "b" forever.
ZYGOTE = textwrap.dedent(
    """
    import os, sys, time
    from datetime import datetime, timezone
    from pathlib import Path
    from sm_spaces import config
    from sm_spaces.connect import ssh_config
    from sm_spaces.model import App, Space

    kind, target = sys.argv[1], Path(sys.argv[2])

    def spaces(tag, n=300):
        app = App("d-x", "s", "JupyterLab", "default", "InService", "ml.m5.large")
        return [Space("d-crash0001", f"{tag}-space-{i:05d}", "us-east-1", "123456789012", "InService",
                      app=app, owner="alice", remote_access=True, alias=f"sm-{tag}-{i}") for i in range(n)]

    def settings(tag):
        return config.Settings(profile=f"profile-{tag}", regions=["us-east-1", "eu-west-1"],
                               filters=[f"d-x/{tag}-{i}" for i in range(50)], refresh_interval_s=30 if tag == "a" else 90)

    def block(tag):
        arn = "arn:aws:sagemaker:us-east-1:123456789012:space/d-crash0001/"
        entries = [(f"sm-{tag}-{i}", arn + f"{tag}-{i}") for i in range(300)]
        return ssh_config.render_block(entries, ["sm-spaces"], region="us-east-1")

    when = datetime(2026, 1, 1, tzinfo=timezone.utc)
    versions = {
        "settings": [lambda t=t: config.save_settings(settings(t), target) for t in "ab"],
        "cache": [lambda s=spaces(t): config.save_cache("p", "us-east-1", s, saved_at=when) for t in "ab"],
        "ssh": [lambda b=block(t): ssh_config.install(target, b) for t in "ab"],
    }[kind]

    if sys.argv[3:] == ["once"]:  # write both versions once, keep a copy of each (the expected bytes)
        for i, write in enumerate(versions):
            write()
            real = target if kind != "cache" else config.cache_path("p", "us-east-1")
            Path(sys.argv[2] + ".v" + "ab"[i]).write_bytes(real.read_bytes())
        sys.exit(0)

    for line in sys.stdin:
        pid = os.fork()
        if pid == 0:
            while True:
                for write in versions:
                    write()
        print(pid, flush=True)
        os.waitpid(pid, 0)
        print("done", flush=True)
    """
)

OLD_SSH = b"# my own hosts\nHost build\n  HostName build.internal\n  User me\n"
OLD_SETTINGS = b'profile = "old"\nregions = ["us-west-2"]\n'


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["SM_SPACES_CONFIG_DIR"] = str(tmp_path / "config")
    env["SM_SPACES_CACHE_DIR"] = str(tmp_path / "cache")
    env["PYTHONPATH"] = str(ROOT)
    return env


def _target(kind: str, tmp_path: Path) -> Path:
    if kind == "ssh":
        return tmp_path / "home" / ".ssh" / "config"
    if kind == "settings":
        return tmp_path / "config" / "config.toml"
    return tmp_path / "cache" / "listing"  # save_cache picks its own name under SM_SPACES_CACHE_DIR


def _written(kind: str, target: Path, env: dict[str, str]) -> Path:
    if kind != "cache":
        return target
    names = [p for p in Path(env["SM_SPACES_CACHE_DIR"]).iterdir() if p.name.startswith("spaces-")]
    assert len(names) == 1, names
    return names[0]


def _expected_versions(kind: str, tmp_path: Path, env: dict[str, str]) -> tuple[bytes, bytes]:
    probe = tmp_path / "probe"
    probe_env = dict(
        env, SM_SPACES_CACHE_DIR=str(probe / "cache"), SM_SPACES_CONFIG_DIR=str(probe / "config")
    )
    probe.mkdir()
    if kind == "ssh":  # the block goes in above the user's own lines, as in the real file
        (probe / "file").write_bytes(OLD_SSH)
    subprocess.run(
        [sys.executable, "-c", ZYGOTE, kind, str(probe / "file"), "once"],
        env=probe_env,
        check=True,
        cwd=ROOT,
        timeout=120,
    )
    return (probe / "file.va").read_bytes(), (probe / "file.vb").read_bytes()


def kill_writes_at_random(kind: str, tmp_path: Path, iterations: int, rng: random.Random) -> dict[str, int]:
    env = _env(tmp_path)
    target = _target(kind, tmp_path)
    version_a, version_b = _expected_versions(kind, tmp_path, env)
    old: bytes | None = None
    if kind == "ssh":
        target.parent.mkdir(parents=True, mode=0o700)
        target.write_bytes(OLD_SSH)
        target.chmod(0o600)
        old = OLD_SSH
    elif kind == "settings":
        target.parent.mkdir(parents=True, mode=0o700)
        target.write_bytes(OLD_SETTINGS)
        target.chmod(0o600)
        old = OLD_SETTINGS
    allowed = {version_a, version_b} | ({old} if old is not None else set())
    zygote = subprocess.Popen(
        [sys.executable, "-c", ZYGOTE, kind, str(target)],
        env=env,
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert zygote.stdin is not None and zygote.stdout is not None
    seen = {"old": 0, "a": 0, "b": 0, "absent": 0}
    window = 0.025  # a cycle takes a few ms (fsyncs, renames) on a quiet machine
    try:
        for done in range(iterations):
            zygote.stdin.write("go\n")
            zygote.stdin.flush()
            pid = int(zygote.stdout.readline())
            if done and done % 20 == 0 and seen["a"] + seen["b"] == 0:
                window = min(window * 2, 0.5)  # a loaded machine: no write completed yet, wait longer
            # A random instant inside the write loop.
            time.sleep(rng.uniform(0, window))
            os.kill(pid, signal.SIGKILL)
            assert zygote.stdout.readline().strip() == "done"
            try:
                written = _written(kind, target, env)
            except (AssertionError, FileNotFoundError):
                seen["absent"] += 1  # killed before the first cache write ever landed: nothing torn
                continue
            content = written.read_bytes()
            assert content in allowed, f"{kind}: torn file of {len(content)} bytes"
            seen["old" if content == old else "a" if content == version_a else "b"] += 1
            assert _mode(written) == 0o600 and _mode(written.parent) == 0o700
    finally:
        zygote.stdin.close()
        zygote.wait(30)
    folder = Path(env["SM_SPACES_CACHE_DIR"]) if kind == "cache" else target.parent
    leftovers = [p for p in folder.iterdir() if p.name.endswith(".tmp")] if folder.exists() else []
    if kind == "ssh":
        backup = target.with_name(target.name + ".sm-spaces.bak")
        if backup.exists():  # the backup is itself written atomically: one whole earlier version
            assert backup.read_bytes() in allowed and _mode(backup) == 0o600
    seen["abandoned_temp_files"] = len(leftovers)  # kills that landed between temp write and rename
    seen["iterations"] = iterations
    return seen


@pytest.mark.parametrize("kind", ["settings", "cache", "ssh"])
def test_sigkill_during_save_leaves_old_or_new_file(kind: str, tmp_path: Path) -> None:
    seen = kill_writes_at_random(kind, tmp_path, 100, random.Random(f"crash-{kind}"))
    record(f"crash.{kind}", **seen)
    assert seen["a"] + seen["b"] > 0, "the writer never completed a write: the kills proved nothing"


@pytest.mark.fuzz
@pytest.mark.parametrize("kind", ["settings", "cache", "ssh"])
def test_sigkill_during_save_fuzz(kind: str, tmp_path: Path) -> None:
    seen = kill_writes_at_random(kind, tmp_path, 1000, random.Random())
    record(f"crash.{kind}.long", **seen)
    assert seen["a"] + seen["b"] > 0
