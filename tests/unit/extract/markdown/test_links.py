"""Links of every Markdown form: where each one is, what it points to, what it says."""

from __future__ import annotations

from tests.unit.extract.markdown.helpers import extract, urls
from verifier.model import ReferenceKind


def test_inline_link_records_raw_url_position_and_text() -> None:
    text = 'Intro line.\n\nSee [the *docs*](https://example.com/a "Title") now.\n'
    (reference,) = extract(text).references
    assert reference.raw == "https://example.com/a"
    assert reference.url == "https://example.com/a"
    assert (reference.line, reference.column) == (3, 18)
    assert reference.text == "the docs"
    assert reference.kind is ReferenceKind.EXTERNAL
    assert reference.footnote is None and reference.citation is None


def test_pointy_destination_is_recorded_without_its_brackets() -> None:
    (reference,) = extract("[a](<https://example.com/x y>)\n").references
    assert reference.raw == "https://example.com/x y"


def test_reference_style_link_is_found_at_its_definition_with_the_text_of_its_use() -> None:
    text = "Read [the guide][g] and [g] again.\n\n[g]: https://example.com/guide 'Guide'\n"
    (reference,) = extract(text).references
    assert reference.url == "https://example.com/guide"
    assert (reference.line, reference.column) == (3, 6)
    assert reference.text == "the guide"


def test_unused_and_angle_bracketed_reference_definitions_are_still_references() -> None:
    text = "Nothing uses these.\n\n[one]: <https://example.com/1>\n[two]:\n  https://example.com/2\n"
    found = extract(text).references
    assert [(r.raw, r.line, r.text) for r in found] == [
        ("https://example.com/1", 3, None),
        ("https://example.com/2", 5, None),
    ]


def test_autolinks_web_and_email() -> None:
    found = extract("Write to <someone@example.org> or visit <HTTP://Example.COM:80/Path>.\n").references
    email, web = found
    assert email.kind is ReferenceKind.EMAIL
    assert email.raw == "someone@example.org"
    assert email.url == "mailto:someone@example.org"
    assert web.raw == "HTTP://Example.COM:80/Path"
    assert web.url == "http://example.com/Path"


def test_mailto_link_is_kind_email() -> None:
    (reference,) = extract("[mail](mailto:a@example.org)\n").references
    assert reference.kind is ReferenceKind.EMAIL
    assert reference.url == "mailto:a@example.org"


def test_mailto_autolink_keeps_its_scheme_once() -> None:
    for text in ("Write to <mailto:a@example.org>.\n", "[^1]: Write to <mailto:a@example.org>.\n"):
        (reference,) = extract(text).references
        assert reference.raw == "mailto:a@example.org"
        assert reference.url == "mailto:a@example.org"


def test_bare_urls_in_prose_stop_before_punctuation() -> None:
    text = "Plain https://example.com/a, then (see https://example.com/b_(c)) and www.example.org/x.\n中文https://example.cn/a。见下\n"
    found = extract(text).references
    assert [r.raw for r in found] == [
        "https://example.com/a",
        "https://example.com/b_(c)",
        "www.example.org/x",
        "https://example.cn/a",
    ]
    assert found[2].url == "http://www.example.org/x"
    assert all(r.kind is ReferenceKind.EXTERNAL for r in found)


def test_url_as_link_text_is_not_a_second_reference() -> None:
    (reference,) = extract("[https://example.com/shown](https://example.com/real)\n").references
    assert reference.raw == "https://example.com/real"


def test_bare_url_touching_a_link_is_kept_apart_from_it() -> None:
    found = extract("https://example.com/a[b](https://example.com/b)\n").references
    assert [r.raw for r in found] == ["https://example.com/a", "https://example.com/b"]


def test_image_and_image_nested_in_link() -> None:
    text = "![logo](https://img.example.com/logo.png)\n\n[![badge](https://img.example.com/b.svg)](https://ci.example.com/)\n"
    found = extract(text).references
    assert [(r.raw, r.line, r.text) for r in found] == [
        ("https://img.example.com/logo.png", 1, "logo"),
        ("https://img.example.com/b.svg", 3, "badge"),
        ("https://ci.example.com/", 3, "badge"),
    ]


def test_code_spans_and_code_blocks_yield_nothing() -> None:
    text = (
        "Use `[x](https://example.com/span)` and `https://example.com/bare`.\n\n"
        "```\n[x](https://example.com/fenced)\nhttps://example.com/fenced-bare\n```\n\n"
        "    [x](https://example.com/indented)\n\n"
        "After https://example.com/after\n"
    )
    assert urls(extract(text)) == ["https://example.com/after"]


def test_link_spanning_two_lines_is_located_at_its_url() -> None:
    text = "A [link whose text\nwraps](https://example.com/w) here.\n"
    (reference,) = extract(text).references
    assert (reference.line, reference.column) == (2, 8)
    assert reference.text == "link whose text wraps"


def test_destination_on_the_line_after_the_text() -> None:
    (reference,) = extract("[text](\n  https://example.com/next)\n").references
    assert (reference.line, reference.column) == (2, 3)


def test_same_url_twice_on_one_line_gets_two_columns() -> None:
    text = "[a](https://example.com/) and [a](https://example.com/) and https://example.com/\n"
    found = extract(text).references
    assert [r.column for r in found] == [5, 35, 61]


def test_links_inside_containers_are_located_exactly() -> None:
    text = (
        "> quoted [q](https://example.com/q)\n"
        "> > deeper [d](https://example.com/d)\n\n"
        "1. item\n\n"
        "   continued [c](https://example.com/c)\n"
        "   - nested [n](https://example.com/n)\n\n"
        "# Heading [h](https://example.com/h) #\n"
    )
    found = extract(text).references
    assert [(r.url.rsplit("/", 1)[1], r.line, r.column) for r in found] == [
        ("q", 1, 14),
        ("d", 2, 16),
        ("c", 6, 18),
        ("n", 7, 17),
        ("h", 9, 15),
    ]


def test_table_cells_with_the_same_link_are_told_apart() -> None:
    text = "| a | b |\n|---|---|\n| [x](https://e.com/) | [x](https://e.com/) |\n"
    found = extract(text).references
    assert [(r.line, r.column) for r in found] == [(3, 7), (3, 29)]


def test_crlf_line_endings() -> None:
    text = "first\r\n\r\n[a](https://example.com/a) [b](https://example.com/b)\r\n"
    found = extract(text).references
    assert [(r.line, r.column) for r in found] == [(3, 5), (3, 32)]


def test_tabs_in_list_indentation() -> None:
    text = "-\tone\n\n\tsee [x](https://example.com/t)\n"
    (reference,) = extract(text).references
    assert reference.line == 3


def test_escaped_brackets_are_not_links() -> None:
    assert extract("\\[not a link\\](https://example.com/x)\n").references[0].raw == "https://example.com/x"
    assert extract("\\[not a link\\](https://example.com/x)\n").references[0].text is None


def test_javascript_links_are_not_references() -> None:
    assert extract("[x](javascript:alert(1)) [y](https://example.com/)\n").references[0].url == (
        "https://example.com/"
    )
    assert len(extract("[x](javascript:alert(1))\n").references) == 0


def test_empty_destination_is_not_a_reference() -> None:
    assert extract("[x]() and [y](<>)\n").references == []


def test_empty_bullet_items_are_ignored() -> None:
    text = "  -\n  - [a](https://example.com/a)\n  -\n"
    extraction = extract(text)
    assert urls(extraction) == ["https://example.com/a"]
    assert extraction.footnote_issues == []
