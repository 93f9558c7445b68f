"""Raw HTML inside Markdown: anchors, images and the other URL attributes."""

from __future__ import annotations

from tests.unit.extract.markdown.helpers import extract


def test_inline_anchor_and_image() -> None:
    text = (
        'Go <a href="https://example.com/a?x=1&amp;y=2">https://example.com/a</a> '
        "or <img src='/logo.png' alt=\"x\">.\n"
    )
    found = extract(text).references
    assert [(r.raw, r.column) for r in found] == [
        ("https://example.com/a?x=1&amp;y=2", 13),
        ("/logo.png", 87),
    ]
    assert found[0].url == "https://example.com/a?x=1&y=2"


def test_html_block_over_several_lines() -> None:
    text = (
        "Before.\n\n"
        "<div>\n"
        '  <a class="x"\n'
        '     href="https://example.com/block">see https://example.com/inside</a>\n'
        "  <p>Read https://example.com/prose too</p>\n"
        '  <!-- <a href="https://example.com/commented"> -->\n'
        "  <code>https://example.com/code</code>\n"
        "</div>\n"
    )
    found = extract(text).references
    assert [(r.raw, r.line) for r in found] == [
        ("https://example.com/block", 5),
        ("https://example.com/prose", 6),
    ]


def test_html_block_inside_a_list_item() -> None:
    text = '- item\n\n  <p><a href="https://example.com/li">x</a></p>\n'
    (reference,) = extract(text).references
    assert (reference.line, reference.column) == (3, 15)


def test_inline_html_comment_hides_its_links() -> None:
    text = "Shown [a](https://example.com/a) <!-- [b](https://example.com/b) https://example.com/c -->\n"
    assert [r.raw for r in extract(text).references] == ["https://example.com/a"]
