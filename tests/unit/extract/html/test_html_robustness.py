"""Odd and hostile HTML: the extractor keeps going, and every position it reports is exact."""

from __future__ import annotations

import random
import warnings
from typing import Any

import pytest
from bs4 import BeautifulSoup
from bs4.exceptions import ParserRejectedMarkup

from verifier.extract import html as html_module
from verifier.extract import html_parser
from verifier.extract.base import Source
from verifier.extract.html import extract_html
from verifier.extract.html_parser import parse_html

PIECES = [
    '<a href="http://x.test/a">',
    "</a>",
    "<A HREF=http://y.test/>",
    "<img src=",
    "'",
    '"',
    ">",
    "<",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "<!DOCTYPE",
    "<![garbage[",
    "&amp;",
    "&",
    "\n",
    " ",
    "text",
    '<sup class="reference"><a href="#n1">[1]</a></sup>',
    '<ol class="references"><li id="n1">',
    "</li></ol>",
    '<base href="http://b.test/">',
    '<q cite="c">',
    "<script>",
    "</script>",
    "<?xml ?>",
    "</",
    "<br/>",
    '<a href="#n1">',
    "http://[::1",
    "\r\n",
    "日本",
    '<cite class="citation">',
    "</cite>",
    '<img srcset="a.png 1x, http://s.test/b.png 2x,',
    '<meta http-equiv=refresh content="0;url=http://r.test/&amp;x">',
    "(",
    ",",
]


def test_random_markup_never_raises_and_positions_are_exact() -> None:
    generator = random.Random(20260323)
    for _ in range(400):
        text = "".join(generator.choice(PIECES) for _ in range(generator.randint(1, 40)))
        for reference in extract_html(Source(text, "fuzz.html")).references:
            assert text[reference.start : reference.end] == reference.raw
            line_start = text.rfind("\n", 0, reference.start) + 1
            assert reference.line == text.count("\n", 0, reference.start) + 1
            assert reference.column == reference.start - line_start + 1


def test_declarations_the_parser_rejects_do_not_lose_the_page() -> None:
    text = '<p>Intro</p>\n<![garbage[ odd ]]>\n<p><a href="http://after.test/">after</a></p>'
    found = extract_html(Source(text, "odd.html"))
    assert [(r.url, r.line, r.column) for r in found.references] == [("http://after.test/", 3, 13)]
    assert found.problems == []


def test_a_page_the_parser_rejects_is_a_problem_not_an_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    def reject(text: str) -> BeautifulSoup:
        raise ParserRejectedMarkup(AssertionError("unexpected char in declaration"))

    monkeypatch.setattr(html_module, "parse_html", reject)
    found = extract_html(Source('<a href="http://x.test/">x</a>', "bad.html"))
    assert found.references == []
    (problem,) = found.problems
    assert (problem.path, problem.severity) == ("bad.html", "error")
    assert "unexpected char in declaration" in problem.message


def test_xhtml_and_url_like_pages_raise_no_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        xhtml = '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><a href="http://x.test/">x</a></html>'
        assert [r.url for r in extract_html(Source(xhtml, "x.xhtml")).references] == ["http://x.test/"]
        assert extract_html(Source("http://only-a-url.test/", "u.html")).references == []


def test_void_elements_build_the_same_tree_as_plain_bs4() -> None:
    text = (
        "<p>a<br>b<br/>c</br><img src=x></img><img src=y><hr></p>"
        "<input></input><br><br></br><p>end</p><meta charset=utf-8></meta>"
    )
    assert str(parse_html(text)) == str(BeautifulSoup(text, "html.parser"))


def test_early_closed_void_elements_are_counted_not_searched() -> None:
    closed = html_parser._ClosedVoidElements()
    closed.append("br")
    closed.append("br")
    closed.append("img")
    assert "br" in closed and "img" in closed and "p" not in closed
    closed.remove("br")
    closed.remove("img")
    assert "br" in closed and "img" not in closed
    with pytest.raises(ValueError):
        closed.remove("img")


def test_the_tree_builder_installs_the_counting_list(monkeypatch: pytest.MonkeyPatch) -> None:
    # bs4 alone keeps a plain list and searches it on every end tag: quadratic on a page with
    # thousands of images and paragraphs.
    seen: list[type] = []
    original = html_parser._Parser.__init__

    def recording_init(self: html_parser._Parser, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        seen.append(type(self.already_closed_empty_element))

    monkeypatch.setattr(html_parser._Parser, "__init__", recording_init)
    parse_html("<p><img src=x></p>")
    assert seen == [html_parser._ClosedVoidElements]
