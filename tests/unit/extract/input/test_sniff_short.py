"""Short documents: one unmistakable markup construct is enough, prose and PDF text stay text."""

from __future__ import annotations

import pytest

from tests.unit.extract.input import samples
from verifier.extract import extract_bytes
from verifier.extract.sniff import sniff_format
from verifier.model import Format


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Intro text.\n\n- [Docs](https://example.org/docs)\n", Format.MARKDOWN),
        ("Intro text.\n\n* [Guide](docs/guide.md)\n", Format.MARKDOWN),
        ("See ![chart](img/chart.png) and more [here](#usage).\n", Format.MARKDOWN),
        ('<p>See <a href="https://example.org/">x</a></p>', Format.HTML),
        ('<div><a href="/x">x</a></div>\n', Format.HTML),
        ("<ul>\n<li><a href='https://example.org/a'>A</a></li>\n</ul>\n", Format.HTML),
    ],
)
def test_short_markup_is_recognised(text: str, expected: Format) -> None:
    assert sniff_format(text) is expected


@pytest.mark.parametrize(
    "text",
    [
        "Meeting notes.\n\nSee http://example.org/docs for details.\n",
        "Totals [1] (2010) and [2] (2011) were reported.\n",
        "a < b and b > c, so a <p> is not a paragraph.\n",
        "Use **care** with this.\n\n---\n",
        "① http://www.example.com/2010/04/\n14/world/a.html.\n",
        samples.PLAIN_EMAIL,
        samples.PDF_TEXT,
    ],
)
def test_short_prose_and_pdf_text_stay_text(text: str) -> None:
    assert sniff_format(text) is Format.TEXT


def test_a_long_text_needs_full_evidence_for_one_link() -> None:
    prose = "Plain prose with no markup at all, sentence after sentence.\n" * 60
    assert sniff_format(prose + "[Docs](https://example.org/docs)\n") is Format.TEXT


def test_the_front_door_reads_a_short_markdown_file_as_markdown() -> None:
    document, _ = extract_bytes(b"Intro text.\n\n- [Docs](https://example.org/docs)\n", "notes.txt")
    assert document is not None and document.format is Format.MARKDOWN
    (reference,) = document.references
    assert (reference.url, reference.text, reference.line) == ("https://example.org/docs", "Docs", 3)


def test_the_front_door_reads_a_short_html_fragment_as_html() -> None:
    document, _ = extract_bytes(b'<p>See <a href="https://example.org/">x</a></p>', "frag.txt")
    assert document is not None and document.format is Format.HTML
    (reference,) = document.references
    assert (reference.url, reference.text) == ("https://example.org/", "x")
