"""The shortcuts (lone paragraphs and simple inline markup read without markdown-it) change nothing.

Every document is extracted twice: the normal way (in pieces, shortcuts on) and parsed whole by
markdown-it with no shortcut. References and footnote issues must be identical.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.corpus import markdown_document
from tests.unit.extract.markdown.bench_markdown import generate
from verifier.extract.base import LineIndex, Source
from verifier.extract.markdown import (
    CHUNK_SIZE,
    _extract,
    _parsers,
    _Scope,
    _Walk,
)
from verifier.extract.markdown_blocks import Inline, Item, NumberedList, simple_blocks
from verifier.extract.markdown_positions import BlockMap

# Each line or paragraph is a case where a shortcut must either read markdown exactly as
# markdown-it does or leave the content to it.
TRICKY = """\
Intro [a](http://a.example/1 "t") and \\[1\\] and [^n] then http://bare.example/x.

Image ![pic](http://img.example/p.png) and [^x](http://caret.example/) and [^y][ref].

Escaped \\\\[2\\] and \\[12345\\] and \\[3\\](http://paren.example/) end.

Titles [b](http://b.example/ 'single') [c](http://c.example/ (paren)) [d](<http://d.example/ x>).

Parens [e](http://e.example/a(b)c) and [f](http://f.example/a\\)b) and [g]( http://g.example/ ).

Auto <http://auto.example/1> <mailto:someone@example.org> <someone@example.org> <b>bold</b>.

Mail <mailto:someone@example.org> only.

Mail <Someone@Example.org> only.

Code `[h](http://code.example/)` and &amp; [i&amp;j](http://amp.example/?a=1&amp;b=2).

Nested [outer [inner](http://inner.example/)](http://outer.example/) and [](http://empty.example/).

Inline ^[note with http://inline.example/a and [o2](http://inline.example/b)] and ^[x](http://caret2.example/).

Inline in a list item ^[*Pub* http://inline.example/c] and an empty ^[] one.

Emphasis *[k](http://em.example/)* and **[l](http://strong.example/)** and _[m](http://u.example/)_.

Multi-line paragraph with [a link
across lines](http://multi.example/) and a
second line http://second.example/.

Trailing spaces then break [n](http://n.example/)\x20\x20
next line.

[^n]: A note with *Publisher* and <http://note.example/> retrieved 2012-03-26.
[^x]: Another with *em*text and *a *b* and *c*. and 2*3*4 and `*code*` http://x.example/.
[^z]: Emphasis at the end *Final Publisher*
[^w]: Entities &amp; *A&amp;B* and _under_ and ~~gone~~ [o](http://o.example/ "T").

[ref]: http://ref.example/ "Ref"
[^a b]: http://not-a-footnote.example/

1. [Title one](http://one.example/) *Publisher One*. 26 March 2012. Retrieved 2012-03-26.
2. ["Quoted"](http://two.example/) *Pub*, *Second Pub*. Retrieved 3 April 2013.
3.  [Three](http://three.example/)*Glued*. 2011-01-01.
4. [Four](http://four.example/) *Pub*。Retrieved 2012-03-26.
5. [Five](http://five.example/) \\*not em\\* *em*
6. [Six](http://six.example/) [^n] \\[1\\] *Pub*:
7.

\u3000Ideographic space start [p](http://p.example/).
Line after\u3000

Letter start then ideographic-space line
\u3000
continues [q](http://q.example/).

## Heading [t](http://t.example/) ##

## Heading *em* [u](http://u.example/)
1. Straight after a heading [v](http://v.example/)

1. [One](http://l1.example/) *P*.


2. After two blank lines [w](http://l2.example/) *Q*.
3) Other delimiter [x](http://l3.example/)
10.     Five spaces [y](http://l4.example/)
11. # Heading in item [z](http://l5.example/)
12. - bullet in item [aa](http://l6.example/)
13. [ ] task [ab](http://l7.example/)
14. 2. nested [ac](http://l8.example/)
15. trailing ideographic space\u3000
lazy continuation [ad](http://l9.example/)

Para before item
2. not an item [ae](http://l10.example/)
1. but this one is [af](http://l11.example/)

1. Loose item [ag](http://l12.example/)

   Indented second paragraph [ah](http://l13.example/)

[Lone bracket line](http://lone.example/) with [^n] marker.

[Definition-like line]: http://def-like.example/

Windows line\r\nends [r](http://r.example/)\r\n\r\nNext [s](http://s.example/)\r\n
"""


def _both(text: str, path: str = "doc.md") -> None:
    source = Source(text=text, path=path)
    fast = _extract(source, CHUNK_SIZE)
    whole = _extract(source, None, shortcut=False)
    assert fast.references == whole.references
    assert fast.footnote_issues == whole.footnote_issues


# Block layouts, each tried alone after escaped markers, so that its numbered list (if any)
# is the one that defines them and every item's label and text show in the references.
LAYOUTS = (
    "Para before item\n2. not an item [a](http://a.example/)\n1. but this one is [b](http://b.example/)\n",
    "## Heading\n1. Straight after a heading [c](http://c.example/)\n",
    "1. Twice blank [d](http://d.example/)\n\n\n2. same list [e](http://e.example/)\n",
    "1. Dot [f](http://f.example/)\n2) paren [g](http://g.example/)\n",
    "10.     Five spaces [h](http://h.example/)\n",
    "11. # Heading in item [i](http://i.example/)\n",
    "12. - bullet in item [j](http://j.example/)\n",
    "13. [ ] task [k](http://k.example/)\n",
    "14. 2. nested [l](http://l.example/)\n",
    "1. Citation only, ends in an ideographic space\u3000\n",
    "1. Citation only, ends in a next-line control\x85\n",
    "Citation-like paragraph ending in a next-line control\x85 http://x.example/\x85\n",
    "1. Windows line ending\r\n2. second http://m.example/\r\n",
    "Lone windows line [n](http://n.example/)\r\n\r\n",
    "Paragraph ending in an ideographic space\u3000 http://o.example/\u3000\n",
    "# Closed heading [p](http://p.example/) #\n",
    "#Not a heading [q](http://q.example/)\n",
    "1. Item\n   continued [r](http://r.example/)\n",
    "1.\n2. after an empty item [s](http://s.example/)\n",
    "[^x\n]: http://label-across-lines.example/\n\nUse [^x] as a link, not a marker.\n",
    # Footnotes without a URL are citations whose title is the footnote's text as shown.
    "Notes [^e]\n\n[^e]: Smith &amp; Sons, 2012.\n",
    "Notes [^u]\n\n[^u]: Under _Score_ Press http://u.example/\n",
    "Notes [^s]\n\n[^s]: Struck ~~Old~~ *New* Press.\n",
    "Notes [^n]\n\n[^n]: First line\n    second *Pub*, 2012-03-26\n",
)


def test_tricky_markup_reads_the_same_with_and_without_shortcuts() -> None:
    _both(TRICKY)
    # Each paragraph alone, so no neighbour hides a difference.
    for paragraph in TRICKY.split("\n\n"):
        _both(paragraph + "\n")
    # Without markers elsewhere, one false marker would make the list below its definitions.
    _both("An escaped backslash \\\\[2\\] is no marker\n\n1. One\n2. Two\n")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_block_layouts_read_the_same_with_and_without_shortcuts(layout: str) -> None:
    _both("Intro \\[1\\] \\[2\\] \\[10\\] \\[11\\]\n\n" + layout)


def test_seed_reads_the_same_with_and_without_shortcuts(seeds_dir: Path) -> None:
    _both((seeds_dir / "000_c3dc2c98d2c962ed.txt").read_text(encoding="utf-8"))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_benchmark_document_reads_the_same_with_and_without_shortcuts(seed: int) -> None:
    _both(markdown_document(200_000, seed=seed))


@pytest.mark.parametrize("density", [1.0, 0.3])
def test_documentation_reads_the_same_with_and_without_shortcuts(density: float) -> None:
    _both(generate(200_000, seed=5, density=density))


def test_shortcuts_are_taken_on_the_common_forms() -> None:
    text = 'Intro\n\n核安全[峰会](https://zh.wikipedia.org/wiki/峰会 "wikilink")\\[1\\]。\n\n'
    start = text.index("核")
    assert simple_blocks(text, start, len(text), 2) == [Inline(2, text[start:].strip(), start)]
    listing = "## Sources\n\n1. [A](http://a.example/) *P*.\n2)  B http://b.example/\n"
    assert simple_blocks(listing, 0, len(listing), 0) == [
        Inline(0, "Sources", 3),
        NumberedList(2),
        Item(2, "1", "[A](http://a.example/) *P*.", listing.index("[A]")),
        NumberedList(3),
        Item(3, "2", "B http://b.example/", listing.index("B http")),
    ]
    for other in ("- item\n", "[x]: http://a.example/\n", "Two\nlines\n", "1. a\nlazy\n", "    code\n"):
        assert simple_blocks(other, 0, len(other), 0) is None, other

    full, lean = _parsers()
    walk = _Walk(Source(text=text, path="doc.md"), full, lean)
    content = text[start:].strip()
    block = BlockMap(text, LineIndex(text), {}, 2, content)
    assert walk._simple_inline(block, content, None)
    assert [text[found.start : found.end] for found in walk.found] == ["https://zh.wikipedia.org/wiki/峰会"]
    assert [use.label for use in walk.markers] == ["1"]

    item = '["Title"](http://a.example/) *Publisher*. Retrieved 2012-03-26.'
    scope = _Scope("1", 1)
    walk = _Walk(Source(text=item, path="doc.md"), full, lean)
    assert walk._simple_inline(BlockMap(item, LineIndex(item), {}, 0, item), item, scope)
    assert scope.emphasis == ["Publisher"]
    assert scope.plain == [" ", "Publisher", ". Retrieved 2012-03-26."]
    # Anything beyond the simple forms is left to the parser.
    assert not walk._simple_inline(BlockMap(item, LineIndex(item), {}, 0, item), "a **b**", scope)
