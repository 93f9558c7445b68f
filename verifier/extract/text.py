"""Plain text, as PDFs turn into it: bare URLs, footnote markers and per-page footnote blocks.

A PDF page converted to text ends with its footnotes: a separator line (a long run of spaces
or a rule of dashes), then definitions that each start with their marker ("① text",
"[1] text", "¹ text"). Numbering restarts on every page, so footnotes are matched and checked
page by page. URLs that the PDF wrapped across a line break are joined again, while a URL
that merely ends a line keeps its distance from the prose that follows.

Every scan over the whole text is a compiled regular expression or a ``str.find`` loop over
rare landmarks; only footnote blocks are walked line by line.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum

from verifier.extract.bareurls import continuation_end, find_bare_urls
from verifier.extract.base import Extraction, LineIndex, Source, read_with_line_feeds
from verifier.extract.dates import find_access_date, find_document_date, find_publication_date
from verifier.extract.footnotes import FootnoteDefinition, FootnoteUse, check_footnotes
from verifier.extract.html_reference import build_reference
from verifier.extract.tlds import missing_tld
from verifier.extract.urls import classify_url, is_normalised, read_url
from verifier.model import (
    Citation,
    FootnoteIssue,
    FootnoteIssueKind,
    Reference,
    ReferenceIssue,
    ReferenceKind,
    WaybackLocation,
)


class _Style(Enum):
    CIRCLED = "circled"
    BRACKET = "bracket"
    NUMBER = "number"  # superscript or plain digits


# --- footnote markers -------------------------------------------------------------------

# ①-⑳, ⑴-⒇, the dingbat circled digits ❶-❿ ➀-➉ ➊-➓, and circled 21-35 and 36-50.
_CIRCLED = "".join(
    chr(code)
    for first, last in ((0x2460, 0x2487), (0x2776, 0x2793), (0x3251, 0x325F), (0x32B1, 0x32BF))
    for code in range(first, last + 1)
)
_SUPERSCRIPTS = "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
_SUPERSCRIPT_DIGITS = str.maketrans(_SUPERSCRIPTS, "0123456789")
_SINGLE_MARKERS = {
    **{char: int(unicodedata.numeric(char)) for char in _CIRCLED},
    **{char: int(char.translate(_SUPERSCRIPT_DIGITS)) for char in _SUPERSCRIPTS},
}
_BODY_MARKER = re.compile(
    rf"(?P<circled>[{_CIRCLED}])|(?P<superscript>[{_SUPERSCRIPTS}]{{1,3}})|\[(?P<bracket>\d{{1,3}})\]"
)
# A lone character class scans far faster than the alternation, so candidates are found with
# it and confirmed with the full pattern.
_BODY_MARKER_START = re.compile(rf"[{_CIRCLED}{_SUPERSCRIPTS}\[]")
_MARKER_STYLES = {
    "circled": _Style.CIRCLED,
    "superscript": _Style.NUMBER,
    "plain": _Style.NUMBER,
    "bracket": _Style.BRACKET,
}
_DEFINITION_START = re.compile(
    rf"[ \t\u3000]*(?:(?P<circled>[{_CIRCLED}])|\[(?P<bracket>\d{{1,3}})\]"
    rf"|(?P<superscript>[{_SUPERSCRIPTS}]{{1,3}})|(?P<plain>\d{{1,3}})(?=[.\s]))[ \t\u3000.]*"
)

# A footnote separator: a line of nothing but a long run of blanks, or a rule.
# Each is searched as a plain literal: a regex made of a literal alone scans many times faster
# than a repetition or an alternation.
_SEPARATOR_MARKS = tuple(
    re.compile(re.escape(mark))
    for mark in (" " * 16, "\t" * 4, "-" * 10, "_" * 10, "\u2500" * 5, "\u2014" * 5)
)
_RULE_CHARS = frozenset("-_\u2500\u2014")
_SEPARATOR_FIRST = frozenset(" \t\u3000\u00a0-_\u2500\u2014")
_BLANKS = " \t\r\u3000\u00a0"

# A line that ends a sentence cannot be continued by the line below it.
_SENTENCE_END = frozenset("。.．！？!?")


@dataclass(slots=True)
class _Definition:
    label: str
    number: int
    style: _Style
    line: int
    start: int  # of the marker
    text_start: int
    text_end: int
    text: str = ""  # on one line, set once the wrapped URLs are known
    citation: Citation | None = None
    link_text: str | None = None  # what a URL in this note is called: its title, or its words

    @property
    def empty(self) -> bool:
        return self.text_end <= self.text_start


@dataclass(slots=True)
class _Page:
    body_start: int
    body_end: int
    definitions: list[_Definition] = field(default_factory=list)


class _LineCounter:
    """1-based (line, column) of offsets, found by counting line breaks from the nearest point seen.

    Extraction asks for few positions in a long text, mostly in increasing order, so this is
    cheaper in time and memory than indexing every line start up front.
    """

    _CHECKPOINT_DISTANCE = 4096

    def __init__(self, text: str) -> None:
        self._text = text
        self._offsets = [0]
        self._lines = [1]
        self._line_starts = [0]

    def position(self, offset: int) -> tuple[int, int]:
        text = self._text
        at = bisect.bisect_right(self._offsets, offset) - 1
        base = self._offsets[at]
        line = self._lines[at] + text.count("\n", base, offset)
        line_start = text.rfind("\n", base, offset) + 1 or self._line_starts[at]
        if offset - base > self._CHECKPOINT_DISTANCE:
            self._offsets.insert(at + 1, offset)
            self._lines.insert(at + 1, line)
            self._line_starts.insert(at + 1, line_start)
        return line, offset - line_start + 1


def _marker_number(marker: str) -> int:
    known = _SINGLE_MARKERS.get(marker)
    if known is not None:
        return known
    if marker.isdecimal():
        return int(marker)
    translated = marker.translate(_SUPERSCRIPT_DIGITS)
    if translated.isdecimal():
        return int(translated)
    return int(unicodedata.numeric(marker))


# --- page structure ---------------------------------------------------------------------


def _line_bounds(text: str, position: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return start, len(text) if end == -1 else end


def _is_separator(line: str) -> bool:
    stripped = line.strip(_BLANKS)
    if not stripped:
        return len(line.rstrip("\r").expandtabs(4)) >= 16
    return len(stripped) >= 5 and set(stripped) <= _RULE_CHARS


def _separator_lines(text: str) -> list[int]:
    """Start offsets of separator lines, in order."""
    starts: set[int] = set()
    for mark in _SEPARATOR_MARKS:
        line_end = -1
        for match in mark.finditer(text):
            if match.start() < line_end:
                continue  # another run of blanks on a line already judged
            start, line_end = _line_bounds(text, match.start())
            if _is_separator(text[start:line_end]):
                starts.add(start)
    return sorted(starts)


def _parse_block(text: str, position: int, line_number: int) -> tuple[list[_Definition], int]:
    """The definitions of a footnote block starting at ``position`` and where the block ends.

    Blank lines inside the block are passed over. A line starting with its marker opens a
    definition; a line starting flush left continues the open definition unless that one
    already ended a sentence; anything else (an indented line, a page number) is the body of
    the next page.
    """
    definitions: list[_Definition] = []
    current: _Definition | None = None
    length = len(text)
    line_number -= 1
    while position < length:
        line_number += 1
        end = text.find("\n", position)
        if end == -1:
            end = length
        line = text[position:end]
        content = line.rstrip(_BLANKS)
        if not content.strip(_BLANKS):
            position = end + 1
            continue
        if line[0] in _SEPARATOR_FIRST and _is_separator(line):
            break
        opening = _DEFINITION_START.match(line)
        definition = (
            _definition_from(opening, definitions, line_number, position, content) if opening else None
        )
        if definition is not None:
            definitions.append(definition)
            current = definition
        elif (
            current is not None
            and line[0] not in _BLANKS
            and not (current.text_end > current.text_start and text[current.text_end - 1] in _SENTENCE_END)
        ):
            current.text_end = position + len(content)
        else:
            break
        position = end + 1
    return definitions, min(position, length)


def _definition_from(
    opening: re.Match[str], earlier: list[_Definition], line_number: int, position: int, content: str
) -> _Definition | None:
    marker_group = opening.lastgroup or ""
    marker = opening.group(marker_group)
    number = _marker_number(marker)
    if marker_group == "plain":
        # Plain digits open a definition only where numbering expects one, so a wrapped line
        # that happens to start with a page number ("83. ...") is not taken for a footnote.
        previous = earlier[-1].number if earlier else 0
        if number != previous + 1:
            return None
    style = _MARKER_STYLES[marker_group]
    text_start = position + opening.end()
    text_end = max(text_start, position + len(content))
    return _Definition(
        label=marker,
        number=number,
        style=style,
        line=line_number,
        start=position + opening.start(marker_group),
        text_start=text_start,
        text_end=text_end,
    )


# A line that opens footnote 1, in any style but plain digits (which open numbered lists too).
_FIRST_NOTE = re.compile(r"^[ \t\u3000]*(?:[\u2460\u2474\u2776\u2780\u278a]|\[1\]|\u00b9)", re.MULTILINE)
_PAGE_NUMBER = re.compile(r"[\s\d]*")


def _trailing_block(text: str, start: int, index: _LineCounter) -> tuple[int, list[_Definition]] | None:
    """A footnote block that ends a page with no separator line above it, and where it starts.

    A PDF draws the rule above its footnotes as a graphic, so a page's text layer shows none:
    the block is the run of definitions, from footnote 1, that reaches the end of the page
    (a page number may follow). A marker alone on its line is a marker in the body.
    """
    for match in _FIRST_NOTE.finditer(text, start):
        position = text.rfind("\n", 0, match.start()) + 1
        definitions, end = _parse_block(text, position, index.position(position)[0])
        if not definitions or not _PAGE_NUMBER.fullmatch(text, end):
            continue
        first = definitions[0]
        if text[first.text_start : _line_bounds(text, first.text_start)[1]].strip(_BLANKS):
            return position, definitions
    return None


def _pages(text: str, index: _LineCounter, *, trailing_notes: bool = False) -> list[_Page]:
    """The document cut into pages: each body with the footnote block that follows it.

    With ``trailing_notes`` (the text of one PDF page) a block of definitions at the end of
    the text counts as its footnotes even with no separator line above it.
    """
    pages: list[_Page] = []
    body_start = 0
    for separator in _separator_lines(text):
        if separator < body_start:
            continue
        line_end = text.find("\n", separator)
        if line_end == -1:
            break
        definitions, block_end = _parse_block(text, line_end + 1, index.position(separator)[0] + 1)
        if not definitions:
            continue
        pages.append(_Page(body_start, separator, definitions))
        body_start = block_end
    trailing = _trailing_block(text, body_start, index) if trailing_notes else None
    if trailing is not None:
        pages.append(_Page(body_start, trailing[0], trailing[1]))
        body_start = len(text)
    pages.append(_Page(body_start, len(text)))
    return pages


# --- URLs -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Found:
    start: int
    end: int
    url: str  # as the checker should read it: wraps joined, scheme added to www.
    kind: ReferenceKind | None = None  # None: let the URL decide
    alternative: str | None = None  # joined over a space that may cut its path


# After a URL that ends its line: blanks, the line break, indentation. Never a blank line: a PDF
# wraps a URL onto the very next line, and what follows a blank line is a new paragraph or item.
_WRAP_GAP = re.compile(r"[ \t\r\u3000]*\n[ \t\u3000]*")
# Characters after which a PDF is likely to have broken a URL.
_BREAKABLE_END = frozenset("/-_=&?%#~+")
_PATHISH = re.compile(r"[\w.~%+-]+")
_WEB_EXTENSION = re.compile(r"\.(?:s?html?|php\d?|aspx?|jsp|cgi|pdf|xml|json|txt|doc|xlsx?)$", re.IGNORECASE)
# A token that starts an address of its own: any scheme with "//" ("ldap://", "file:///"), a
# scheme-relative "//host", "www.", or a scheme that takes no slashes.
_URL_START = re.compile(
    r"[a-z][a-z0-9+.-]*://|//|www\.|(?:mailto|urn|doi|news|tel|sms|geo|xmpp|sip|magnet|data):",
    re.IGNORECASE,
)
# The host a token starts with, when it starts like "host.tld", "host.tld:8080", "192.0.2.1" or
# "localhost", followed by the end of the token or by a path, query or fragment.
_HOST_START = re.compile(
    r"(?P<host>(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?P<tld>[a-z]{2,63}|[0-9]{1,3})|localhost)"
    r"(?::[0-9]{1,5})?(?=[/?#]|$)",
    re.IGNORECASE,
)
_IPV4 = re.compile(r"(?:[0-9]{1,3}\.){3}[0-9]{1,3}")
_LINE_REST = re.compile(r"[^\n]*")
_TRAILING_PUNCTUATION = ".,;:!?'\")]}。，；：！？）」』】、…"
# Characters that go on after a complete file name ("report.pdf?page=2", "a.html#top").
_AFTER_FILE_NAME = "?#&;"


def _starts_with_host(piece: str) -> bool:
    """Whether ``piece`` opens with a host name of its own: the next item of a list of addresses."""
    match = _HOST_START.match(piece)
    if match is None:
        return False
    host = match.group("host")
    tld = match.group("tld") or ""
    if tld.isdigit():
        return _IPV4.fullmatch(host) is not None
    return host.lower() == "localhost" or missing_tld(host.lower()) is None


def _continues_url(url: str, piece: str, ends_line: bool) -> bool:
    """Whether ``piece``, the first token of the next line, is the rest of ``url``.

    The evidence has to be strong: a slash, a query or an escape, or a web file name; or,
    right after a URL that broke after a separator, a lone path segment with a digit or an
    underscore that is all its line holds. An ordinary word ("The", "e.g.", "2010 was")
    never continues a URL, and neither does a line that starts an address of its own (a
    scheme, "www.", a host name): that is a list of URLs, one to a line.
    """
    if not piece or _URL_START.match(piece):
        return False
    if url[-1] not in "-." and _starts_with_host(piece):
        # "http://www.exam-" + "ple.com/x" is a host cut in two; "http://a.test/x" over
        # "b.test/y" is two addresses.
        return False
    if _WEB_EXTENSION.search(url) and piece[0] not in _AFTER_FILE_NAME:
        # "rfc2396.txt" is a whole file name: a word after it is no part of it.
        return False
    if "/" in piece or any(c in piece for c in "?=&%#"):
        return True
    if not _PATHISH.fullmatch(piece):
        return False
    if _WEB_EXTENSION.search(piece):
        return True
    return ends_line and url[-1] in _BREAKABLE_END and any(c.isdigit() or c == "_" for c in piece)


def _unwrapped(text: str, start: int, end: int) -> tuple[int, str]:
    """The end of the URL at ``start``:``end`` once followed across line breaks, and its joined form."""
    joined = text[start:end]
    for _ in range(8):
        gap = _WRAP_GAP.match(text, end)
        if gap is None:
            break
        piece_start = gap.end()
        piece_end = continuation_end(text, start, piece_start)
        piece = text[piece_start:piece_end]
        # The piece must end where its token does, or at punctuation: "14/world/x.html." and
        # "x.html。下一句" are URL ends; "foo/bar的" is prose that happens to hold a slash.
        if piece_end < len(text) and not text[piece_end].isspace() and not _is_punctuation(text[piece_end]):
            break
        line_rest = _LINE_REST.match(text, piece_end)
        ends_line = line_rest is not None and not line_rest.group(0).strip(_TRAILING_PUNCTUATION + _BLANKS)
        if not _continues_url(joined, piece, ends_line):
            break
        joined += piece
        end = piece_end
    return end, joined


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char).startswith("P")


# The URL has a path: only a path is joined over a space; a host cut by one stays malformed.
_HAS_PATH = re.compile(r"(?:[a-z][a-z0-9+.-]*://)?[^/?#\s]+/", re.IGNORECASE)
_CUT_BLANKS = " \u00a0"


# A blank, then a word holding what a path's continuation has at least one of (a slash, a
# query, an escape, a file name's dot): most URLs in prose are followed by a plain word, and
# this one look settles them.
_MAY_BE_CUT = re.compile("[ \u00a0][^\\s/?%=&#.]*[/?%=&#.]")


def _cut_alternative(text: str, start: int, end: int, joined: str) -> str | None:
    """``joined`` continued over spaces a PDF's text layer may have put inside its path, or None.

    The same evidence as for a wrap is asked of the word after the space (a slash, a query,
    an escape or a web file name, and no address of its own), and the word must be on the
    same line: a space is weaker evidence than a line break, so the joined form is only an
    alternative, tried when the URL as read is dead.
    """
    if _HAS_PATH.match(joined) is None:
        return None
    alternative = joined
    position = end
    for _ in range(4):
        if position + 1 >= len(text) or text[position] not in _CUT_BLANKS:
            break
        piece_start = position + 1
        piece_end = continuation_end(text, start, piece_start)
        piece = text[piece_start:piece_end]
        if piece_end < len(text) and not text[piece_end].isspace() and not _is_punctuation(text[piece_end]):
            break
        if not _continues_url(alternative, piece, ends_line=False):
            break
        alternative += piece
        position = piece_end
    return alternative if alternative != joined else None


_MAILTO_MARKS = (re.compile("mailto:"), re.compile("MAILTO:"))
_MAILTO = re.compile(
    r"mailto:[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+", re.IGNORECASE
)
# "@" followed by a host character: a literal-led pattern, so the scan stays fast.
_AT = re.compile(r"@(?=[A-Za-z0-9])")
_EMAIL_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9._%+-]{1,64}\Z")
_EMAIL_DOMAIN = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,63}\b"
)
_DOI_MARKS = (re.compile("doi"), re.compile("DOI"), re.compile("Doi"))
_DOI = re.compile(r"doi\s*[:：]?\s*(?P<doi>10\.\d{4,9}/[^\s\"<>\u2e80-\u9fff\uff00-\uffef]+)", re.IGNORECASE)
_DOI_TRAILING = ".,;:!?'\")]}"


def _scheme_urls(text: str) -> Iterator[_Found]:
    end = 0
    for start, found_end in find_bare_urls(text):
        if start < end:
            continue
        end, joined = _unwrapped(text, start, found_end)
        # Only a space followed by a word that looks like more path can hide a cut.
        cut = _MAY_BE_CUT.match(text, end) is not None
        alternative = _cut_alternative(text, start, end, joined) if cut else None
        if joined[:4].lower() == "www.":
            joined = "http://" + joined
            alternative = "http://" + alternative if alternative else None
        yield _Found(start, end, joined, alternative=alternative)


def _mailto_urls(text: str) -> Iterator[_Found]:
    for mark in _MAILTO_MARKS:
        for hit in mark.finditer(text):
            match = _MAILTO.match(text, hit.start())
            if match is not None:
                yield _Found(match.start(), match.end(), match.group(0), ReferenceKind.EMAIL)


def _email_addresses(text: str) -> Iterator[_Found]:
    for at in _AT.finditer(text):
        position = at.start()
        if position == 0 or text[position - 1] not in _EMAIL_LOCAL_CHARS:
            continue
        local = _EMAIL_LOCAL.search(text, max(0, position - 64), position)
        domain = _EMAIL_DOMAIN.match(text, position + 1)
        if local is None or domain is None:
            continue
        start = local.start()
        while start < position and text[start] in "._%+-":
            start += 1
        if start < position:
            yield _Found(start, domain.end(), "mailto:" + text[start : domain.end()], ReferenceKind.EMAIL)


def _dois(text: str) -> Iterator[_Found]:
    for mark in _DOI_MARKS:
        for hit in mark.finditer(text):
            if hit.start() > 0 and (text[hit.start() - 1].isalnum() or text[hit.start() - 1] in "/."):
                continue  # part of a word or of a doi.org URL
            match = _DOI.match(text, hit.start())
            if match is None:
                continue
            end = match.end()
            while end > match.start("doi") and text[end - 1] in _DOI_TRAILING:
                end -= 1
            yield _Found(match.start(), end, "doi:" + text[match.start("doi") : end], ReferenceKind.DOI)


def _all_urls(text: str) -> list[_Found]:
    """Every URL, e-mail address and DOI, in order, none overlapping another."""
    found = sorted(
        [*_scheme_urls(text), *_mailto_urls(text), *_dois(text), *_email_addresses(text)],
        key=lambda item: (item.start, -item.end),
    )
    kept: list[_Found] = []
    for item in found:
        if kept and item.start < kept[-1].end:
            continue
        kept.append(item)
    return kept


# --- citation text ----------------------------------------------------------------------

_TITLE = re.compile(
    r"《(?P<book>[^《》\n]+)》|“(?P<curly>[^“”\n]+)”|\"(?P<straight>[^\"\n]+)\"|「(?P<corner>[^「」\n]+)」"
)
_LINE_BREAK = re.compile(r"[ \t\r\u3000]*\n[ \t\r\u3000\n]*")


def _is_wide(char: str) -> bool:
    """CJK and full-width characters, which join across a line break without a space."""
    return char >= "\u2e80"


def _joined_text(text: str, start: int, end: int, wrapped_breaks: set[int]) -> str:
    """A definition's text on one line: CJK joins without a space, words with one, wrapped URLs whole."""
    pieces: list[str] = []
    position = start
    for gap in _LINE_BREAK.finditer(text, start, end):
        pieces.append(text[position : gap.start()])
        before = text[gap.start() - 1] if gap.start() > start else ""
        after = text[gap.end()] if gap.end() < end else ""
        inside_url = text.find("\n", gap.start(), gap.end()) in wrapped_breaks
        pieces.append("" if inside_url or _is_wide(before) or _is_wide(after) else " ")
        position = gap.end()
    pieces.append(text[position:end])
    return "".join(pieces).strip()


