"""The HTML tables the fast reading looks up are beautifulsoup4's own, entry for entry."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from bs4.builder import HTMLTreeBuilder
from bs4.builder._htmlparser import BeautifulSoupHTMLParser
from bs4.dammit import EntitySubstitution

from verifier.extract import html_rules

# The published type stubs predate this method.
_dereference: Any = getattr(BeautifulSoupHTMLParser, "_dereference_numeric_character_reference")  # noqa: B009


def test_element_and_attribute_tables() -> None:
    assert set(getattr(HTMLTreeBuilder, "DEFAULT_EMPTY_ELEMENT_TAGS", None) or ()) == html_rules.VOID_ELEMENTS
    assert set(HTMLTreeBuilder.DEFAULT_STRING_CONTAINERS) == html_rules.STRING_CONTAINERS
    assert set(HTMLTreeBuilder.DEFAULT_PRESERVE_WHITESPACE_TAGS) == html_rules.PRESERVE_WHITESPACE
    assert {
        name: set(values) for name, values in HTMLTreeBuilder.DEFAULT_CDATA_LIST_ATTRIBUTES.items()
    } == html_rules.LIST_ATTRIBUTES


def test_named_references() -> None:
    assert html_rules.ENTITIES == EntitySubstitution.HTML_ENTITY_TO_CHARACTER


def _numbers() -> set[int]:
    numbers = set(range(0x3000)) | set(range(0, 0x110100, 97))
    for low, high in [(0xD7F0, 0xE010), (0xFDC0, 0xFDF8), (0xFFF0, 0x10010), (0x10FFF0, 0x110010)]:
        numbers.update(range(low, high))
    numbers.update(plane + last for plane in range(0, 0x110000, 0x10000) for last in (0xFFFE, 0xFFFF))
    return numbers


def test_numeric_references() -> None:
    for number in sorted(_numbers()):
        for digits in (str(number), f"x{number:x}", f"X{number:X}", f"00{number}", f"x00{number:X}"):
            character, _, extra = _dereference(digits)
            assert (html_rules.numeric_reference(digits), "") == (character, extra), digits
    for digits in ("9" * 40, "x" + "f" * 40):
        assert html_rules.numeric_reference(digits) == _dereference(digits)[0] == "\ufffd"


def test_a_reference_of_thousands_of_digits_is_a_replacement_character_not_a_failed_page() -> None:
    # Python refuses to read an integer of more than 4,300 digits; the page must still be read.
    for digits in ("9" * 5000, "0" * 5000 + "65", "x" + "0" * 5000 + "41"):
        expected = "A" if digits.endswith(("65", "41")) else "\ufffd"
        assert html_rules.numeric_reference(digits) == expected
    from verifier.extract import extract_bytes

    page = f'<html><body><p>&#{"9" * 5000}; <a href="http://a.test/">a</a></p></body></html>'.encode()
    document, problems = extract_bytes(page, "page.html")
    assert document is not None and problems == []
    assert [reference.url for reference in document.references] == ["http://a.test/"]


def test_reading_a_usual_page_does_not_load_beautifulsoup() -> None:
    program = (
        "import sys\n"
        "from verifier.extract import extract_bytes\n"
        "page = b'<!DOCTYPE html><html><body><p>A &amp; &#91;1&#93; <a href=\"http://a.test/\">a</a></p></body></html>'\n"
        "document, _ = extract_bytes(page, 'page.html')\n"
        "assert [reference.url for reference in document.references] == ['http://a.test/']\n"
        "print(sorted(name for name in sys.modules if name.startswith(('bs4', 'soupsieve'))))\n"
    )
    completed = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "[]"
