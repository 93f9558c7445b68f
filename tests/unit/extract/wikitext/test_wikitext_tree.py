"""The tree built from mwparserfromhell's tokens is mwparserfromhell's tree, node for node."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import mwparserfromhell
import pytest
from mwparserfromhell.wikicode import Wikicode

from verifier.extract import wikitext_tree
from verifier.extract.wikitext_tree import Code

SAMPLES = sorted((Path(__file__).parent / "samples").glob("*.wiki"))
PIECES = [
    "{{", "}}", "|", "=", "[[", "]]", "[", "]", "http://a.test/x", " ", "\n", "<ref>", "</ref>",
    '<ref name="a"/>', "<ref name=a group='g'>", "{{{", "}}}", "&amp;", "&#91;", "&#x5D;", "&bogus;",
    "<!--", "-->", "\n== H ==\n", "'''", "{|", "|}", "|-", "!", "* ", "# ", "; ", ": ", "----",
    "<nowiki>", "</nowiki>", "<br>", "<br/>", "</br>", '<div class="x y">', "</div>",
    "<span  style = 'a' >", "<references/>", "x", "{{cite web|url=http://a.test/}}", '<ref name="a b">',
    "<a href=x>", "<!", "</", "<",
]  # fmt: skip
# The parts of each kind of node, besides its str() and its length.
FIELDS = {
    "Text": ("value",),
    "Template": ("name",),
    "Parameter": ("name", "value", "showkey"),
    "Argument": ("name", "default"),
    "Wikilink": ("title", "text"),
    "ExternalLink": ("url", "title", "brackets", "suppress_space"),
    "HTMLEntity": ("value", "named", "hexadecimal", "hex_char"),
    "Heading": ("title", "level"),
    "Comment": ("contents",),
    "Tag": (
        "tag",
        "contents",
        "wiki_markup",
        "self_closing",
        "invalid",
        "implicit",
        "padding",
        "closing_tag",
        "wiki_style_separator",
        "closing_wiki_markup",
    ),
    "Attribute": ("name", "value", "quotes", "pad_first", "pad_before_eq", "pad_after_eq"),
}


def _same(theirs: Any, ours: Any) -> None:
    if isinstance(theirs, Wikicode):
        assert isinstance(ours, Code)
        assert (str(theirs), len(str(theirs))) == (str(ours), ours.length)
        assert len(theirs.nodes) == len(ours.nodes)
        for their_node, our_node in zip(theirs.nodes, ours.nodes, strict=True):
            _same(their_node, our_node)
        return
    kind = type(theirs).__name__
    assert kind == type(ours).__name__
    assert (str(theirs), len(str(theirs))) == (str(ours), ours.length)
    for field in FIELDS[kind]:
        their_part, our_part = getattr(theirs, field), getattr(ours, field)
        if isinstance(their_part, Wikicode) or isinstance(our_part, Code):
            _same(their_part, our_part)
        else:
            assert their_part == our_part, field
    for their_part, our_part in zip(
        getattr(theirs, "params", getattr(theirs, "attributes", [])),
        getattr(ours, "params", getattr(ours, "attributes", [])),
        strict=True,
    ):
        _same(their_part, our_part)


def _read_alike(text: str) -> None:
    try:
        theirs = mwparserfromhell.parse(text, skip_style_tags=True)
    except Exception as error:
        with pytest.raises(type(error), match=None) as raised:
            wikitext_tree.parse(text, skip_style_tags=True)
        assert str(raised.value) == str(error)
        return
    _same(theirs, wikitext_tree.parse(text, skip_style_tags=True))


@pytest.mark.parametrize("sample", SAMPLES, ids=[sample.name for sample in SAMPLES])
def test_the_samples_build_the_same_tree(sample: Path) -> None:
    _read_alike(sample.read_text(encoding="utf-8"))


def test_random_wikitext_builds_the_same_tree() -> None:
    rng = random.Random(5)
    for _ in range(3000):
        _read_alike("".join(rng.choice(PIECES) for _ in range(rng.randint(1, 30))))