# American style puts the comma that follows a title inside its quotes: "Title," Publisher.
_TITLE_TRAILING = " \t,.;:，。；："


def _title(definition_text: str) -> tuple[str | None, int]:
    """The quoted title of a citation and where its closing quote ends (-1 without one)."""
    match = _TITLE.search(definition_text)
    if match is None:
        return None, -1
    title = next(group for group in match.groups() if group is not None).strip(_TITLE_TRAILING)
    return title or None, match.end()


# "…》，载《Journal》": the journal or collection a Chinese citation appeared in.
_PUBLISHED_IN = re.compile(r"[ \t\u3000]*[,，、]?[ \t\u3000]*载[ \t\u3000]*《(?P<work>[^《》\n]+)》")
# The part after a title up to the next separator: the publisher in "Author, "Title," Publisher, Date".
_NEXT_PART = re.compile(r"[ \t\u3000]*[,，]?[ \t\u3000]*(?P<part>[^,，。;；\n]+)")
# A part holding any of these is something else: a date, a page, a second title, a "cited in".
_NOT_PUBLISHER = re.compile(
    r"[\d《》“”\"「」:：/]|^(?:载|转引自|参见|见|in|see|cited|retrieved|accessed)\b", re.IGNORECASE
)


def _publisher(text: str, title_end: int) -> str | None:
    """The publisher (or journal, newspaper, site) named right after a citation's title."""
    published_in = _PUBLISHED_IN.match(text, title_end)
    if published_in is not None:
        return published_in.group("work").strip() or None
    part = _NEXT_PART.match(text, title_end)
    if part is None:
        return None
    name = part.group("part").strip(_TITLE_TRAILING)
    if not name or len(name) > 80 or _NOT_PUBLISHER.search(name) or not any(c.isalpha() for c in name):
        return None
    return name


