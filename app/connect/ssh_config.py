"""The sm-spaces block in ~/.ssh/config: render it, plan changes as bytes, apply them atomically.

Placement. OpenSSH takes, for each option, the FIRST value it obtains while reading the file top to
bottom. Appended at the end, our `User` and `ProxyCommand` would lose to any earlier `Host *` or
global line (and to files pulled in by an earlier `Include`). So a new block goes at the very top of
the file, and ends with a bare `Host *` line: whatever global lines followed the top of the file
keep applying to every host exactly as before. A block that already exists is replaced where it
is, in case the user moved it. Bytes outside the block are never changed.

Host keys. The ssh stream runs inside a StartSession channel that AWS authenticates (SigV4 over
TLS) and binds to one space ARN, and a space may come back with new host keys after a restart.
Pinning keys would add little trust and would break restarted spaces: with a stale key OpenSSH
refuses (accept-new) or silently disables port forwarding, which VS Code Remote-SSH needs
(StrictHostKeyChecking=no). So keys are not recorded at all (known-hosts files are /dev/null) and
the user's ~/.ssh/known_hosts is never touched. `LogLevel ERROR` hides the resulting
"Permanently added" notice on every connect; `ssh -v` still overrides it.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..atomic import FileChanged, atomic_update
from ..config import validate_endpoint_url, validate_profile, validate_region
from ..file_checks import read_regular
from ..model import REMOTE_USER
from ..names import SpaceArn
from .ssh_config_parse import (
    ALIAS_NAMESPACE,
    CREATED_NOTE,
    END_MARKER,
    START_MARKER,
    SshConfigError,
    claims,
    host_patterns,
    line_ending,
    locate_block,
)

__all__ = [
    "PlanResult",
    "SshConfigConflict",
    "SshConfigError",
    "default_config_path",
    "find_conflicts",
    "install",
    "plan_install",
    "plan_remove",
    "remove",
    "render_block",
    "unified_diff",
    "write_plan",
]

_ALIAS_RE = re.compile(r"^sm-[a-z0-9](?:[a-z0-9.-]{0,200})$")
_PLAIN_ARG = re.compile(r"^[A-Za-z0-9_./:=@+,-]+$")
_FORBIDDEN_IN_ARG = re.compile(r"[\x00-\x1f\x7f'\"\\`]")

# A dead link noticed within about a minute, not TCP's many minutes: ssh sends a keepalive after
# 15 s without a word from the space and gives up after 4 unanswered (~75 s of silence). Below that
# the proxy's own websocket heartbeat (app/ssm/websocket.py: within ~30 s) and its resume budget
# (app/ssm/resume.py: 30 s) fit, so a resumed link answers the queued keepalives in time and the
# ssh session carries on; one that cannot be resumed ends with the proxy's reason first.
SERVER_ALIVE_INTERVAL_S = 15
SERVER_ALIVE_COUNT_MAX = 4
CONNECT_TIMEOUT_S = 60


class SshConfigConflict(SshConfigError):
    def __init__(self, conflicts: list[str]) -> None:
        self.conflicts = conflicts
        super().__init__(
            "your ssh config already defines hosts that sm-spaces would take over: "
            + "; ".join(conflicts)
            + " — rename or remove them, then install again"
        )


def default_config_path() -> Path:
    return Path.home() / ".ssh" / "config"


# --- rendering --------------------------------------------------------------------------------


def render_block(
    entries: Iterable[tuple[str, str]],
    proxy_argv_prefix: Sequence[str],
    *,
    profile: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
    known_hosts_file: str = os.devnull,
) -> str:
    """The managed block (LF line ends, trailing newline).

    `entries` are (alias, space ARN) pairs; `proxy_argv_prefix` runs sm-spaces (e.g. its console
    script, or ``[python, "-m", <package>]``). Every value is validated or quoted; anything that could
    smuggle an option or a shell command raises ValueError.
    """
    options: list[str] = []
    if profile is not None:
        options += ["--profile", validate_profile(profile)]
    if endpoint_url is not None:
        options += ["--endpoint-url", validate_endpoint_url(endpoint_url)]
    region_options = ["--region", validate_region(region)] if region is not None else []
    if not proxy_argv_prefix:
        raise ValueError("the sm-spaces command to run as ProxyCommand is empty")
    command = " ".join(_proxy_word(arg) for arg in [*proxy_argv_prefix, *options])

    lines = [
        START_MARKER,
        "# SageMaker Studio spaces, reached through `sm-spaces ssh-proxy` (StartSession + SSM).",
        "# Host keys are not pinned: AWS authenticates the channel, and restarted spaces may get",
        "# new keys. Your ~/.ssh/known_hosts is not used for these hosts.",
    ]
    seen: set[str] = set()
    for given, arn in entries:
        alias = _check_alias(given)
        if alias in seen:
            raise ValueError(f"alias {alias} is listed twice")
        seen.add(alias)
        # The ARN carries the region, so no --region here.
        lines += [f"Host {alias}", f"  ProxyCommand {command} ssh-proxy {_check_arn(arn)}"]
    proxy_by_name = " ".join([command, *region_options]) if region_options else command
    lines += [
        # '%n' is the name as typed; the negated pattern keeps a name with a quote out of the shell.
        f'Host {ALIAS_NAMESPACE} "!*\'*"',
        f"  ProxyCommand {proxy_by_name} ssh-proxy '%n'",
        f"  User {REMOTE_USER}",
        f"  UserKnownHostsFile {_path_value(known_hosts_file)}",
        f"  GlobalKnownHostsFile {_path_value(os.devnull)}",
        "  StrictHostKeyChecking no",
        "  LogLevel ERROR",
        f"  ServerAliveInterval {SERVER_ALIVE_INTERVAL_S}",
        f"  ServerAliveCountMax {SERVER_ALIVE_COUNT_MAX}",
        f"  ConnectTimeout {CONNECT_TIMEOUT_S}",
        "# Back to all hosts, so lines after this block keep their meaning.",
        "Host *",
        END_MARKER,
    ]
    return "\n".join(lines) + "\n"


def alias_is_safe(alias: str) -> bool:
    return isinstance(alias, str) and _ALIAS_RE.fullmatch(alias) is not None and ".." not in alias


def _check_alias(alias: str) -> str:
    if not alias_is_safe(alias):
        raise ValueError(f"unsafe ssh host alias {alias!r}")
    return alias


def _check_arn(arn: str) -> str:
    parsed = SpaceArn.parse(arn)  # raises ValueError naming the problem
    if str(parsed) != arn:
        raise ValueError(f"space ARN {arn!r} is not in canonical form")
    return arn


def _proxy_word(arg: str) -> str:
    """One shell word of ProxyCommand (run by ssh as `$SHELL -c "exec ..."`), with ssh's % tokens
    escaped. Quotes, backslashes, backquotes and control characters are refused outright rather
    than escaped: their escaping differs between sh, zsh and fish."""
    if not isinstance(arg, str) or not arg or _FORBIDDEN_IN_ARG.search(arg):
        raise ValueError(
            f"cannot use {arg!r} in ProxyCommand: quotes, backslashes and control characters are not allowed"
        )
    word = arg if _PLAIN_ARG.fullmatch(arg) else f"'{arg}'"
    return word.replace("%", "%%")


def _path_value(path: str) -> str:
    """A file path as an ssh_config argument (tokenised with quotes, %-expanded by ssh)."""
    if not path or _FORBIDDEN_IN_ARG.search(path):
        raise ValueError(f"cannot use path {path!r} in ssh config")
    word = path if _PLAIN_ARG.fullmatch(path) else f'"{path}"'
    return word.replace("%", "%%")


# --- planning (pure, bytes in, bytes out) ---------------------------------------------------


def plan_install(existing: bytes, block: str) -> bytes:
    """`existing` with `block` replaced in place, or inserted at the top (see module docstring)."""
    eol = line_ending(existing)
    body = block.replace("\r\n", "\n").rstrip("\n").split("\n")
    new_block = eol.join(line.encode("utf-8") for line in body) + eol
    span = locate_block(existing)
    if span is None:
        return new_block + existing
    start, end = span
    if end == len(existing) and not existing.endswith(b"\n"):
        new_block = new_block[: -len(eol)]  # the old block ended the file without a newline
    return existing[:start] + new_block + existing[end:]


def plan_remove(existing: bytes) -> bytes:
    """`existing` without our block: byte-identical to the file before it was installed."""
    span = locate_block(existing)
    if span is None:
        return existing
    return existing[: span[0]] + existing[span[1] :]


def block_aliases(block: str) -> list[str]:
    """The host names our block defines (its literal Host patterns, lower-case)."""
    return [p.lower() for _, p in host_patterns(block.encode("utf-8")) if "*" not in p]


def find_conflicts(existing: bytes, aliases: Iterable[str]) -> list[str]:
    """User-written Host/Match patterns, outside our block, that claim our aliases or namespace."""
    wanted = [a.lower() for a in aliases]
    conflicts = []
    for number, pattern in host_patterns(existing, skip=locate_block(existing)):
        reason = claims(pattern, wanted)
        if reason:
            conflicts.append(f"line {number}: {pattern!r} claims {reason}")
    return conflicts


# --- applying ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanResult:
    path: Path
    before: bytes
    after: bytes
    written: bool
    # The change as a function of the file's bytes (None: delete the file), so write_plan can
    # apply it again to an edit another program makes while it writes.
    change: Callable[[bytes], bytes | None] | None = field(default=None, compare=False, repr=False)
    deleted: bool = False  # the file goes away rather than being left empty

    @property
    def changed(self) -> bool:
        return self.before != self.after or self.deleted

    @property
    def diff(self) -> str:
        return unified_diff(self.before, self.after, str(self.path))


def install(path: str | os.PathLike[str], block: str, *, dry_run: bool = False) -> PlanResult:
    """Install or update the block; refuses (SshConfigConflict) if user hosts claim our names."""
    target = Path(path)

    def change(before: bytes) -> bytes:
        conflicts = find_conflicts(before, block_aliases(block))
        if conflicts:
            raise SshConfigConflict(conflicts)
        created = (not before and not os.path.lexists(target)) or has_created_note(before)
        return plan_install(before, with_created_note(block) if created else block)

    return _run(target, change, dry_run)


def remove(path: str | os.PathLike[str], *, dry_run: bool = False) -> PlanResult:
    """Take the block out; a file install created, holding nothing else, is deleted."""

    def change(before: bytes) -> bytes | None:
        after = plan_remove(before)
        return None if after == b"" and has_created_note(before) else after

    return _run(Path(path), change, dry_run)


def _run(path: Path, change: Callable[[bytes], bytes | None], dry_run: bool) -> PlanResult:
    if dry_run:
        before = _read(path)
        after = change(before)
        return PlanResult(path, before, after or b"", False, change, after is None)
    return _write(path, change)


def _read(path: Path) -> bytes:
    try:
        return read_regular(path)  # FileRefused for a FIFO, a device or a directory: never a hang
    except FileNotFoundError:
        return b""


def write_plan(plan: PlanResult) -> PlanResult:
    """Write a plan made with dry_run=True (after the user saw its diff), but only if the file still
    holds what the plan was made from: otherwise the user would get something they did not see."""
    if not plan.changed:
        return plan
    try:
        return _write(plan.path, plan.change or (lambda before: plan.after), expect=plan.before)
    except FileChanged:
        raise SshConfigError(
            f"{plan.path} changed while you were looking at the diff; run the command again"
        ) from None


def _write(path: Path, change: Callable[[bytes], bytes | None], expect: bytes | None = None) -> PlanResult:
    deleted = False

    def noted(current: bytes) -> bytes | None:
        nonlocal deleted
        result = change(current)
        deleted = result is None
        return result

    before, after = atomic_update(path, noted, mode=0o600, backup=True, expect=expect)
    return PlanResult(path, before, after, before != after or deleted, change, deleted)


def with_created_note(block: str) -> str:
    first, _, rest = block.partition("\n")
    return f"{first}\n{CREATED_NOTE}\n{rest}"


def has_created_note(data: bytes) -> bool:
    span = locate_block(data)
    if span is None:
        return False
    return any(line.strip() == CREATED_NOTE.encode() for line in data[span[0] : span[1]].splitlines())


def unified_diff(before: bytes, after: bytes, name: str) -> str:
    old = before.decode("utf-8", "replace").splitlines(keepends=True)
    new = after.decode("utf-8", "replace").splitlines(keepends=True)
    return "".join(difflib.unified_diff(old, new, f"{name} (now)", f"{name} (after)"))
