"""The one sanitiser for text that comes from AWS or any other endpoint.

Anyone who may call UpdateSpace can put ESC in a SpaceDisplayName (its pattern is `(?!\\s*$).+`),
and a non-AWS endpoint can put anything in any field. Written raw to a terminal, such text retitles
it, clears it, writes the clipboard (OSC 52) or forges lines of a table. So every string from a
response passes through `safe_text` where it enters the model (app/aws/parse.py, AwsError), and
the command line runs its output through it once more:

- line breaks and other whitespace controls (TAB, LF, VT, FF, CR, NEL, U+2028/9) become a space,
  so one value stays on one line;
- every other C0 control and DEL is shown as its Unicode control picture (ESC as U+241B);
- C1 controls (U+0080-U+009F, where CSI and OSC have single-byte forms), the bidirectional
  overrides, embeddings and isolates (text shown in an order other than the one it has), and lone
  surrogates (which cannot be encoded for the terminal at all) become U+FFFD.

Names AWS itself constrains (space, domain and user profile names, ids, instance types) can hold
none of these, so for them the sanitiser is the identity: ids stay exact for the calls made with them.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"

_FLATTENED = "\t\n\v\f\r\x1c\x1d\x1e\x1f\x85\u2028\u2029"
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _shown(char: str) -> str:
    code = ord(char)
    if char in _FLATTENED:
        return " "
    if code < 0x20:
        return chr(0x2400 + code)  # U+2400 CONTROL PICTURE FOR NULL onwards
    if code == 0x7F:
        return "\u2421"  # SYMBOL FOR DELETE
    return REPLACEMENT


_UNSAFE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029{_BIDI}\\ud800-\\udfff]")


def safe_text(value: str) -> str:
    """`value` with nothing a terminal would act on: see the module's docstring."""
    # str.isprintable is False for every character _UNSAFE matches (and for a few harmless ones,
    # such as a no-break space): almost every string takes this C-speed path.
    if value.isprintable():
        return value
    return _UNSAFE.sub(lambda m: _shown(m.group()), value)


def safe_optional(value: str | None) -> str | None:
    return None if value is None else safe_text(value)