# Loose on purpose: a URL is only blanked here so that a date in its path is not read as
# the citation's own date.
_ANY_URL = re.compile(r"(?:(?:https?|ftp)://|www\.)[^\s\u2e80-\u9fff\uff00-\uffef]*", re.IGNORECASE)


def _without_urls(text: str) -> str:
    """``text`` with its URLs blanked."""
    if "://" not in text and "www." not in text.lower():
        return text
    return _ANY_URL.sub(" ", text)


def _citation(definition_text: str) -> Citation | None:
    without_url = _without_urls(definition_text)
    title, title_end = _title(without_url)
    citation = Citation(
        title=title,
        publisher=_publisher(without_url, title_end) if title_end >= 0 else None,
        published=find_publication_date(without_url),
        accessed=find_access_date(without_url),
    )
    return citation if citation != Citation() else None


#: About two lines of a page: the most of a note's own words that stand for its link.
_LINK_TEXT_LIMIT = 160
_LINK_TEXT_TRIM = " \t,.;:，。；：、"


def _link_text(definition_text: str, citation: Citation | None) -> str | None:
    """What a URL in a note is called: the note's title, else its words without the URLs.

    The whole note would make every renderer show a paragraph where a link's name belongs;
    the rest of what the note says is in the citation.
    """
    if citation is not None and citation.title:
        return citation.title
    words = " ".join(_without_urls(definition_text).split()).strip(_LINK_TEXT_TRIM)
    if not any(char.isalnum() for char in words):
        return None
    if len(words) > _LINK_TEXT_LIMIT:
        cut = words.rfind(" ", 0, _LINK_TEXT_LIMIT)
        words = words[: cut if cut > 0 else _LINK_TEXT_LIMIT].rstrip(_LINK_TEXT_TRIM) + "…"
    return words


