"""The element tree of an HTML page, as beautifulsoup4 on html.parser builds it, built faster.

Pages written the usual way (start tags with plain attributes, end tags, comments, a doctype,
scripts and styles, character references with their semicolon) are read in one pass of
regular expressions into small elements, with exactly the structure, attribute values and
strings beautifulsoup4 gives them: no implied elements, an end tag closes the most recent
open element of its name, void elements never hold anything, whitespace-only strings fold to
one character. Anything else (processing instructions, CDATA sections, odd declarations, a
tag html.parser would read in its tolerant way) is handed to beautifulsoup4 itself and its
tree copied, so both roads give the same tree for every page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

from bs4 import BeautifulSoup, CData, NavigableString
from bs4 import Tag as SoupTag
from bs4.builder import HTMLTreeBuilder
from bs4.builder._htmlparser import BeautifulSoupHTMLParser
from bs4.dammit import EntitySubstitution

from verifier.extract.base import LineIndex

AttributeValue = str | list[str]

# The published type stubs predate these names.
_VOID: frozenset[str] = frozenset(getattr(HTMLTreeBuilder, "DEFAULT_EMPTY_ELEMENT_TAGS", None) or ())
_CONTAINERS = frozenset(HTMLTreeBuilder.DEFAULT_STRING_CONTAINERS)
_PRESERVE_WHITESPACE = frozenset(HTMLTreeBuilder.DEFAULT_PRESERVE_WHITESPACE_TAGS)
_LIST_ATTRIBUTES = {
    name: frozenset(values) for name, values in HTMLTreeBuilder.DEFAULT_CDATA_LIST_ATTRIBUTES.items()
}
_UNIVERSAL_LIST_ATTRIBUTES = _LIST_ATTRIBUTES.get("*", frozenset())
_ENTITIES = EntitySubstitution.HTML_ENTITY_TO_CHARACTER
_ASCII_SPACES = "\x20\x0a\x09\x0c\x0d"
# The strings get_text() gathers: plain text and CDATA, or the special kind a container holds.
_MAIN_KINDS = frozenset({"text", "cdata"})

# The published type stubs predate this method.
_dereference: Any = getattr(BeautifulSoupHTMLParser, "_dereference_numeric_character_reference")  # noqa: B009
_CONTAINER_KINDS = {kind: name for name, kind in HTMLTreeBuilder.DEFAULT_STRING_CONTAINERS.items()}

_NO_ATTRIBUTES: dict[str, AttributeValue] = {}

_INTERESTING = re.compile(r"[<&]")
_START_TAG = re.compile(
    r"<([a-zA-Z][-a-zA-Z0-9:._]*+)"
    r"((?:[ \t\n\r\f]++[a-zA-Z_:@][-a-zA-Z0-9_:.@]*+"
    r"(?:[ \t\n\r\f]*+=[ \t\n\r\f]*+(?:\"[^\"]*+\"|'[^']*+'|[^\s\"'=<>`]++))?)*+)"
    r"[ \t\n\r\f]*+(/?)>"
)
_ATTRIBUTE = re.compile(
    r"[ \t\n\r\f]++([a-zA-Z_:@][-a-zA-Z0-9_:.@]*+)"
    r"(?:[ \t\n\r\f]*+=[ \t\n\r\f]*+(?:\"([^\"]*+)\"|'([^']*+)'|([^\s\"'=<>`]++)))?"
)
_END_TAG = re.compile(r"</([a-zA-Z][-.a-zA-Z0-9:_]*+)\s*+>")
# A comment with no "--" inside, which every version of html.parser ends at its "-->".
_COMMENT = re.compile(r"<!--(?!-?>)(?:[^-]|-(?!-))*+-->")
_DOCTYPE = re.compile(r"<![dD][oO][cC][tT][yY][pP][eE][^>]*+>")
_CHARREF = re.compile(r"&#([0-9]++|[xX][0-9a-fA-F]++);")
_ENTITYREF = re.compile(r"&([a-zA-Z][-.a-zA-Z0-9]*+)(;?)")
_NON_WHITESPACE = re.compile(r"\S+")
# Elements whose content html.parser reads as raw text: in every version for script and
# style; newer versions read these others so too, so they are left to html.parser when their
# content holds anything it could read two ways.
_RAW_TEXT = frozenset({"script", "style"})
_MAYBE_RAW_TEXT = frozenset({"title", "textarea", "xmp", "iframe", "noembed", "noframes", "plaintext"})


class Text:
    """A string of the tree; ``kind`` is "text", "cdata", or the container it is in (script, style…)."""

    __slots__ = ("kind", "parent", "value")

    def __init__(self, value: str, kind: str, parent: Element) -> None:
        self.value = value
        self.kind = kind
        self.parent = parent


class Element:
    """An element: name, attributes (class and the like as lists, as bs4 gives them), place."""

    __slots__ = ("attrs", "children", "name", "offset", "parent", "sourceline")

    def __init__(
        self,
        name: str,
        attrs: dict[str, AttributeValue],
        parent: Element | None,
        offset: int | None,
        sourceline: int | None,
    ) -> None:
        self.name = name
        self.attrs = attrs
        self.parent = parent
        self.offset = offset  # of the "<" of its start tag in the text
        self.sourceline = sourceline
        self.children: list[Element | Text] = []

    def get(self, key: str, default: Any = None) -> Any:
        return self.attrs.get(key, default)

    @property
    def descendants(self) -> Iterator[Element | Text]:
        stack: list[Iterator[Element | Text]] = [iter(self.children)]
        while stack:
            for node in stack[-1]:
                yield node
                if isinstance(node, Element) and node.children:
                    stack.append(iter(node.children))
                    break
            else:
                stack.pop()

    def get_text(self) -> str:
        kinds = frozenset({self.name}) if self.name in _CONTAINERS else _MAIN_KINDS
        parts: list[str] = []
        _gather(self, kinds, parts)
        return "".join(parts)


def _gather(element: Element, kinds: frozenset[str], parts: list[str]) -> None:
    for node in element.children:
        if isinstance(node, Text):
            if node.kind in kinds:
                parts.append(node.value)
        elif node.children:
            _gather(node, kinds, parts)


class HtmlTree:
    """The root (named "[document]", as bs4's) and every element in document order."""

    __slots__ = ("elements", "root")

    def __init__(self, root: Element, elements: list[Element]) -> None:
        self.root = root
        self.elements = elements


class _Unusual(Exception):
    """Markup the fast reading does not take on: html.parser reads it instead."""


class _Builder:
    """bs4's tree construction (BeautifulSoup.handle_starttag, _popToTag, endData) on our elements."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.root = Element("[document]", {}, None, None, None)
        self.elements: list[Element] = []
        self.stack = [self.root]
        self.open: dict[str, int] = {}
        self.containers: list[Element] = []
        self.preserving: list[Element] = []
        self.closed_void: dict[str, int] = {}
        self.data: list[str] = []
        self.line = 1
        self.line_counted_to = 0
        self.attribute_cache: dict[tuple[str, str], dict[str, AttributeValue]] = {}

    def flush(self) -> None:
        if not self.data:
            return
        value = "".join(self.data)
        self.data.clear()
        # An empty string is all blanks too, and bs4 folds it to one space like the rest.
        if not self.preserving and not value.strip(_ASCII_SPACES):
            value = "\n" if "\n" in value else " "
        kind = self.containers[-1].name if self.containers else "text"
        parent = self.stack[-1]
        parent.children.append(Text(value, kind, parent))

    def start(self, name: str, attrs: dict[str, AttributeValue], offset: int) -> Element:
        self.flush()
        self.line += self.text.count("\n", self.line_counted_to, offset)
        self.line_counted_to = offset
        parent = self.stack[-1]
        element = Element(name, attrs, parent, offset, self.line)
        parent.children.append(element)
        self.elements.append(element)
        self.stack.append(element)
        self.open[name] = self.open.get(name, 0) + 1
        if name in _PRESERVE_WHITESPACE:
            self.preserving.append(element)
        if name in _CONTAINERS:
            self.containers.append(element)
        return element

    def end(self, name: str) -> None:
        self.flush()
        if not self.open.get(name):
            return
        stack = self.stack
        while len(stack) > 1:
            popped = self.pop()
            if popped.name == name:
                return

    def pop(self) -> Element:
        element = self.stack.pop()
        self.open[element.name] -= 1
        if self.preserving and self.preserving[-1] is element:
            self.preserving.pop()
        if self.containers and self.containers[-1] is element:
            self.containers.pop()
        return element

    def void_end(self, name: str) -> None:
        """``</img>``: crossed off against an ``<img>`` closed early, as bs4 does, or a plain end tag."""
        count = self.closed_void.get(name, 0)
        if count:
            self.closed_void[name] = count - 1
        else:
            self.end(name)

    def finish(self) -> HtmlTree:
        self.flush()
        while len(self.stack) > 1:
            self.pop()
        return HtmlTree(self.root, self.elements)


def _attributes(name: str, written: str) -> dict[str, AttributeValue]:
    attrs: dict[str, AttributeValue] = {}
    for match in _ATTRIBUTE.finditer(written):
        key = match.group(1).lower()
        if key in attrs:
            continue  # the first of duplicate attributes wins
        value = match.group(2)
        if value is None:
            value = match.group(3)
            if value is None:
                value = match.group(4)
        attrs[key] = html.unescape(value) if value else ""
    specific = _LIST_ATTRIBUTES.get(name)
    for key in attrs:
        if key in _UNIVERSAL_LIST_ATTRIBUTES or (specific is not None and key in specific):
            value = attrs[key]
            assert isinstance(value, str)
            attrs[key] = _NON_WHITESPACE.findall(value)
    return attrs


def _fast_tree(text: str) -> HtmlTree:
    builder = _Builder(text)
    data = builder.data
    length = len(text)
    position = 0
    search = _INTERESTING.search
    while True:
        found = search(text, position)
        if found is None:
            if position < length:
                data.append(text[position:])
            break
        at = found.start()
        if at > position:
            data.append(text[position:at])
        if at + 1 >= length:
            raise _Unusual
        following = text[at + 1]
        if text[at] == "<":
            if following.isascii() and following.isalpha():
                match = _START_TAG.match(text, at)
                if match is None:
                    raise _Unusual
                position = _start_tag(builder, text, match)
            elif following == "/":
                match = _END_TAG.match(text, at)
                if match is None:
                    raise _Unusual
                name = match.group(1).lower()
                if name in _VOID:
                    builder.void_end(name)
                else:
                    builder.end(name)
                position = match.end()
            elif following == "!":
                match = _COMMENT.match(text, at) or _DOCTYPE.match(text, at)
                if match is None:
                    raise _Unusual
                builder.flush()
                position = match.end()
            elif following == "?":
                raise _Unusual
            else:
                data.append("<")
                position = at + 1
        elif following == "#":
            match = _CHARREF.match(text, at)
            if match is None:
                raise _Unusual
            character, _, extra = _dereference(match.group(1))
            data.append(character)
            data.append(extra)
            position = match.end()
        elif following.isascii() and following.isalpha():
            match = _ENTITYREF.match(text, at)
            assert match is not None
            name, semicolon = match.group(1), match.group(2)
            if not semicolon and match.end() >= length:
                raise _Unusual
            character = _ENTITIES.get(name)
            data.append(character if character is not None else "&" + name)
            position = match.end()
        else:
            data.append("&")
            position = at + 1
    return builder.finish()


def _start_tag(builder: _Builder, text: str, match: re.Match[str]) -> int:
    name = match.group(1).lower()
    written = match.group(2)
    attrs: dict[str, AttributeValue] = _NO_ATTRIBUTES
    if written:
        # Pages repeat the same attributes on many elements (class="reference"): each set is
        # read once and shared, as nothing changes an element's attributes once it is built.
        key = (name, written)
        cached = builder.attribute_cache.get(key)
        if cached is None:
            cached = builder.attribute_cache[key] = _attributes(name, written)
        attrs = cached
    self_closing = bool(match.group(3))
    builder.start(name, attrs, match.start())
    end = match.end()
    if self_closing:
        builder.end(name)
        return end
    if name in _VOID:
        builder.end(name)
        builder.closed_void[name] = builder.closed_void.get(name, 0) + 1
        return end
    if name in _RAW_TEXT:
        return _raw_text(builder, text, name, end)
    if name in _MAYBE_RAW_TEXT:
        closing = re.compile(f"</{name}", re.IGNORECASE).search(text, end)
        if closing is None or re.search(r"[<&]", text[end : closing.start()]):
            raise _Unusual
    return end


def _raw_text(builder: _Builder, text: str, name: str, start: int) -> int:
    """A script's or style's content, as text up to its end tag."""
    closing = re.compile(f"</{name}", re.IGNORECASE).search(text, start)
    if closing is None or not text.startswith(">", closing.end()):
        raise _Unusual
    content = text[start : closing.start()]
    # Comment-like openings and end tags spelt with blanks are read differently by newer versions.
    if "<!--" in content or re.search(r"</\s", content):
        raise _Unusual
    if content:
        builder.data.append(content)
    builder.end(name)
    return closing.end() + 1


def _copy_soup(soup: BeautifulSoup, text: str) -> HtmlTree:
    """Our tree of a page that beautifulsoup4 parsed."""
    index = LineIndex(text)
    root = Element("[document]", {}, None, None, None)
    elements: list[Element] = []
    copies: dict[int, Element] = {id(soup): root}
    for node in soup.descendants:
        parent = copies[id(node.parent)]
        if isinstance(node, SoupTag):
            offset = None
            if node.sourceline is not None and node.sourcepos is not None:
                offset = index.offset(node.sourceline, node.sourcepos + 1)
            element = Element(node.name, dict(node.attrs), parent, offset, node.sourceline)
            parent.children.append(element)
            elements.append(element)
            copies[id(node)] = element
        elif type(node) is NavigableString:
            parent.children.append(Text(str(node), "text", parent))
        elif type(node) is CData:
            parent.children.append(Text(str(node), "cdata", parent))
        elif isinstance(node, NavigableString):
            container = next(
                (
                    name
                    for name, kind in HTMLTreeBuilder.DEFAULT_STRING_CONTAINERS.items()
                    if type(node) is kind
                ),
                None,
            )
            if container is not None:
                parent.children.append(Text(str(node), container, parent))
    return HtmlTree(root, elements)


def parse_html(text: str) -> HtmlTree:
    """The tree of ``text``, as beautifulsoup4 on html.parser (``html_parser.parse_html``) builds it.

    Raises bs4's ParserRejectedMarkup when html.parser cannot read the page.
    """
    try:
        return _fast_tree(text)
    except _Unusual:
        return soup_tree(text)


def soup_tree(text: str) -> HtmlTree:
    """The tree through beautifulsoup4 alone: the road for unusual markup, and the reference for tests."""
    from verifier.extract import html_parser

    return _copy_soup(html_parser.parse_html(text), text)
