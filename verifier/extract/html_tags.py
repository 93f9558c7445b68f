"""Start tags written the usual way, read as beautifulsoup4 on html.parser reads them.

A start tag whose attributes are plain (names of letters, digits and ``-_:.@``, values quoted
or bare, separated by blanks) reads the same under every tolerant rule html.parser has, so one
regular expression takes it whole. Its attributes are read again from the page when they are
wanted, rather than kept for every element: a saved page holds tens of thousands of them.
"""

from __future__ import annotations

import html
import re

from verifier.extract.html_attributes import AttributeSpan
from verifier.extract.html_rules import LIST_ATTRIBUTES

AttributeValue = str | list[str]

START_TAG = re.compile(
    r"<([a-zA-Z][-a-zA-Z0-9:._]*+)"
    r"((?:[ \t\n\r\f]++[a-zA-Z_:@][-a-zA-Z0-9_:.@]*+"
    r"(?:[ \t\n\r\f]*+=[ \t\n\r\f]*+(?:\"[^\"]*+\"|'[^']*+'|[^\s\"'=<>`]++))?)*+)"
    r"[ \t\n\r\f]*+(/?)>"
)
_ATTRIBUTE = re.compile(
    r"[ \t\n\r\f]++([a-zA-Z_:@][-a-zA-Z0-9_:.@]*+)"
    r"(?:[ \t\n\r\f]*+=[ \t\n\r\f]*+(?:\"([^\"]*+)\"|'([^']*+)'|([^\s\"'=<>`]++)))?"
)
# Whether a start tag's attributes may include one that says what the element is: a cheap
# look before they are read one by one. It may say yes wrongly (inside a value), never no.
MAY_BE_MARKED = re.compile(r"[ \t\n\r\f](?:id|class|role|epub:type)(?![-a-zA-Z0-9_:.@])", re.IGNORECASE)
_NON_WHITESPACE = re.compile(r"\S+")
_MARKING = frozenset({"class", "role", "epub:type", "id"})

_UNIVERSAL_LIST_ATTRIBUTES = LIST_ATTRIBUTES.get("*", frozenset())


def marking(written: str) -> tuple[tuple[str, ...], str | None, str | None, str | None]:
    """The classes, role, EPUB type and id among attributes written so, read as bs4 reads them."""
    found: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(written):
        key = match.group(1).lower()
        if key in _MARKING and key not in found:  # the first of duplicate attributes wins
            value = match.group(2)
            if value is None:
                value = match.group(3)
                if value is None:
                    value = match.group(4)
            found[key] = html.unescape(value) if value else ""
    classes = found.get("class")
    return (
        tuple(_NON_WHITESPACE.findall(classes)) if classes is not None else (),
        found.get("role"),
        found.get("epub:type"),
        found.get("id"),
    )


def attributes_at(
    text: str, offset: int, name: str, placed: tuple[str, ...] = ()
) -> tuple[dict[str, AttributeValue], dict[str, AttributeSpan]]:
    """The attributes of the plain start tag of element ``name`` at ``offset``, and where the values
    of those ``placed`` are written.

    The places are those ``html_attributes.attribute_spans`` finds, which reads any start tag;
    for a plain one both readings agree.
    """
    attrs: dict[str, AttributeValue] = {}
    spans: dict[str, AttributeSpan] = {}
    # The attributes follow the name one after another, each starting with a blank, up to
    # the blanks and "/" or ">" that end the tag, which no attribute matches.
    position = offset + 1 + len(name)
    match = _ATTRIBUTE.match(text, position)
    while match is not None:
        key = match.group(1).lower()
        if key not in attrs:  # the first of duplicate attributes wins
            group = match.lastindex or 1  # the value's group, quoted or bare; 1 when there is none
            if group == 1:
                attrs[key] = ""
            else:
                value = match.group(group)
                attrs[key] = html.unescape(value) if "&" in value else value
                if key in placed:
                    spans[key] = AttributeSpan(value, match.start(group), match.end(group))
        match = _ATTRIBUTE.match(text, match.end())
    return _listed(name, attrs), spans


def attribute_at(
    text: str, offset: int, name: str, key: str
) -> tuple[AttributeValue | None, AttributeSpan | None]:
    """Attribute ``key`` of the plain start tag of element ``name`` at ``offset`` and where its value
    is written, as ``attributes_at`` gives them (None for either it has not), without the others.
    """
    match = _ATTRIBUTE.match(text, offset + 1 + len(name))
    while match is not None:
        if match.group(1).lower() == key:  # the first of duplicate attributes wins
            group = match.lastindex or 1  # the value's group, quoted or bare; 1 when there is none
            if group == 1:
                return _listed(name, {key: ""})[key], None
            written = match.group(group)
            span = AttributeSpan(written, match.start(group), match.end(group))
            value = html.unescape(written) if "&" in written else written
            if key in _UNIVERSAL_LIST_ATTRIBUTES or key in LIST_ATTRIBUTES.get(name, ()):
                return _NON_WHITESPACE.findall(value), span
            return value, span
        match = _ATTRIBUTE.match(text, match.end())
    return None, None


def _listed(name: str, attrs: dict[str, AttributeValue]) -> dict[str, AttributeValue]:
    specific = LIST_ATTRIBUTES.get(name)
    for key in attrs:
        if key in _UNIVERSAL_LIST_ATTRIBUTES or (specific is not None and key in specific):
            value = attrs[key]
            assert isinstance(value, str)
            attrs[key] = _NON_WHITESPACE.findall(value)
    return attrs