# --- the extractor ----------------------------------------------------------------------


_NO_LINES = LineIndex("")
_DIGIT = re.compile(r"\d")


class _ReferenceMaker:
    """Builds references, normalising each distinct URL once however often it is cited."""

    def __init__(self, text: str, index: _LineCounter) -> None:
        self._text = text
        self._index = index
        self._templates: dict[str, Reference] = {}

    def __call__(self, found: _Found, note: _Definition | None) -> Reference:
        text = self._text
        raw = text[found.start : found.end]
        if note is not None:
            citation = note.citation
        else:
            # A bare URL in running text may be followed by its access date on the same line.
            line_end = text.find("\n", found.end, found.end + 200)
            rest = text[found.end : line_end if line_end != -1 else found.end + 200]
            accessed = find_access_date(rest) if _DIGIT.search(rest) else None
            citation = Citation(accessed=accessed) if accessed else None
        url, kind, wayback, issues = self._reading(found)
        line, column = self._index.position(found.start)
        alternatives: tuple[str, ...] = ()
        if found.alternative is not None and not issues:
            reading = read_url(found.alternative)
            if not reading.issues and reading.url != url:
                alternatives = (reading.url,)
        return Reference(
            url=url,
            raw=raw,
            kind=kind,
            line=line,
            column=column,
            start=found.start,
            end=found.end,
            text=note.link_text if note is not None else None,
            footnote=note.label if note is not None else None,
            citation=citation,
            wayback=wayback,
            issues=issues,
            alternatives=alternatives,
        )

    def _reading(
        self, found: _Found
    ) -> tuple[str, ReferenceKind, WaybackLocation | None, tuple[ReferenceIssue, ...]]:
        """The normalised URL, kind, archive location and issues of a found URL."""
        if found.kind is None and "xn--" not in found.url and is_normalised(found.url):
            # Most URLs in real text are already in normal form; only the kind is needed.
            kind = classify_url(found.url)
            if kind is ReferenceKind.EXTERNAL:
                return found.url, kind, None, ()
        template = self._templates.get(found.url)
        if template is None:
            url_text = "https://doi.org/" + found.url[4:] if found.kind is ReferenceKind.DOI else found.url
            # Only the URL's reading is kept from the template; its place is set by the caller.
            template = build_reference(url_text, found.url, 0, _NO_LINES)
            self._templates[found.url] = template
        return template.url, template.kind, template.wayback, template.issues


