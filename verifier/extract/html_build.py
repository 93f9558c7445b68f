"""Building the tree of an HTML page (html_tree) exactly as beautifulsoup4 on html.parser would.

Pages written the usual way (start tags with plain attributes, end tags, comments, a doctype,
scripts and styles, character references with their semicolon) are read in one pass of
regular expressions, with exactly the structure, attribute values and strings beautifulsoup4
gives them: no implied elements, an end tag closes the most recent open element of its name,
void elements never hold anything, whitespace-only strings fold to one character. Anything
else (processing instructions, CDATA sections, odd declarations, a tag html.parser would read
in its tolerant way) is handed to beautifulsoup4 itself and its tree copied, so both roads
give the same tree for every page.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from verifier.extract.base import LineIndex
from verifier.extract.html_rules import (
    ENTITIES,
    PRESERVE_WHITESPACE,
    STRING_CONTAINERS,
    VOID_ELEMENTS,
    numeric_reference,
)
from verifier.extract.html_tags import MAY_BE_MARKED, START_TAG, AttributeValue, marking
from verifier.extract.html_tree import (
    DECODED,
    FOLDED_NEWLINE,
    FOLDED_SPACE,
    KIND_CODES,
    NO_MARKS,
    HtmlTree,
    Marks,
    marks,
)

if TYPE_CHECKING:
    from bs4 import BeautifulSoup, NavigableString

_ASCII_SPACES = "\x20\x0a\x09\x0c\x0d"
_NOT_BLANK = re.compile(r"[^\x20\x0a\x09\x0c\x0d]")

_END_TAG = r"</([a-zA-Z][-.a-zA-Z0-9:_]*+)\s*+>"
# Where the next markup starts, a plain start tag (group 1, its parts 2-4) or end tag (group 5) read at
# once; any other "<" or "&" is looked at on its own. The "<" or "&" comes first, outside the
# alternatives, so that the search skips from one to the next rather than trying every
# alternative at every character of the page's text.
assert START_TAG.pattern.startswith("<") and _END_TAG.startswith("<")
_NEXT = re.compile(f"[<&](?:(?<=<)({START_TAG.pattern[1:]})|(?<=<){_END_TAG[1:]}|)")
# A comment with no "--" inside, which every version of html.parser ends at its "-->".
_COMMENT = re.compile(r"<!--(?!-?>)(?:[^-]|-(?!-))*+-->")
_DOCTYPE = re.compile(r"<![dD][oO][cC][tT][yY][pP][eE][^>]*+>")
_CHARREF = re.compile(r"&#([0-9]++|[xX][0-9a-fA-F]++);")
_ENTITYREF = re.compile(r"&([a-zA-Z][-.a-zA-Z0-9]*+)(;?)")
# Elements whose content html.parser reads as raw text: in every version for script and
# style; newer versions read these others so too, so they are left to html.parser when their
# content holds anything it could read two ways.
_RAW_TEXT = frozenset({"script", "style"})
_MAYBE_RAW_TEXT = frozenset({"title", "textarea", "xmp", "iframe", "noembed", "noframes", "plaintext"})
# Past this many, the attribute sets remembered for their marks are forgotten: those that
# repeat (class="reference") are soon remembered again, the one-offs (an id) stop piling up.
_REMEMBERED = 4096


class _Unusual(Exception):
    """Markup the fast reading does not take on: html.parser reads it instead."""


class _Builder:
    """bs4's tree construction (BeautifulSoup.handle_starttag, _popToTag, endData) on a flat tree."""

    def __init__(self, tree: HtmlTree) -> None:
        self.tree = tree
        self.text = tree.text
        self.stack = [0]
        self.open: dict[str, int] = {}
        self.containers: list[int] = []  # kind codes of the string containers open
        self.preserving = 0  # open elements that keep their blanks (pre, textarea)
        self.closed_void: dict[str, int] = {}
        # The string being read: where it starts and ends in the page, and its pieces once
        # one of them is not the page's own text (a character reference replaced).
        self.data_start = -1
        self.data_end = -1
        self.pieces: list[str] | None = None
        self.marked: dict[str, tuple[int, str | None]] = {}  # attributes as written: mark code, id
        self.known_marks: dict[Marks, int] = {NO_MARKS: 0}
        # The code of each set of marks by its classes, role and EPUB type: a plain tuple hashes
        # and compares in C, where a Marks would be made and hashed in Python for every tag.
        self.mark_keys: dict[tuple[tuple[str, ...], str | None, str | None], int] = {
            (NO_MARKS.classes, NO_MARKS.role, NO_MARKS.epub_type): 0
        }
        self.lowered: dict[str, str] = {}  # element names as written -> lowercased
        # The tree's arrays, which every tag adds to.
        self.names = tree.names
        self.parents = tree.parents
        self.offsets = tree.offsets
        self.ends = tree.ends
        self.firsts = tree.firsts
        self.lasts = tree.lasts
        self.mark_codes = tree.mark_codes
        self.string_codes = tree.string_codes

    def raw(self, start: int, end: int) -> None:
        """Text of the page from ``start`` to ``end`` joins the string being read."""
        if self.data_start < 0:
            self.data_start = start
        elif self.pieces is not None:
            self.pieces.append(self.text[start:end])
        self.data_end = end

    def decoded(self, start: int, end: int, *values: str) -> None:
        """``values`` stand for the page's text from ``start`` to ``end`` in the string being read."""
        if self.data_start < 0:
            self.data_start = start
            self.pieces = list(values)
        else:
            if self.pieces is None:
                self.pieces = [self.text[self.data_start : self.data_end]]
            self.pieces.extend(values)
        self.data_end = end

    def flush(self) -> None:
        start = self.data_start
        if start < 0:
            return
        end = self.data_end
        tree = self.tree
        number = len(tree.string_codes)
        code = self.containers[-1] if self.containers else 0
        pieces = self.pieces
        if pieces is None:
            blank = _NOT_BLANK.search(self.text, start, end) is None
            if blank and not self.preserving:
                code |= FOLDED_NEWLINE if self.text.find("\n", start, end) >= 0 else FOLDED_SPACE
        else:
            value = "".join(pieces)
            # An empty string is all blanks too, and bs4 folds it to one space like the rest.
            if not self.preserving and not value.strip(_ASCII_SPACES):
                code |= FOLDED_NEWLINE if "\n" in value else FOLDED_SPACE
            else:
                tree.decoded[number] = value
                code |= DECODED
            self.pieces = None
        tree.string_starts.append(start)
        tree.string_ends.append(end)
        tree.string_codes.append(code)
        self.data_start = -1

    def read_marks(self, written: str) -> tuple[int, str | None]:
        """The mark code of attributes written so, and the id they give if any."""
        if MAY_BE_MARKED.search(written) is None:
            return 0, None
        classes, role, epub_type, element_id = marking(written)
        key = classes, role, epub_type
        code = self.mark_keys.get(key)
        if code is None:
            code = self.known_marks.setdefault(marks(classes, role, epub_type), len(self.known_marks))
            self.mark_keys[key] = code
        if len(self.marked) >= _REMEMBERED:
            self.marked.clear()
        self.marked[written] = known = code, element_id
        return known

    def end(self, name: str) -> None:
        if self.data_start >= 0:
            self.flush()
        if not self.open.get(name):
            return
        names = self.tree.names
        while len(self.stack) > 1:
            if names[self.pop()] == name:
                return

    def pop(self) -> int:
        element = self.stack.pop()
        tree = self.tree
        name = tree.names[element]
        self.open[name] -= 1
        tree.ends[element] = len(tree.names)
        tree.lasts[element] = len(tree.string_codes)
        if name in PRESERVE_WHITESPACE:
            self.preserving -= 1
        if name in STRING_CONTAINERS:
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
        tree = self.tree
        tree.ends[0] = len(tree.names)
        tree.lasts[0] = len(tree.string_codes)
        tree.marks = list(self.known_marks)
        return tree


