"""The block an account should have: which sm-spaces runs as ProxyCommand, with which AWS context,
and how an installed block compares with what `ssh-config install` would write now.

Shared by `ssh-config show|install` and `doctor`, so both judge "current" the same way.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Space
from ..names import is_space_arn
from .ssh_config import alias_is_safe, block_aliases, render_block
from .ssh_config_parse import _KEYWORD, ALIAS_NAMESPACE, CREATED_NOTE, locate_block, split_args, split_lines


def self_command() -> list[str]:
    """How a child (ssh's ProxyCommand, through the user's shell) starts sm-spaces again: the console
    script installed next to this Python when there is one, else ``python -m <our package>`` with this
    very interpreter. Both are absolute, so they work whatever PATH ssh, VS Code or a cron job runs with."""
    bin_dir = Path(os.path.abspath(sys.executable)).parent
    for name in ("sm-spaces", "sm-spaces.exe"):
        script = bin_dir / name
        if script.is_file() and os.access(script, os.X_OK):
            return [str(script)]
    return [os.path.abspath(sys.executable), "-m", __name__.partition(".")[0]]


def effective_endpoint(explicit: str | None) -> str | None:
    """The SageMaker endpoint botocore will use: --endpoint-url, else AWS_ENDPOINT_URL_SAGEMAKER or
    AWS_ENDPOINT_URL. Baked into the block, since ssh (or VS Code) may run without those variables."""
    return (
        explicit or os.environ.get("AWS_ENDPOINT_URL_SAGEMAKER") or os.environ.get("AWS_ENDPOINT_URL") or None
    )


@dataclass(frozen=True, slots=True)
class BlockContext:
    """The AWS context baked into the block's ProxyCommand lines."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None

    @classmethod
    def of_block(cls, block: str) -> BlockContext:
        """Read --profile/--region/--endpoint-url back from the namespace (`Host sm-*`) entry."""
        values: dict[str, str] = {}
        in_pattern_host = False
        for line in split_lines(block.encode("utf-8")):
            match = _KEYWORD.match(line.text)
            if not match:
                continue
            keyword = match.group(1).lower()
            args = split_args(match.group(2).decode("utf-8", "replace"))
            if keyword == b"host":
                in_pattern_host = bool(args) and args[0] == ALIAS_NAMESPACE
            elif keyword == b"proxycommand" and in_pattern_host:
                words = [w.replace("%%", "%") for w in args]
                for flag in ("--profile", "--region", "--endpoint-url"):
                    if flag in words[:-1]:
                        values[flag] = words[words.index(flag) + 1]
        return cls(values.get("--profile"), values.get("--region"), values.get("--endpoint-url"))

    def describe(self) -> str:
        parts = [f"AWS profile {self.profile}" if self.profile else "the default credential chain"]
        if self.region:
            parts.append(f"region {self.region}")
        if self.endpoint_url:
            parts.append(f"endpoint {self.endpoint_url}")
        return ", ".join(parts)


def block_context(profile: str | None, region: str | None, endpoint_url: str | None) -> BlockContext:
    """The context as the user gave it (the endpoint as botocore will find it), refused with a
    ValueError when a value cannot be baked safely into ssh_config: they end up in a shell command."""
    from ..config import validate_endpoint_url, validate_profile, validate_region

    endpoint = effective_endpoint(endpoint_url)
    return BlockContext(
        profile and validate_profile(profile),
        region and validate_region(region),
        endpoint and validate_endpoint_url(endpoint),
    )


def entries_for(spaces: Iterable[Space]) -> list[tuple[str, str]]:
    """(alias, ARN) per usable space, sorted by alias so the block does not churn between listings."""
    return sorted(split_usable(spaces)[0])


def split_usable(spaces: Iterable[Space]) -> tuple[list[tuple[str, str]], list[Space]]:
    """(alias, ARN) of the spaces a block can name, and the spaces it cannot: a name that cannot
    form a space ARN (only a non-AWS endpoint serves one), or an alias another space took first.
    One such space must not keep every other one out of the block."""
    usable: list[tuple[str, str]] = []
    skipped: list[Space] = []
    taken: set[str] = set()
    for space in spaces:
        if not space.alias:
            continue
        if space.alias in taken or not alias_is_safe(space.alias) or not is_space_arn(space.arn):
            skipped.append(space)
            continue
        taken.add(space.alias)
        usable.append((space.alias, space.arn))
    return usable, skipped


def skipped_warning(skipped: Sequence[Space]) -> str:
    names = ", ".join(f"{s.name!r} ({s.domain_id!r})" for s in skipped[:5])
    more = f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
    return (
        f"sm-spaces: left out of the ssh config block: {names}{more}: "
        "a name that cannot form a space ARN or an ssh alias"
    )


def expected_block(
    spaces: Iterable[Space], context: BlockContext, prefix: Sequence[str] | None = None
) -> str:
    return render_block(
        entries_for(spaces),
        prefix or self_command(),
        profile=context.profile,
        region=context.region,
        endpoint_url=context.endpoint_url,
    )


def installed_block(data: bytes) -> str | None:
    """Our block as found in a config file (LF line ends), or None. Raises SshConfigError when
    its markers are damaged."""
    span = locate_block(data)
    if span is None:
        return None
    block = data[span[0] : span[1]].decode("utf-8", "replace").replace("\r\n", "\n")
    # The note install adds to a file it created says nothing about the block's contents.
    return "".join(line for line in block.splitlines(keepends=True) if line.strip() != CREATED_NOTE)


@dataclass(frozen=True, slots=True)
class BlockStatus:
    installed: str | None
    expected: str
    missing: list[str] = field(default_factory=list)  # aliases the account has, the block lacks
    extra: list[str] = field(default_factory=list)  # aliases in the block for spaces now gone

    @property
    def present(self) -> bool:
        return self.installed is not None

    @property
    def current(self) -> bool:
        return self.installed is not None and _normal(self.installed) == _normal(self.expected)

    def describe(self) -> str:
        if self.installed is None:
            return "no sm-spaces block is installed"
        if self.current:
            count = len(block_aliases(self.expected))
            return f"the block is current ({count} alias{'es' if count != 1 else ''})"
        reasons = []
        if self.missing:
            reasons.append(f"missing {_names(self.missing)}")
        if self.extra:
            reasons.append(f"still lists {_names(self.extra)}")
        if not reasons:
            reasons.append("its ProxyCommand or options differ from what install would write now")
        return "the block is out of date: " + "; ".join(reasons)


def compare(installed: str | None, expected: str) -> BlockStatus:
    if installed is None:
        return BlockStatus(None, expected)
    have, want = set(block_aliases(installed)), set(block_aliases(expected))
    return BlockStatus(installed, expected, sorted(want - have), sorted(have - want))


def _normal(block: str) -> str:
    return block.replace("\r\n", "\n").rstrip("\n")


def _names(aliases: list[str], shown: int = 4) -> str:
    head = ", ".join(aliases[:shown])
    return head + (f" and {len(aliases) - shown} more" if len(aliases) > shown else "")