def _citation_reference(definition: _Definition, text: str, index: _LineCounter) -> Reference:
    line, column = index.position(definition.text_start)
    return Reference(
        url="",
        raw=text[definition.text_start : definition.text_end],
        kind=ReferenceKind.CITATION,
        line=line,
        column=column,
        start=definition.text_start,
        end=definition.text_end,
        text=definition.text,
        footnote=definition.label,
        citation=definition.citation,
    )


def _page_issues(
    page: _Page, text: str, index: _LineCounter, scope: str, document_has_notes: bool
) -> list[FootnoteIssue]:
    by_number = {definition.number: definition for definition in reversed(page.definitions)}
    styles = {definition.style for definition in page.definitions}
    uses: list[FootnoteUse] = []
    # Markers come in order, so each line number is counted on from the one before.
    counted_to = page.body_start
    line = index.position(counted_to)[0]
    for candidate in _BODY_MARKER_START.finditer(text, page.body_start, page.body_end):
        match = _BODY_MARKER.match(text, candidate.start(), page.body_end)
        if match is None:
            continue
        kind = match.lastgroup or "circled"
        marker = match.group(kind)
        number = _marker_number(marker)
        style = _MARKER_STYLES[kind]
        line += text.count("\n", counted_to, match.start())
        counted_to = match.start()
        definition = by_number.get(number)
        if definition is not None:
            uses.append(FootnoteUse(definition.label, line))
        elif document_has_notes and (style is _Style.CIRCLED or style in styles):
            # "m²" or a bracketed reference to a bibliography is no footnote of this page;
            # circled numbers are footnote markers wherever a document uses footnotes at all.
            uses.append(FootnoteUse(marker, line))
    definitions = [FootnoteDefinition(d.label, d.line, d.empty) for d in page.definitions]
    issues = check_footnotes(uses, definitions, scope=scope, check_numbering=False)
    issues.extend(_numbering_gaps(page.definitions, scope))
    return issues


