"""lab/text.py: what a guest wrote, made safe for a terminal, report.md and junit.xml."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from lab.text import printable, xml_safe


def test_an_escape_sequence_is_shown_as_hex_not_sent_to_the_terminal() -> None:
    assert printable("\x1b]0;pwned\x07done") == "\\x1b]0;pwned\\x07done"


def test_tab_and_newline_are_kept() -> None:
    assert printable("a\tb\nc") == "a\tb\nc"


def test_delete_and_c1_controls_are_escaped() -> None:
    assert printable("x\x7fy\x85z\x9b") == "x\\x7fy\\x85z\\x9b"


def test_a_lone_surrogate_becomes_the_replacement_character() -> None:
    assert printable("a\ud800b") == "a\ufffdb"


def test_one_line_joins_non_blank_lines_with_a_bar() -> None:
    assert printable("first\n\n  \nsecond\nthird", one_line=True) == "first | second | third"


def test_a_limit_cuts_to_that_many_characters_with_an_ellipsis() -> None:
    assert printable("abcdefghij", limit=8) == "abcde..."
    assert len(printable("abcdefghij", limit=8)) == 8
    assert printable("abcdefgh", limit=8) == "abcdefgh"


def test_the_limit_counts_the_escaped_form() -> None:
    assert printable("\x00\x00\x00", limit=9) == "\\x00\\x..."


def test_a_non_string_is_shown_as_its_text() -> None:
    assert printable(42) == "42"  # type: ignore[arg-type]  # any value, as a guest may send


def test_xml_safe_text_escapes_controls_and_drops_what_xml_cannot_hold() -> None:
    assert xml_safe("a\x1bb\ufffe\uffffc\ud800") == "a\\x1bb" + "c\ufffd"


def test_xml_safe_text_parses_with_a_strict_parser() -> None:
    hostile = "".join(chr(c) for c in range(0xa0)) + "\ud83d\ufffe\uffff"
    parsed = ET.fromstring(ET.tostring(ET.Element("r", a=xml_safe(hostile)), encoding="unicode"))
    assert parsed.attrib["a"].startswith("\\x00\\x01") and "\x1b" not in parsed.attrib["a"]


def test_unsafe_text_does_not_parse_which_is_why_xml_safe_exists() -> None:
    raw = ET.tostring(ET.Element("r", a="a\x1bb"), encoding="unicode")
    with pytest.raises(ET.ParseError):
        ET.fromstring(raw)