def _fast_tree(text: str, index: LineIndex | None = None) -> HtmlTree:
    builder = _Builder(HtmlTree(text, index or LineIndex(text)))
    # A saved page has tens of thousands of tags: elements are opened and closed here, with
    # the tree's arrays at hand, rather than through a builder method each (a call and an
    # attribute look-up for every step); the builder's end and pop do the same for the rare
    # tags read apart (script, style, void end tags).
    tree = builder.tree
    names = tree.names
    ends = tree.ends
    lasts = tree.lasts
    string_codes = tree.string_codes
    ids = tree.ids
    stack = builder.stack
    open_count = builder.open
    lowered = builder.lowered
    marked = builder.marked
    closed_void = builder.closed_void
    add_name = names.append
    add_parent = tree.parents.append
    add_offset = tree.offsets.append
    add_end = ends.append
    add_first = tree.firsts.append
    add_last = lasts.append
    add_mark_code = tree.mark_codes.append
    length = len(text)
    position = 0
    search = _NEXT.search
    while True:
        found = search(text, position)
        if found is None:
            if position < length:
                builder.raw(position, length)
            break
        at = found.start()
        if at > position:  # text up to the markup (builder.raw, inline: it comes before every tag)
            if builder.data_start < 0:
                builder.data_start = position
            elif builder.pieces is not None:
                builder.pieces.append(text[position:at])
            builder.data_end = at
        kind = found.lastindex
        if kind == 1:  # a start tag: Builder.start, then what its kind of element needs
            written_name, written, closed = found.group(2, 3, 4)
            # One string per name, shared by every element of that name, however it is written.
            name = lowered.get(written_name)
            if name is None:
                name = lowered[written_name] = written_name.lower()
            if builder.data_start >= 0:
                builder.flush()
            element = len(names)
            add_name(name)
            add_parent(stack[-1])
            add_offset(at)
            add_end(element + 1)
            strings = len(string_codes)
            add_first(strings)
            add_last(strings)
            if written:
                known = marked.get(written)
                if known is None:
                    known = builder.read_marks(written)
                code, element_id = known
                if element_id is not None:
                    ids.setdefault(element_id, element)
                add_mark_code(code)
            else:
                add_mark_code(0)
            position = found.end()
            # An element closed as soon as it opens (written "/>", or void) holds nothing, and its
            # end and last string are already where they would be set when it was closed.
            if closed:
                continue
            if name in VOID_ELEMENTS:
                closed_void[name] = closed_void.get(name, 0) + 1
                continue
            stack.append(element)
            open_count[name] = open_count.get(name, 0) + 1
            if name in PRESERVE_WHITESPACE:
                builder.preserving += 1
            if name in STRING_CONTAINERS:
                builder.containers.append(KIND_CODES[name])
            if name in _RAW_TEXT:
                position = _raw_text(builder, text, name, position)
            elif name in _MAYBE_RAW_TEXT:
                closing = re.compile(f"</{name}", re.IGNORECASE).search(text, position)
                if closing is None or re.search(r"[<&]", text[position : closing.start()]):
                    raise _Unusual
            continue
        if kind == 5:  # an end tag: Builder.end, popping as Builder.pop does
            written_name = found.group(5)
            name = lowered.get(written_name)
            if name is None:
                name = lowered[written_name] = written_name.lower()
            position = found.end()
            if name in VOID_ELEMENTS:
                builder.void_end(name)
                continue
            if builder.data_start >= 0:
                builder.flush()
            if not open_count.get(name):
                continue
            while len(stack) > 1:
                element = stack.pop()
                popped = names[element]
                open_count[popped] -= 1
                ends[element] = len(names)
                lasts[element] = len(string_codes)
                if popped in PRESERVE_WHITESPACE:
                    builder.preserving -= 1
                if popped in STRING_CONTAINERS:
                    builder.containers.pop()
                if popped == name:
                    break
            continue
        if at + 1 >= length:
            raise _Unusual
        following = text[at + 1]
        if text[at] == "<":
            if following == "/" or (following.isascii() and following.isalpha()):
                raise _Unusual  # neither a plain start tag nor a plain end tag
            if following == "!":
                match = _COMMENT.match(text, at) or _DOCTYPE.match(text, at)
                if match is None:
                    raise _Unusual
                builder.flush()
                position = match.end()
            elif following == "?":
                raise _Unusual
            else:
                builder.raw(at, at + 1)
                position = at + 1
        elif following == "#":
            match = _CHARREF.match(text, at)
            if match is None:
                raise _Unusual
            position = match.end()
            builder.decoded(at, position, numeric_reference(match.group(1)))
        elif following.isascii() and following.isalpha():
            match = _ENTITYREF.match(text, at)
            assert match is not None
            name, semicolon = match.group(1), match.group(2)
            if not semicolon and match.end() >= length:
                raise _Unusual
            character = ENTITIES.get(name)
            position = match.end()
            builder.decoded(at, position, character if character is not None else "&" + name)
        else:
            builder.raw(at, at + 1)
            position = at + 1
    return builder.finish()


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
        builder.raw(start, closing.start())
    builder.end(name)
    return closing.end() + 1