def _numbering_gaps(definitions: list[_Definition], scope: str) -> list[FootnoteIssue]:
    """Definitions numbered ①②④ on one page: ③ is missing, reported at ④."""
    where = f" {scope}" if scope else ""
    issues: list[FootnoteIssue] = []
    expected = 1
    for definition in sorted({d.number: d for d in reversed(definitions)}.values(), key=lambda d: d.number):
        if definition.number > expected:
            missing = (
                f"{expected}" if definition.number == expected + 1 else f"{expected}–{definition.number - 1}"
            )
            issues.append(
                FootnoteIssue(
                    FootnoteIssueKind.NUMBERING_GAP,
                    str(expected),
                    definition.line,
                    f"footnote numbering{where} skips {missing} before {definition.label}",
                )
            )
        expected = definition.number + 1
    return issues


def extract_text(source: Source) -> Extraction:
    """Every bare URL, e-mail address, DOI and footnote citation in plain (PDF) text."""
    return read_with_line_feeds(source, _extract_text)


def extract_page_text(source: Source, page: int) -> Extraction:
    """``extract_text`` for the text of page ``page`` of a PDF: its notes may have no separator
    line above them, and every reference and issue says which page it is on."""
    extraction = read_with_line_feeds(source, lambda page_source: _extract_text(page_source, page))
    extraction.references = [dataclasses.replace(r, page=page) for r in extraction.references]
    return extraction


