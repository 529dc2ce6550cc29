"""Text from an environment made safe to show: no control characters, bounded in length.

Every sink that shows what a guest wrote applies one of these to what it renders: the terminal
lines and report.md (`printable`), junit.xml (`xml_safe`); JSON escapes by itself and the HTML
report escapes everything.
"""

from __future__ import annotations

import re

# C0 and C1 controls and DEL, but tab and newline: an escape sequence from a guest must not
# retitle a terminal, move its cursor or make an XML file invalid.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
# What XML 1.0 cannot hold at all, even as a character reference (after printable: the
# noncharacters U+FFFE and U+FFFF).
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def printable(text: str, limit: int = 0, one_line: bool = False) -> str:
    """`text` with every control character shown as `\\xNN` (tab and newline kept, or newlines as
    ' | ' with `one_line`), cut to `limit` characters when `limit` is given."""
    text = _SURROGATES.sub("\ufffd", _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text)))
    if one_line:
        text = " | ".join(part for part in text.splitlines() if part.strip())
    if limit and len(text) > limit:
        text = text[:limit - 3] + "..."
    return text


def xml_safe(text: str) -> str:
    """`printable(text)` with the characters XML 1.0 cannot hold removed: a strict parser reads it."""
    return _XML_INVALID.sub("", printable(text))