def _copy_soup(soup: BeautifulSoup, text: str, index: LineIndex) -> HtmlTree:
    """The flat tree of a page that beautifulsoup4 parsed."""
    from bs4 import NavigableString
    from bs4 import Tag as SoupTag

    tree = HtmlTree(text, index)
    soup_attributes: dict[int, dict[str, AttributeValue]] = {}
    tree.soup_attributes = soup_attributes
    mark_codes: dict[Marks, int] = {NO_MARKS: 0}
    numbers: dict[int, int] = {id(soup): 0}
    stack = [0]

    def close_to(parent: int) -> None:
        while stack[-1] != parent:
            element = stack.pop()
            tree.ends[element] = len(tree.names)
            tree.lasts[element] = len(tree.string_codes)

    for node in soup.descendants:
        parent = numbers[id(node.parent)]
        close_to(parent)
        if isinstance(node, SoupTag):
            offset = -1
            if node.sourceline is not None and node.sourcepos is not None:
                offset = index.offset(node.sourceline, node.sourcepos + 1)
            element = len(tree.names)
            attrs: dict[str, AttributeValue] = dict(node.attrs)
            tree.names.append(node.name)
            tree.parents.append(parent)
            tree.offsets.append(offset)
            tree.ends.append(element + 1)
            tree.firsts.append(len(tree.string_codes))
            tree.lasts.append(len(tree.string_codes))
            tree.mark_codes.append(mark_codes.setdefault(_marks(attrs), len(mark_codes)))
            if attrs:
                soup_attributes[element] = attrs
            element_id = attrs.get("id")
            if isinstance(element_id, str):
                tree.ids.setdefault(element_id, element)
            numbers[id(node)] = element
            stack.append(element)
        elif isinstance(node, NavigableString):
            kind = _soup_kind(node)
            if kind is not None:
                number = len(tree.string_codes)
                tree.decoded[number] = str(node)
                tree.string_starts.append(-1)
                tree.string_ends.append(-1)
                tree.string_codes.append(KIND_CODES[kind] | DECODED)
    close_to(0)
    tree.ends[0] = len(tree.names)
    tree.lasts[0] = len(tree.string_codes)
    tree.marks = list(mark_codes)
    return tree


