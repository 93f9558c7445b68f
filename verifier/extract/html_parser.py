"""beautifulsoup4 on html.parser, in time linear in the size of the page.

bs4's html.parser builder remembers every void element it closed early (``<img>``, ``<br>``)
in a list and searches that list on every end tag, so a page with thousands of images and
paragraphs takes quadratic time. Counting the names instead keeps the same behaviour.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from typing import Any

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
from bs4.builder._htmlparser import BeautifulSoupHTMLParser, HTMLParserTreeBuilder
from bs4.exceptions import ParserRejectedMarkup


class _ClosedVoidElements(list[str]):
    """The list bs4 keeps of void elements closed early, with constant-time membership."""

    def __init__(self) -> None:
        super().__init__()
        self._counts: Counter[str] = Counter()

    def append(self, name: str) -> None:
        self._counts[name] += 1

    def remove(self, name: str) -> None:
        if self._counts[name] <= 0:
            raise ValueError(name)
        self._counts[name] -= 1

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._counts[name] > 0


class _Parser(BeautifulSoupHTMLParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.already_closed_empty_element = _ClosedVoidElements()


class _TreeBuilder(HTMLParserTreeBuilder):
    def feed(self, markup: Any) -> None:
        # Passed by keyword from a dict: the published type stubs predate this parameter.
        parser: dict[str, Any] = {"_parser_class": _Parser}
        super().feed(markup, **parser)


# Markup declarations other than comments, doctypes and CDATA: html.parser gives up on some of
# them (``<![garbage[``), and with them on the whole page.
_ODD_DECLARATION = re.compile(r"<!(?!--|\[CDATA\[|doctype)", re.IGNORECASE)


def _parse(text: str) -> BeautifulSoup:
    with warnings.catch_warnings():
        # bs4 warns about XHTML and about markup that looks like a file name; neither matters here.
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        return BeautifulSoup(text, builder=_TreeBuilder, on_duplicate_attribute="ignore")


def parse_html(text: str) -> BeautifulSoup:
    """The tree of ``text`` with source positions on every tag; of duplicate attributes the first wins.

    When the parser rejects an odd markup declaration, the declarations are read as text
    instead (one character replaced, so every offset stays the same). Raises
    ParserRejectedMarkup when the page still cannot be parsed.
    """
    try:
        return _parse(text)
    except ParserRejectedMarkup:
        return _parse(_ODD_DECLARATION.sub(" !", text))
