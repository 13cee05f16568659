"""Space names and space ARNs: checked against SageMaker's shapes before any call.

Apart from app/model.py: deep links, the ssh proxy and the commands that take a name need these,
the TUI's first frame does not (BENCHMARKS.md's first paint).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import space_arn

# SageMaker's SpaceName and DomainId shapes (pattern and max length 63 in botocore's model): a
# value outside them is refused here, before any call, instead of by the service.
_SPACE_NAME = r"[a-zA-Z0-9](?:-*[a-zA-Z0-9]){0,62}"
_DOMAIN_ID = r"d-(?:-*[a-z0-9]){1,61}"
_MAX_ID = 63


def check_space_name(name: str) -> str:
    """`name` when SageMaker allows it as a space name; ValueError saying what it allows otherwise."""
    if len(name) <= _MAX_ID and re.fullmatch(_SPACE_NAME, name):
        return name
    raise ValueError(
        f"{name[:80]!r} cannot be a SageMaker space name (at most 63 letters, digits and hyphens, "
        "starting and ending with a letter or digit)"
    )


_SPACE_ARN = re.compile(
    r"^arn:(?P<partition>aws(?:-cn|-us-gov|-iso(?:-[a-z])?)?):sagemaker:"
    r"(?P<region>[a-z]{2}(?:-[a-z]+)+-\d):(?P<account>\d{12}):"
    rf"space/(?P<domain_id>{_DOMAIN_ID})/(?P<space_name>{_SPACE_NAME})$"
)


@dataclass(frozen=True, slots=True)
class SpaceArn:
    """The parts of a space ARN (arn:<partition>:sagemaker:<region>:<account>:space/<domain>/<name>)."""

    partition: str
    region: str
    account: str
    domain_id: str
    space_name: str

    def __str__(self) -> str:
        return space_arn(self.partition, self.region, self.account, self.domain_id, self.space_name)

    @classmethod
    def parse(cls, text: str) -> SpaceArn:
        """Parse a space ARN strictly; raise ValueError naming what is wrong."""
        match = _arn_match(text)
        if not match:
            raise ValueError(
                f"not a SageMaker space ARN: {text[:120]!r} "
                "(expected arn:aws:sagemaker:<region>:<account>:space/<domain-id>/<space-name>)"
            )
        return cls(**match.groupdict())


def is_space_arn(text: str) -> bool:
    return _arn_match(text) is not None


def _arn_match(text: str) -> re.Match[str] | None:
    match = _SPACE_ARN.fullmatch(text)
    if match and max(len(match["domain_id"]), len(match["space_name"])) <= _MAX_ID:
        return match
    return None