def _soup_kind(node: NavigableString) -> str | None:
    """The kind of a string of bs4's tree, or None for one get_text() never gathers (a comment)."""
    from bs4 import CData, NavigableString
    from bs4.builder import HTMLTreeBuilder

    if type(node) is NavigableString:
        return "text"
    if type(node) is CData:
        return "cdata"
    return next(
        (name for name, kind in HTMLTreeBuilder.DEFAULT_STRING_CONTAINERS.items() if type(node) is kind),
        None,
    )


def _marks(attrs: dict[str, AttributeValue]) -> Marks:
    classes = attrs.get("class")
    role = attrs.get("role")
    epub_type = attrs.get("epub:type")
    return marks(
        tuple(classes) if isinstance(classes, list) else tuple(str(classes or "").split()),
        role if isinstance(role, str) else None,
        epub_type if isinstance(epub_type, str) else None,
    )


def parse_html(text: str) -> HtmlTree:
    """The tree of ``text``, as beautifulsoup4 on html.parser (``html_parser.parse_html``) builds it.

    Raises bs4's ParserRejectedMarkup when html.parser cannot read the page.
    """
    index = LineIndex(text)
    try:
        return _fast_tree(text, index)
    except _Unusual:
        return soup_tree(text, index)


def soup_tree(text: str, index: LineIndex | None = None) -> HtmlTree:
    """The tree through beautifulsoup4 alone: the road for unusual markup, and the reference for tests."""
    from verifier.extract import html_parser

    return _copy_soup(html_parser.parse_html(text), text, index or LineIndex(text))
