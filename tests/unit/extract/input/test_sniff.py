"""Format by content: each sample sniffs as what it is, whatever it is called."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from tests.unit.extract.input import samples
from verifier.extract.sniff import _SIGNALS, SNIFF_CHARS, format_evidence, sniff_format
from verifier.model import Format


def test_the_markdown_seed_named_txt_is_markdown(seeds_dir: Path) -> None:
    text = (seeds_dir / "000_c3dc2c98d2c962ed.txt").read_text(encoding="utf-8")
    assert sniff_format(text) is Format.MARKDOWN


def test_the_pdf_text_seed_is_plain_text(seeds_dir: Path) -> None:
    text = (seeds_dir / "003_a0175d8ff7ab9ad7.txt").read_text(encoding="utf-8")
    assert sniff_format(text) is Format.TEXT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (samples.HTML_PAGE, Format.HTML),
        (samples.HTML_FRAGMENT, Format.HTML),
        (samples.XHTML_PAGE, Format.HTML),
        ("<!-- generated -->\n<!doctype html><title>t</title>", Format.HTML),
        (samples.WIKITEXT, Format.WIKITEXT),
        (samples.WIKITEXT_REFS_ONLY, Format.WIKITEXT),
        (samples.MARKDOWN_README, Format.MARKDOWN),
        (samples.MARKDOWN_FOOTNOTES, Format.MARKDOWN),
        (samples.MARKDOWN_REFERENCE_STYLE, Format.MARKDOWN),
        (samples.MARKDOWN_WITH_HTML_TABLE, Format.MARKDOWN),
        (samples.WIKITEXT_WITH_HTML, Format.WIKITEXT),
        (samples.PDF_TEXT, Format.TEXT),
        (samples.PLAIN_EMAIL, Format.TEXT),
        ("", Format.TEXT),
        ("http://example.org/ alone", Format.TEXT),
    ],
    ids=[
        "html-page",
        "html-fragment",
        "xhtml",
        "html-after-comment",
        "wikitext",
        "wikitext-refs",
        "markdown-readme-with-html",
        "markdown-footnotes",
        "markdown-reference-style",
        "markdown-with-html-table",
        "wikitext-with-html",
        "pdf-text",
        "plain-email",
        "empty",
        "bare-url",
    ],
)
def test_samples_sniff_as_their_format(text: str, expected: Format) -> None:
    assert sniff_format(text) is expected


def test_escaped_wikipedia_markers_are_markdown_evidence() -> None:
    text = "Body text\\[1\\] and more\\[2\\].\n\n1.  [Title](http://example.org/a)\n2.  \n"
    assert sniff_format(text) is Format.MARKDOWN


def test_wikitext_ref_tags_do_not_make_html() -> None:
    evidence = format_evidence(samples.WIKITEXT_REFS_ONLY)
    assert evidence[Format.WIKITEXT] > evidence[Format.HTML]


def test_only_the_head_of_a_document_is_looked_at() -> None:
    prose = "Plain prose with no markup at all, sentence after sentence.\n" * (SNIFF_CHARS // 40)
    assert sniff_format(prose + samples.MARKDOWN_README * 5) is Format.TEXT
    assert sniff_format(samples.MARKDOWN_README * 5 + prose) is Format.MARKDOWN


def test_a_few_accidental_markdown_constructs_do_not_outweigh_prose() -> None:
    text = samples.PDF_TEXT + "# 3 items in total\n" + samples.PDF_TEXT * 3
    assert sniff_format(text) is Format.TEXT


def test_html_tags_outweigh_markdown_in_evidence_yet_markdown_wins_without_a_root_element() -> None:
    evidence = format_evidence(samples.MARKDOWN_WITH_HTML_TABLE)
    assert evidence[Format.HTML] > evidence[Format.MARKDOWN] >= 4
    assert sniff_format(samples.MARKDOWN_WITH_HTML_TABLE) is Format.MARKDOWN


def test_pdf_text_with_dashed_footnote_rules_stays_text() -> None:
    page = samples.PDF_TEXT.replace("\n① 王", "\n----------\n① 王")
    assert sniff_format(page * 20) is Format.TEXT


@pytest.mark.parametrize(
    "text", ["#REDIRECT [[2012 Nuclear Security Summit]]\n", "__NOTOC__\nShort article.\n"]
)
def test_wiki_page_switches_alone_make_wikitext(text: str) -> None:
    assert sniff_format(text) is Format.WIKITEXT


def _counted_as_written(text: str) -> dict[Format, float]:
    """The evidence with each signal in its plain form: "^" at line starts, "(?<!\\[)\\[", "!?\\["."""
    head = text[:SNIFF_CHARS]
    evidence: dict[Format, float] = {}
    for fmt, signals in _SIGNALS.items():
        total = 0.0
        for signal in signals:
            pattern = signal.pattern.pattern
            if signal.at_line_start:
                pattern = "^" + pattern.removeprefix("\n")
            pattern = pattern.replace("\\[(?<!\\[\\[)", "(?<!\\[)\\[")
            if fmt is Format.MARKDOWN and pattern.startswith("\\[[^\\[\\]\\n]*\\]\\("):
                pattern = "!?" + pattern
            count = sum(1 for _ in re.compile(pattern, signal.pattern.flags).finditer(head))
            total += min(count, signal.cap) * signal.weight
        evidence[fmt] = total
    return evidence


def test_signals_searched_by_their_first_character_count_what_their_plain_forms_count() -> None:
    rng = random.Random(3)
    pieces = [
        "\n", "\r\n", "=", "==", " ", "\t", "#", "#REDIRECT", "[[", "]]", "[", "]", "(", ")", "!", "{|",
        "```", "~~~", "---", "===", "* ", "1. ", "http://a.test/c", "//x.test", "<", ">", "'''", "x", "[^1]",
        ":", "{{", "}}", "é", "**", "__", "*", "_",
    ]  # fmt: skip
    texts = [samples.WIKITEXT, samples.MARKDOWN_README, samples.MARKDOWN_REFERENCE_STYLE, samples.PDF_TEXT]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 60))) for _ in range(3000)]
    for text in texts:
        assert format_evidence(text) == _counted_as_written(text), text
