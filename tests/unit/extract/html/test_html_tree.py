"""The fast tree must be the tree beautifulsoup4 on html.parser builds, string for string."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from verifier.extract.html_attributes import attribute_spans
from verifier.extract.html_build import _fast_tree, _Unusual, parse_html, soup_tree
from verifier.extract.html_tree import NONE, ROOT, Enclosing, HtmlTree

SAMPLES = sorted((Path(__file__).parent / "samples").glob("*.html"))

PIECES = [
    '<a href="x">', "</a>", "<p>", "</p>", "<br>", "<br/>", "</br>", "<img src=y>", "</img>", "  ", "\n",
    " \n ", "text", "&amp;", "&nbsp;", "&#91;", "&#x5D;", "&foo;", "&foo ", "& ", "&lt", "<!-- c -->",
    '<script>var a="<b>";</script>', "<style>p{}</style>", "<pre> \n </pre>", "<textarea>  </textarea>",
    '<div class="a  b" rel="x y">', "</div>", '<sup class="reference">', "</sup>", '<li id="n1">', "</li>",
    "<template><b> x </b></template>", "<ruby>a<rt> b </rt></ruby>", "< x", "a < b", "<title>t</title>",
    '<a href="a&amp;b" HREF="dup">', "<A Href = 'q'>", '<x-el src="u">', "<p/>", '<span title="a>b">',
    "<input disabled>", "</input>", "&#0;", "&#128;", "&#1114112;", "<!DOCTYPE html>", "\r\n",
    '<td headers="h1 h2">', "&Amp;", "<b\tclass=x\n>", "<?php ?>", "<![CDATA[x]]>", "</ a>", "<a/b>",
]  # fmt: skip


def _shape(tree: HtmlTree) -> list[tuple[object, ...]]:
    """Each element and string in document order, with its depth, as a walk of bs4's tree meets them."""
    rows: list[tuple[object, ...]] = []

    def walk(element: int, depth: int) -> None:
        strings = iter(tree.strings(element))
        inside = [
            number for number in strings if not any(number in tree.strings(c) for c in tree.children(element))
        ]
        for child in tree.children(element):
            while inside and inside[0] < tree.firsts[child]:
                rows.append((depth, tree.string_kind(inside[0]), tree.string(inside.pop(0))))
            attrs = sorted(
                (k, list(v) if isinstance(v, list) else v) for k, v in tree.attributes(child).items()
            )
            marks = tree.marks_of(child)
            offset = tree.offsets[child]
            rows.append(
                (
                    depth,
                    tree.name(child),
                    attrs,
                    (list(marks.classes), marks.role, marks.epub_type),
                    None if offset < 0 else offset,
                    tree.sourceline(child),
                    tree.get_text(child),
                )
            )
            walk(child, depth + 1)
        rows.extend((depth, tree.string_kind(number), tree.string(number)) for number in inside)

    walk(ROOT, 0)
    return rows


def _same_as_bs4(text: str) -> bool | None:
    """Whether both trees agree; None when the fast reading leaves the page to bs4."""
    try:
        fast = _fast_tree(text)
    except _Unusual:
        return None
    soup = soup_tree(text)
    assert _shape(fast) == _shape(soup), text
    assert fast.ids == soup.ids, text
    for element in fast.elements():
        # Where each value is written, read from the plain tag, is where the tolerant reading finds it.
        placed = tuple(fast.attributes(element))
        spans = fast.attributes_and_spans(element, placed)[1]
        assert spans == attribute_spans(text, fast.offsets[element]), text
    return True


@pytest.mark.parametrize("sample", SAMPLES, ids=[sample.name for sample in SAMPLES])
def test_the_samples_read_fast_and_the_same(sample: Path) -> None:
    assert _same_as_bs4(sample.read_text(encoding="utf-8")) is True


def test_random_markup_reads_the_same_either_way() -> None:
    rng = random.Random(15)
    outcomes = [
        _same_as_bs4("".join(rng.choice(PIECES) for _ in range(rng.randint(1, 25)))) for _ in range(1500)
    ]
    assert outcomes.count(True) > 500  # most of it is read the fast way


def test_damaged_pages_read_the_same_either_way() -> None:
    rng = random.Random(16)
    pages = [sample.read_text(encoding="utf-8") for sample in SAMPLES]
    damage = [
        "<",
        ">",
        '"',
        "'",
        "=",
        "&",
        "/",
        "!",
        " ",
        "\n",
        "-",
        "#",
        ";",
        "\xa0",
        "?",
        "<!--",
        "-->",
        "&#",
    ]
    for _ in range(1500):
        text = rng.choice(pages)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(text))
            text = text[:at] + rng.choice(damage) + text[at + rng.randint(0, 3) :]
        _same_as_bs4(text)


@pytest.mark.parametrize(
    "text",
    [
        "<?xml version='1.0'?><a href='x'>x</a>",
        "<p>a<![CDATA[b]]></p>",
        "<a href=x",
        "<p>&#12a;</p>",
        "x &amp",
    ],
)
def test_what_the_fast_reading_leaves_to_bs4_gives_bs4s_tree(text: str) -> None:
    with pytest.raises(_Unusual):
        _fast_tree(text)
    assert _shape(parse_html(text)) == _shape(soup_tree(text))


def test_the_enclosing_element_is_the_nearest_such_ancestor() -> None:
    rng = random.Random(17)
    for _ in range(300):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 40)))
        tree = parse_html(text)
        chosen = [element for element in tree.elements() if rng.random() < 0.3]
        enclosing = Enclosing(tree, chosen)
        for element in tree.elements():
            ancestor = tree.parent(element)
            while ancestor != NONE and ancestor not in chosen:
                ancestor = tree.parent(ancestor)
            assert enclosing.around(element) == (None if ancestor == NONE else ancestor), text
            expected = element if element in chosen else enclosing.around(element)
            assert enclosing.around(element, itself=True) == expected, text


def test_one_attribute_is_read_as_all_of_them_are() -> None:
    rng = random.Random(18)
    texts = [sample.read_text(encoding="utf-8") for sample in SAMPLES]
    texts += ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 25))) for _ in range(1500)]
    for text in texts:
        tree = parse_html(text)  # the fast tree, or bs4's copied when the markup is unusual
        for element in tree.elements():
            attrs = tree.attributes(element)
            for key in [*attrs, "href", "class", "rel", "headers", "absent"]:
                spans = tree.attributes_and_spans(element, (key,))[1]
                assert tree.attribute_and_span(element, key) == (attrs.get(key), spans.get(key)), text


def test_the_named_elements_are_those_of_each_name_in_order() -> None:
    rng = random.Random(19)
    for _ in range(300):
        tree = parse_html("".join(rng.choice(PIECES) for _ in range(rng.randint(1, 40))))
        for names in [("a",), ("p", "a"), ("img", "br", "x-el"), ("absent",), ("a", "a")]:
            expected = [element for element in tree.elements() if tree.name(element) in names]
            assert tree.named(*names) == expected