def _extract_text(source: Source, page: int | None = None) -> Extraction:
    text = source.text
    index = _LineCounter(text)
    pages = _pages(text, index, trailing_notes=page is not None)
    definitions = [definition for page in pages for definition in page.definitions]
    starts = [definition.start for definition in definitions]
    found = _all_urls(text)
    wrapped_breaks = {
        line_break for item in found if (line_break := text.find("\n", item.start, item.end)) != -1
    }
    # The same source is often cited many times over; its metadata is read once.
    citations: dict[str, Citation | None] = {}
    for definition in definitions:
        definition.text = _joined_text(text, definition.text_start, definition.text_end, wrapped_breaks)
        if definition.text not in citations:
            citations[definition.text] = _citation(definition.text)
        definition.citation = citations[definition.text]
        definition.link_text = _link_text(definition.text, definition.citation)

    make_reference = _ReferenceMaker(text, index)
    references: list[Reference] = []
    cited_with_url: set[int] = set()
    for item in found:
        position = bisect.bisect_right(starts, item.start) - 1
        note = definitions[position] if position >= 0 else None
        if note is not None and not (note.text_start <= item.start < note.text_end):
            note = None
        if note is not None:
            cited_with_url.add(id(note))
        references.append(make_reference(item, note))
    for definition in definitions:
        if id(definition) not in cited_with_url and not definition.empty:
            references.append(_citation_reference(definition, text, index))
    references.sort(key=lambda reference: reference.start)

    issues: list[FootnoteIssue] = []
    document_has_notes = bool(definitions)
    numbered = len(pages) > 1
    for number, part in enumerate(pages, start=1):
        scope = f"on page {page or number}" if page is not None or numbered else ""
        issues.extend(_page_issues(part, text, index, scope, document_has_notes))
    issues.sort(key=lambda issue: (issue.line, issue.kind.value))
    return Extraction(references=references, footnote_issues=issues, date=find_document_date(text))
