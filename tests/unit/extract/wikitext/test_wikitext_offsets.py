"""Offsets derived from the nodes' lengths land exactly on each part in the source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from verifier.extract.wikitext_offsets import (
    children,
    external_link_parts,
    heading_title_offset,
    tag_contents_offset,
    template_parameters,
    wikilink_text_offset,
)
from verifier.extract.wikitext_tree import Code, ExternalLink, Heading, Tag, Template, Wikilink, parse

SAMPLE = (Path(__file__).parent / "samples" / "article.wiki").read_text(encoding="utf-8")
TRICKY = (
    "== Head [http://h.test/ h] ==\n"
    "<ref name = \"a\" group='g' >x {{t | k = v | {{inner|1}} }}</ref>"
    "<REF NAME=b/>[[File:A.png|thumb|cap [http://c.test/ c]]]"
    '{| class="wikitable"\n|-\n! head\n| cell [//p.test/ p]\n|}\n'
    '<div style="x"><span>http://bare.test/</span></div><ref>a</ref >'
)


def parts_found(code: Code, start: int, text: str) -> int:
    """Check every part reachable from ``code``; the number of parts checked."""
    checked = 0

    def check(part: Any, offset: int) -> None:
        nonlocal checked
        written = str(part)
        assert text[offset : offset + len(written)] == written
        checked += 1

    for node, offset in children(code, start):
        check(node, offset)
        if isinstance(node, Template):
            for parameter, name_offset, value_offset in template_parameters(node, offset):
                if parameter.showkey:
                    check(parameter.name, name_offset)
                checked += parts_found(parameter.value, value_offset, text)
        elif isinstance(node, Tag) and not node.self_closing and node.contents is not None:
            checked += parts_found(node.contents, tag_contents_offset(node, offset), text)
        elif isinstance(node, ExternalLink):
            url_offset, title_offset = external_link_parts(node, offset)
            check(node.url, url_offset)
            if node.title is not None and title_offset is not None:
                checked += parts_found(node.title, title_offset, text)
        elif isinstance(node, Wikilink) and node.text is not None:
            checked += parts_found(node.text, wikilink_text_offset(node, offset), text)
        elif isinstance(node, Heading):
            checked += parts_found(node.title, heading_title_offset(node, offset), text)
    return checked


def test_every_part_of_the_sample_is_placed_exactly() -> None:
    code = parse(SAMPLE, skip_style_tags=True)
    assert parts_found(code, 0, SAMPLE) > 100


def test_padded_attributes_tables_and_odd_case_tags() -> None:
    code = parse(TRICKY, skip_style_tags=True)
    assert parts_found(code, 0, TRICKY) > 30


def test_offsets_shift_with_the_start() -> None:
    prefix = "x" * 17
    code = parse(TRICKY, skip_style_tags=True)
    assert parts_found(code, len(prefix), prefix + TRICKY) == parts_found(code, 0, TRICKY)
