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
from .ssh_config import block_aliases, render_block
from .ssh_config_parse import _KEYWORD, ALIAS_NAMESPACE, locate_block, split_args, split_lines


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
        parts = [f"profile {self.profile}" if self.profile else "the default profile"]
        if self.region:
            parts.append(f"region {self.region}")
        if self.endpoint_url:
            parts.append(f"endpoint {self.endpoint_url}")
        return ", ".join(parts)


def entries_for(spaces: Iterable[Space]) -> list[tuple[str, str]]:
    """(alias, ARN) per space, sorted by alias so the block does not churn between listings."""
    return sorted((s.alias, s.arn) for s in spaces if s.alias)


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
    return data[span[0] : span[1]].decode("utf-8", "replace").replace("\r\n", "\n")


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
