"""Reading an existing ssh_config as bytes: our marked block, and user Host/Match lines.

Everything works on bytes so that a file in any encoding, with CRLF or LF line ends, tabs, or no
final newline, passes through unchanged. Lines are split on LF only, as OpenSSH reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

START_MARKER = "# >>> sm-spaces managed block - do not edit (remove with: sm-spaces ssh-config remove) >>>"
END_MARKER = "# <<< sm-spaces managed block <<<"
# Put inside the block when install creates the file, so that remove can tell a file that only
# ever held our block (deleted) from an empty file the user had before (kept, byte for byte).
CREATED_NOTE = (
    "# sm-spaces created this file; `sm-spaces ssh-config remove` deletes it while nothing else is in it."
)
_START_PREFIX = b"# >>> sm-spaces"
_END_PREFIX = b"# <<< sm-spaces"

ALIAS_NAMESPACE = "sm-*"


class SshConfigError(ValueError):
    """The file cannot be changed safely (for instance, our markers were damaged by hand)."""


@dataclass(frozen=True, slots=True)
class Line:
    number: int  # 1-based
    start: int  # byte offset of the line
    end: int  # byte offset after its line ending
    text: bytes  # without the line ending


def split_lines(data: bytes) -> list[Line]:
    lines: list[Line] = []
    offset = 0
    number = 0
    while offset < len(data):
        newline = data.find(b"\n", offset)
        end = len(data) if newline < 0 else newline + 1
        number += 1
        lines.append(Line(number, offset, end, data[offset:end].rstrip(b"\r\n")))
        offset = end
    return lines


def line_ending(data: bytes) -> bytes:
    """The file's line-ending style, judged by its first line ending (LF for empty files)."""
    newline = data.find(b"\n")
    return b"\r\n" if newline > 0 and data[newline - 1 : newline] == b"\r" else b"\n"


def locate_block(data: bytes) -> tuple[int, int] | None:
    """Byte range [start, end) of our block, end-marker line ending included; None if absent."""
    starts = [ln for ln in split_lines(data) if ln.text.strip().startswith(_START_PREFIX)]
    ends = [ln for ln in split_lines(data) if ln.text.strip().startswith(_END_PREFIX)]
    if not starts and not ends:
        return None
    if len(starts) != 1 or len(ends) != 1 or ends[0].start < starts[0].start:
        raise SshConfigError(
            "the sm-spaces block markers in the ssh config are damaged (missing, repeated or out "
            "of order); remove the block by hand, then install again"
        )
    return starts[0].start, ends[0].end


# --- user Host / Match lines ------------------------------------------------------------------

_KEYWORD = re.compile(rb"^[ \t]*([A-Za-z]+)(?:[ \t]*=[ \t]*|[ \t]+)(.*)$")


def split_args(text: str) -> list[str]:
    """Split arguments the way OpenSSH does: whitespace, '...' and "..." quotes, backslash escapes,
    and an unquoted # ends the line."""
    args: list[str] = []
    current: list[str] = []
    in_arg = False
    quote = ""
    chars = iter(text)
    for char in chars:
        if quote:
            if char == quote:
                quote = ""
            elif char == "\\":
                current.append(next(chars, ""))
            else:
                current.append(char)
        elif char in "'\"":
            quote, in_arg = char, True
        elif char == "\\":
            current.append(next(chars, ""))
            in_arg = True
        elif char in " \t":
            if in_arg:
                args.append("".join(current))
                current, in_arg = [], False
        elif char == "#" and not in_arg:
            break
        else:
            current.append(char)
            in_arg = True
    if in_arg:
        args.append("".join(current))
    return args


def host_patterns(data: bytes, *, skip: tuple[int, int] | None = None) -> list[tuple[int, str]]:
    """(line number, pattern) for every non-negated host pattern of `Host` lines and of
    `Match host`/`Match originalhost` criteria, outside the byte range `skip`."""
    found: list[tuple[int, str]] = []
    for line in split_lines(data):
        if skip and skip[0] <= line.start < skip[1]:
            continue
        match = _KEYWORD.match(line.text)
        if not match:
            continue
        keyword = match.group(1).lower()
        args = split_args(match.group(2).decode("utf-8", "surrogateescape"))
        if keyword == b"host":
            patterns = args
        elif keyword == b"match":
            patterns = _match_host_patterns(args)
        else:
            continue
        found.extend((line.number, p) for p in patterns if p and not p.startswith("!"))
    return found


def _match_host_patterns(args: list[str]) -> list[str]:
    """The host patterns `Match host`/`Match originalhost` criteria name, in either spelling
    OpenSSH accepts (`host sm-*` and `host=sm-*`). A negated criterion (`!host x`) matches every
    other host, like `Host *`, so it claims nothing of ours in particular."""
    patterns: list[str] = []
    index = 0
    while index < len(args):
        criterion, equals, value = args[index].partition("=")
        criterion = criterion.lower()
        if criterion.lstrip("!") in ("all", "canonical", "final"):
            index += 1
            continue
        if not equals:
            value = args[index + 1] if index + 1 < len(args) else ""
            index += 1
        index += 1
        if criterion in ("host", "originalhost"):
            patterns.extend(value.split(","))
    return patterns


def claims(pattern: str, aliases: list[str]) -> str | None:
    """Why a user pattern collides with ours, or None if it does not.

    A literal name equal to one of our aliases, or inside our ``sm-*`` namespace, collides; so does
    a pattern aimed at that namespace (``sm-prod-*``, ``sm*``). Catch-all patterns such as ``*``
    do not: our block comes first, so for the options it sets our values win, and the user's
    other options still apply.
    """
    lowered = pattern.lower()
    prefix = re.split(r"[*?]", lowered, maxsplit=1)[0]
    if prefix == lowered:  # a literal name
        if lowered in aliases:
            return f"alias {lowered}"
        return f"the {ALIAS_NAMESPACE} namespace" if lowered.startswith("sm-") else None
    if prefix.startswith("sm-") or (len(prefix) >= 2 and "sm-".startswith(prefix)):
        return f"the {ALIAS_NAMESPACE} namespace"
    return None
