"""References in Markdown: links, images, autolinks, bare URLs, raw HTML and footnotes.

markdown-it parses the structure. Positions come from its block line maps refined by the
inline source offsets that ``markdown_tokens`` records, so every reference's ``raw`` is the
exact text at ``start:end`` of the document.

Markdown exported from a wiki writes footnote markers as ``\\[1\\]`` and their definitions as
the numbered list at the end of the page; both are understood here, beside ``[^x]`` footnotes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import html
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.common.utils import normalizeReference, unescapeAll
from markdown_it.helpers import parseLinkDestination
from markdown_it.token import Token

from verifier.extract.bareurls import find_bare_urls
from verifier.extract.base import Extraction, LineIndex, Source, read_with_line_feeds
from verifier.extract.dates import find_access_date, find_publication_date
from verifier.extract.footnotes import FootnoteDefinition, FootnoteUse, check_footnotes
from verifier.extract.markdown_blocks import Block, Inline, NumberedList, simple_blocks
from verifier.extract.markdown_chunks import chunk_spans, may_hold_references
from verifier.extract.markdown_html import scan_html
from verifier.extract.markdown_positions import BlockMap, ContentMap, LineMap, ShiftedMap
from verifier.extract.markdown_tokens import ESCAPED_MARKER, make_parser
from verifier.extract.urls import (
    MalformedURL,
    classify_url,
    normalise_url,
    parse_wayback,
    read_url,
)
from verifier.model import Citation, Reference, ReferenceIssue, ReferenceIssueKind, ReferenceKind

__all__ = ["extract_markdown"]

# Schemes that run code or embed content rather than point anywhere.
_NOT_REFERENCES = ("javascript:", "data:", "vbscript:")
_QUOTES = "\"'“”‘’「」『』"
_TEXT_TOKENS = frozenset({"text", "text_special", "code_inline"})
_BREAKS = frozenset({"softbreak", "hardbreak"})

# The commonest inline markup, in forms whose reading by markdown-it is certain: an escaped
# marker, a footnote marker, an autolink, and an inline link whose text, URL and title hold
# no markup; in footnotes (parsed with emphasis) also "*emphasis*" between a space and a stop.
_LINK_MARKUP = (
    r"\\\[(?P<marker>[0-9]{1,4})\\\]"
    r"|\[\^(?P<note>[^\s\[\]\\`<>!&*_~^]+)\](?![(\[])"
    r"|<(?P<autolink>[a-zA-Z][a-zA-Z0-9+.\-]{1,31}:[^<>\x00-\x20]*)>"
    r"|\[(?P<label>[^\[\]\\`<>!&*_~]+)\]"
    r"\((?P<destination>[^\x00-\x20\x7f()<>\\]+)(?: +\"[^\"\\\n]*\")?\)"
)
_EMPHASIS_MARKUP = r"|(?<![^ ])\*(?P<emphasis>[^\W_](?:[^*_~&\[\]\\`<>!\n]*[^\W_])?)\*(?=[ .,;:)]|$)"
# Anything else that could start markup, which only the inline parser reads right ("!" only
# before "[": an image; "^" only before "[": an inline footnote). Found first at its place, it
# sends the content to the parser.
_OTHER = r"|(?P<other>[\[\]\\`<]|[!^](?=\[))"
_OTHER_WITH_EMPHASIS = r"|(?P<other>[\[\]\\`<*_~&\n]|[!^](?=\[))"
_SIMPLE_MARKUP = re.compile(_LINK_MARKUP + _OTHER)
_SIMPLE_MARKUP_WITH_EMPHASIS = re.compile(_LINK_MARKUP + _EMPHASIS_MARKUP + _OTHER_WITH_EMPHASIS)
# A footnote definition's "[^x]:" (never a reference definition: the footnote rule runs first).
_FOOTNOTE_DEFINITION = re.compile(r"\[(?<!\\\[)\^[^ \]\n]+\]:")


@dataclass(slots=True)
class _Scope:
    """A footnote definition (``[^x]:``) or an item of a top-level numbered list."""

    label: str
    line: int
    found: list[_Found] = field(default_factory=list)
    plain: list[str] = field(default_factory=list)
    emphasis: list[str] = field(default_factory=list)
    has_content: bool = False
    start: int | None = None
    end: int | None = None
    # What the definition's text says (title: all of it), worked out once for all its links.
    details: Citation | None = None


@dataclass(slots=True)
class _Found:
    """A URL located in the document, before footnotes and citations are settled."""

    start: int
    end: int
    text: str | None = None
    scope: _Scope | None = None
    bare: bool = False
    # How the raw text escapes characters: "markdown" (backslashes, entities) or "html" (entities).
    escaping: str | None = None
    ref_label: str | None = None  # for a reference definition: its normalised label
    prefix: str = ""  # what the URL lacks as written: "mailto:" for an e-mail autolink


class _Walk:
    """One pass over the block tokens of one document."""

    def __init__(self, source: Source, full: MarkdownIt, lean: MarkdownIt, *, shortcut: bool = True) -> None:
        self.source = source
        # Whether inline content in the simplest forms is read without the inline parser.
        self.shortcut = shortcut
        self.text = source.text
        self.index = LineIndex(source.text)
        self.full = full
        self.lean = lean
        self.env: dict[str, object] = {}
        self.cursors: dict[int, int] = {}
        self.found: list[_Found] = []
        self.uses: list[FootnoteUse] = []
        self.markers: list[FootnoteUse] = []
        self.footnote_scopes: list[_Scope] = []
        self.numbered_lists: list[tuple[int, list[_Scope]]] = []  # (line, items)
        self.link_text_by_label: dict[str, str] = {}
        self.inline_notes = 0
        # 0-based number of the first line of the piece being parsed (token maps count from it).
        self.line_offset = 0

    def run(self, chunk_size: int | None) -> None:
        """Parse the document; ``chunk_size`` None parses it whole, with no piece skipped."""
        text = self.text
        # Pieces as small as the safe cuts allow, so prose without links is never parsed;
        # neighbours worth parsing are joined again, up to ``chunk_size``, to parse in one go.
        if chunk_size is None:
            spans, chunk_size = [(0, len(text))], len(text)
        else:
            spans = [
                (start, end) for start, end in chunk_spans(text, 1) if may_hold_references(text[start:end])
            ]
        if _may_define_references(text):
            # A reference-style link may come before its definition: every definition must be
            # known before any inline content is parsed.
            for start, end in _joined(spans, chunk_size):
                piece = text[start:end]
                if _may_define_references(piece):
                    self.full.parse(piece, self.env)
        pending: list[tuple[int, int]] = []
        for start, end in spans:
            blocks = None
            if self.shortcut:
                blocks = simple_blocks(text, start, end, self.index.position(start)[0] - 1)
            if blocks is None:
                pending.append((start, end))
                continue
            self._parse(pending, chunk_size)
            pending = []
            self._simple_blocks(blocks)
        self._parse(pending, chunk_size)

    def _simple_blocks(self, blocks: list[Block]) -> None:
        """Walk blocks read by ``simple_blocks`` as ``_blocks`` walks the parser's tokens."""
        numbered: list[_Scope] = []
        for block in blocks:
            if isinstance(block, Inline):
                self._inline_content(block.content, block.line, None, LineMap(block.offset))
            elif isinstance(block, NumberedList):
                numbered = []
                self.numbered_lists.append((block.line + 1, numbered))
            else:
                item = _Scope(block.number, block.line + 1, has_content=True)
                numbered.append(item)
                self._inline_content(block.content, block.line, item, LineMap(block.offset))

    def _parse(self, spans: list[tuple[int, int]], chunk_size: int) -> None:
        for start, end in _joined(spans, chunk_size):
            self.line_offset = self.index.position(start)[0] - 1
            self.cursors.clear()
            self._blocks(self.full.parse(self.text[start:end], self.env))

    def _blocks(self, tokens: list[Token]) -> None:
        footnote: _Scope | None = None
        numbered: list[_Scope] | None = None
        item: _Scope | None = None
        for token in tokens:
            kind = token.type
            scope = footnote or item
            if kind == "footnote_reference_open":
                footnote = _Scope(str(token.meta["label"]), self._line(token))
                self.footnote_scopes.append(footnote)
                continue
            if kind == "footnote_reference_close":
                footnote = None
                continue
            if kind == "ordered_list_open" and token.level == 0:
                numbered = []
                self.numbered_lists.append((self._line(token), numbered))
            elif kind == "ordered_list_close" and token.level == 0:
                numbered = None
            elif kind == "list_item_open" and token.level == 1 and numbered is not None:
                item = _Scope(token.info, self._line(token))
                numbered.append(item)
                continue
            elif kind == "list_item_close" and token.level == 1 and numbered is not None:
                item = None
                continue
            if scope is not None:
                scope.has_content = True
            if kind == "inline":
                self._inline(token, scope)
            elif kind == "html_block":
                self._html_block(token, scope)
            elif kind == "definition":
                self._definition(token)

    def _line(self, token: Token) -> int:
        return token.map[0] + 1 + self.line_offset if token.map else 1

    def _add(self, found: _Found, scope: _Scope | None) -> None:
        found.scope = scope
        self.found.append(found)
        if scope is not None:
            scope.found.append(found)

    def _inline(self, token: Token, scope: _Scope | None) -> None:
        if token.content and token.map is not None:
            self._inline_content(token.content, token.map[0] + self.line_offset, scope)

    def _inline_content(
        self, content: str, first_line: int, scope: _Scope | None, block: ContentMap | None = None
    ) -> None:
        """References in the inline content of one block whose first line is ``first_line`` (0-based)."""
        if block is None:
            block = BlockMap(self.text, self.index, self.cursors, first_line, content)
        if scope is not None:
            start, end = block.span(self.text, content, 0, len(content))
            scope.start = start if scope.start is None else min(scope.start, start)
            scope.end = end if scope.end is None else max(scope.end, end)
        needs_parse = "[" in content or "<" in content or "\\" in content
        if scope is None and not needs_parse and "`" not in content:
            self._bare_urls(block, content, 0, len(content), None)
            return
        if self.shortcut and self._simple_inline(block, content, scope):
            return
        md = self.full if scope is not None else self.lean
        children = md.inline.parse(content, md, self.env, [])
        self._children(block, content, children, scope)

    def _simple_inline(self, block: ContentMap, content: str, scope: _Scope | None) -> bool:
        """Read content whose only markup is of the simplest forms exactly as the parser would.

        False, with nothing recorded, when anything else might be markup.
        """
        markup = _SIMPLE_MARKUP if scope is None else _SIMPLE_MARKUP_WITH_EMPHASIS
        matches = list(markup.finditer(content))
        for match in matches:
            if match.lastgroup == "other":
                return False
        references = self.env.get("references")
        if isinstance(references, dict) and references:
            for match in matches:
                note = match.group("note")
                if note is not None and normalizeReference("^" + note) in references:
                    return False  # "[^x]" names a reference definition: a link, not a footnote marker
        position = 0
        for match in matches:
            if scope is not None and match.start() > position:
                # The text between two pieces of markup is one text token.
                scope.plain.append(content[position : match.start()])
            position = match.end()
            kind = match.lastgroup
            if kind == "label" or kind == "destination":
                begin, end = block.span(self.text, content, *match.span("destination"))
                self._add(_Found(begin, end, _clean(match.group("label")), escaping="markdown"), scope)
            elif kind == "autolink":
                begin, end = block.span(self.text, content, *match.span("autolink"))
                self._add(_Found(begin, end, _clean(match.group("autolink")), escaping="markdown"), scope)
            elif kind == "emphasis" and scope is not None:
                emphasised = match.group("emphasis")
                scope.plain.append(emphasised)
                scope.emphasis.append(_clean(emphasised))
            else:
                marker = match.group("marker")
                use = FootnoteUse(marker or match.group("note"), self._line_at(block.offset(match.start())))
                (self.markers if marker else self.uses).append(use)
        if scope is not None and position < len(content):
            scope.plain.append(content[position:])
        position = 0
        for match in matches:
            if match.start() > position:
                self._bare_urls(block, content, position, match.start(), scope)
            position = match.end()
        self._bare_urls(block, content, position, len(content), scope)
        return True

    def _children(self, block: ContentMap, content: str, children: list[Token], scope: _Scope | None) -> None:
        excluded: list[tuple[int, int]] = []
        in_link = False
        label: tuple[int, int] | None = None
        link: _Found | None = None
        link_text: list[str] = []
        link_label: str | None = None
        emphasis_depth = 0
        emphasis_text: list[str] = []
        anchor_start: int | None = None
        for child in children:
            kind = child.type
            span = child.meta.get("span")
            if span is not None:
                excluded.append(span)
            if kind == "link_open":
                in_link, link, link_text, link_label = True, None, [], child.meta.get("ref_label")
                label = child.meta.get("label")
                destination = child.meta.get("destination")
                if destination is not None:
                    start, end = block.span(self.text, content, *destination)
                    link = _Found(start, end, escaping="markdown")
                    written = content[destination[0] : destination[1]]
                    if child.markup == "autolink" and child.attrs.get("href") == "mailto:" + written:
                        link.prefix = "mailto:"  # "<someone@example.org>": an e-mail autolink
                    self._add(link, scope)
            elif kind == "link_close":
                shown = "".join(link_text)
                if scope is None and label is not None and any(mark in shown for mark in "*_~&"):
                    shown = self._rendered(content[label[0] : label[1]])
                shown = _clean(shown)
                if link is not None:
                    link.text = shown
                elif link_label is not None:
                    self.link_text_by_label.setdefault(link_label, shown)
                in_link, link, link_label, link_text = False, None, None, []
            elif kind == "image":
                self._image(block, content, child, scope)
                if in_link:
                    link_text.append(child.content)
            elif kind == "html_inline":
                anchor_start = self._html_inline(block, content, child, scope, anchor_start, excluded)
            elif kind == "footnote_ref" and span is not None and "label" not in child.meta:
                self._inline_note(block, content, child, span)
            elif kind in ("footnote_ref", ESCAPED_MARKER) and span is not None:
                use = FootnoteUse(str(child.meta["label"]), self._line_at(block.offset(span[0])))
                (self.uses if kind == "footnote_ref" else self.markers).append(use)
            elif kind == "em_open":
                emphasis_depth += 1
            elif kind == "em_close":
                emphasis_depth -= 1
                if emphasis_depth == 0 and scope is not None and emphasis_text:
                    scope.emphasis.append(_clean("".join(emphasis_text)))
                    emphasis_text = []
            elif kind in _TEXT_TOKENS or kind in _BREAKS:
                piece = " " if kind in _BREAKS else child.content
                if in_link:
                    link_text.append(piece)
                elif scope is not None:
                    scope.plain.append(piece)
                    if emphasis_depth:
                        emphasis_text.append(piece)
        excluded.sort()
        position = 0
        for start, end in excluded:
            if start > position:
                self._bare_urls(block, content, position, start, scope)
            position = max(position, end)
        self._bare_urls(block, content, position, len(content), scope)

    def _inline_note(self, block: ContentMap, content: str, child: Token, span: tuple[int, int]) -> None:
        """``^[text]``: a footnote defined where it is cited, so it is used and defined at once."""
        self.inline_notes += 1
        line = self._line_at(block.offset(span[0]))
        start, end = span[0] + 2, span[1] - 1  # inside "^[" and "]"
        written = content[start:end]
        # Labelled with a space, which a "[^label]" cannot hold, so the two never clash.
        note = _Scope(f"inline {self.inline_notes}", line, has_content=bool(written.strip()))
        note.start, note.end = block.span(self.text, content, start, end)
        self.footnote_scopes.append(note)
        self.uses.append(FootnoteUse(note.label, line))
        footnotes = self.env.get("footnotes")
        entry = footnotes["list"].get(child.meta.get("id")) if isinstance(footnotes, dict) else None
        tokens = entry.pop("tokens", None) if isinstance(entry, dict) else None
        if isinstance(tokens, list):
            self._children(ShiftedMap(block, content, start), written, tokens, note)

    def _rendered(self, written: str) -> str:
        """Link text as shown, emphasis markers and entities resolved (the lean parser keeps them)."""
        pieces: list[str] = []
        for child in self.full.inline.parse(written, self.full, self.env, []):
            if child.type in _TEXT_TOKENS or child.type == "image":
                pieces.append(child.content)
            elif child.type in _BREAKS:
                pieces.append(" ")
        return "".join(pieces)

    def _image(self, block: ContentMap, content: str, child: Token, scope: _Scope | None) -> None:
        destination = child.meta.get("destination")
        if destination is not None:
            start, end = block.span(self.text, content, *destination)
            self._add(_Found(start, end, _clean(child.content) or None, escaping="markdown"), scope)
        elif child.meta.get("ref_label") is not None:
            self.link_text_by_label.setdefault(child.meta["ref_label"], _clean(child.content))

    def _html_inline(
        self,
        block: ContentMap,
        content: str,
        child: Token,
        scope: _Scope | None,
        anchor_start: int | None,
        excluded: list[tuple[int, int]],
    ) -> int | None:
        span = child.meta.get("span")
        if span is None:
            return anchor_start
        scan = scan_html(child.content)
        for url in scan.urls:
            start, end = block.span(self.text, content, span[0] + url.start, span[0] + url.end)
            self._add(_Found(start, end, escaping="html"), scope)
        tag = child.content[1:3].lower()
        if "a" in scan.open_tags:
            return int(span[0])
        if tag == "/a" and anchor_start is not None:
            # Text between <a href> and </a> names the anchor's target; it is not a second link.
            excluded.append((anchor_start, span[1]))
            return None
        return anchor_start

    def _html_block(self, token: Token, scope: _Scope | None) -> None:
        content = token.content
        if token.map is None or not content:
            return
        block = BlockMap(self.text, self.index, self.cursors, token.map[0] + self.line_offset, content)
        scan = scan_html(content)
        for url in scan.urls:
            start, end = block.span(self.text, content, url.start, url.end)
            self._add(_Found(start, end, escaping="html"), scope)
        for piece in scan.texts:
            self._bare_urls(block, content, piece.start, piece.start + len(piece.text), scope)

    def _definition(self, token: Token) -> None:
        """``[label]: url "title"``: the URL every reference-style use of the label points to."""
        if token.map is None:
            return
        text = self.text
        first = self.index.offset(token.map[0] + 1 + self.line_offset)
        last_line = min(token.map[1] + self.line_offset, self.index.line_count)
        stop = text.find("\n", self.index.offset(last_line))
        stop = len(text) if stop == -1 else stop
        colon = text.find("]:", first, stop)
        if colon == -1:
            return
        position = colon + 2
        while position < stop and text[position] in " \t\n>":
            position += 1
        result = parseLinkDestination(text, position, stop)
        if not result.ok or result.pos <= position:
            return
        start, end = position, result.pos
        if text[start] == "<":
            start, end = start + 1, end - 1
        if start < end:
            self._add(_Found(start, end, escaping="markdown", ref_label=str(token.meta["id"])), None)

    def _bare_urls(self, block: ContentMap, content: str, start: int, end: int, scope: _Scope | None) -> None:
        piece = content[start:end]
        if "://" not in piece and "www." not in piece and "WWW." not in piece:
            return
        for url_start, url_end in find_bare_urls(piece):
            begin, finish = block.span(self.text, content, start + url_start, start + url_end)
            self._add(_Found(begin, finish, bare=True), scope)

    def _line_at(self, offset: int) -> int:
        return self.index.position(offset)[0]


def _unescape(raw: str, escaping: str | None) -> str:
    if escaping == "markdown" and ("\\" in raw or "&" in raw):
        return unescapeAll(raw)
    if escaping == "html" and "&" in raw:
        return html.unescape(raw)
    return raw


def _may_define_references(text: str) -> bool:
    """Whether ``text`` may hold a reference definition: a "]:" not ending a footnote definition."""
    count = text.count("]:")
    return count > 0 and count > len(_FOOTNOTE_DEFINITION.findall(text))


def _joined(spans: list[tuple[int, int]], limit: int) -> Iterator[tuple[int, int]]:
    """Adjacent spans merged into runs of at most about ``limit`` characters."""
    run_start: int | None = None
    run_end = 0
    for start, end in spans:
        if run_start is not None and (start != run_end or end - run_start > limit):
            yield run_start, run_end
            run_start = None
        if run_start is None:
            run_start = start
        run_end = end
    if run_start is not None:
        yield run_start, run_end


def _clean(text: str) -> str:
    return " ".join(text.split())


def _title(text: str | None) -> str | None:
    if not text:
        return None
    title = text.strip().strip(_QUOTES).strip()
    return title or None


@functools.lru_cache(maxsize=4096)
def _dates(plain: str) -> tuple[dt.date | None, dt.date | None]:
    """Publication and access dates of a citation's text; source lists repeat the same tails often."""
    return find_publication_date(plain), find_access_date(plain)


def _citation(scope: _Scope, found: _Found) -> Citation:
    if scope.details is None:
        plain = _clean(" ".join(scope.plain))
        published, accessed = _dates(plain)
        scope.details = Citation(
            title=plain or None,
            publisher=scope.emphasis[0] if scope.emphasis else None,
            published=published,
            accessed=accessed,
        )
    details = scope.details
    return Citation(
        title=_title(found.text),
        publisher=details.publisher,
        published=details.published,
        accessed=details.accessed,
    )


def _footnote_list(walk: _Walk) -> list[_Scope]:
    r"""The numbered list that defines the ``\[n\]`` markers: the last one after the last marker."""
    if not walk.markers:
        return []
    last_marker = max(marker.line for marker in walk.markers)
    candidates = [items for line, items in walk.numbered_lists if line > last_marker]
    return candidates[-1] if candidates else []


_Resolved = tuple[str, ReferenceKind, list[ReferenceIssue]]
#: How many URLs the resolver remembers at most.
_REMEMBERED = 2048


class _Resolver:
    """Turns a URL as written into its normalised form, kind and issues."""

    def __init__(self, source: Source) -> None:
        self._document_dir = posixpath.dirname(source.path.replace("\\", "/"))
        self._fs_dir = source.fs_path.parent if source.fs_path is not None else None
        self._cache: dict[tuple[str, bool], _Resolved | None] = {}

    def resolve(self, written: str, bare: bool) -> _Resolved | None:
        key = (written, bare)
        if key not in self._cache:
            if len(self._cache) >= _REMEMBERED:
                # A URL comes back within a few pages of the last time or not at all; holding
                # every one until the end held a second copy of a long list's addresses.
                self._cache.clear()
            self._cache[key] = self._resolve(written, bare)
        return self._cache[key]

    def _resolve(self, written: str, bare: bool) -> _Resolved | None:
        stripped = written.strip()
        lowered = stripped.lower()
        if lowered.startswith(_NOT_REFERENCES):
            return None
        if bare and lowered.startswith("www."):
            stripped = "http://" + stripped
        elif stripped.startswith("//"):
            stripped = "https:" + stripped
        if classify_url(stripped) is ReferenceKind.INTERNAL:
            return self._internal(stripped)
        reading = read_url(stripped)
        return reading.url, reading.kind, list(reading.issues)

    def _internal(self, written: str) -> _Resolved:
        path = unquote(written.split("#", 1)[0].split("?", 1)[0])
        if not path:
            return written, ReferenceKind.INTERNAL, []
        resolved = posixpath.normpath(posixpath.join(self._document_dir, path))
        issues: list[ReferenceIssue] = []
        if self._fs_dir is not None and not path.startswith("/") and not (self._fs_dir / path).exists():
            issues.append(
                ReferenceIssue(ReferenceIssueKind.MISSING_TARGET, f"links to {written}, which does not exist")
            )
        return resolved, ReferenceKind.INTERNAL, issues


def _citation_only(walk: _Walk, scope: _Scope) -> Reference | None:
    """A footnote that names a source without any URL: counted, never checked."""
    if scope.start is None or scope.end is None:
        return None
    line, column = walk.index.position(scope.start)
    raw = walk.text[scope.start : scope.end]
    plain = _clean(" ".join(scope.plain))
    citation = replace(_citation(scope, _Found(scope.start, scope.end)), title=plain or None)
    return Reference(
        url="",
        raw=raw,
        kind=ReferenceKind.CITATION,
        line=line,
        column=column,
        start=scope.start,
        end=scope.end,
        text=plain or None,
        footnote=scope.label,
        citation=citation,
    )


def _archive_links(references: list[Reference]) -> list[Reference]:
    """A footnote that gives both a source and its archive copy: the source's citation names the copy."""
    copies: dict[tuple[str | None, str], Reference] = {}
    for reference in references:
        if reference.wayback is not None and reference.footnote is not None:
            try:
                original = normalise_url(reference.wayback.original)
            except MalformedURL:
                continue
            copies.setdefault((reference.footnote, original), reference)
    if not copies:
        return references
    linked: list[Reference] = []
    for reference in references:
        copy = copies.get((reference.footnote, reference.url))
        if copy is not None and copy.wayback is not None and reference.citation is not None:
            stamp = copy.wayback.timestamp
            try:
                archived = dt.date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:8]))
            except ValueError:
                archived = None
            citation = replace(reference.citation, archive_url=copy.url, archive_date=archived)
            reference = replace(reference, citation=citation)
        linked.append(reference)
    return linked


# Characters parsed at a time: bounds the parser's memory and is the unit of skipping.
CHUNK_SIZE = 32_000

_PARSERS: tuple[MarkdownIt, MarkdownIt] | None = None


def _parsers() -> tuple[MarkdownIt, MarkdownIt]:
    global _PARSERS
    if _PARSERS is None:
        _PARSERS = (make_parser(emphasis=True), make_parser(emphasis=False))
    return _PARSERS


def extract_markdown(source: Source) -> Extraction:
    """Every reference and footnote issue in a Markdown document."""
    with _collection_paused():
        return read_with_line_feeds(source, lambda lines: _extract(lines, CHUNK_SIZE))


@contextlib.contextmanager
def _collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while extracting.

    Extraction allocates hundreds of thousands of small objects that stay alive until it
    ends, so the collector's passes over them find nothing and cost a sixth of the time;
    the few cycles made (a footnote and its links) live as long as the extraction anyway.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _extract(source: Source, chunk_size: int | None, *, shortcut: bool = True) -> Extraction:
    full, lean = _parsers()
    walk = _Walk(source, full, lean, shortcut=shortcut)
    walk.run(chunk_size)

    definitions: list[_Scope] = list(walk.footnote_scopes)
    wiki_items = _footnote_list(walk)
    definitions.extend(wiki_items)
    defining = {id(scope) for scope in definitions}

    resolver = _Resolver(source)
    references: list[Reference] = []
    for found in walk.found:
        raw = walk.text[found.start : found.end]
        resolved = resolver.resolve(found.prefix + _unescape(raw, found.escaping), found.bare)
        if resolved is None:
            continue
        url, kind, issues = resolved
        scope = found.scope if found.scope is not None and id(found.scope) in defining else None
        text = found.text
        if found.ref_label is not None:
            text = walk.link_text_by_label.get(found.ref_label)
        line, column = walk.index.position(found.start)
        references.append(
            Reference(
                url=url,
                raw=url if raw == url else raw,  # one string for both when written as read
                kind=kind,
                line=line,
                column=column,
                start=found.start,
                end=found.end,
                text=text or None,
                footnote=scope.label if scope is not None else None,
                citation=_citation(scope, found) if scope is not None else None,
                wayback=parse_wayback(url) if kind is ReferenceKind.ARCHIVE else None,
                issues=tuple(issues),
            )
        )
    for scope in definitions:
        if scope.has_content and not scope.found:
            citation_only = _citation_only(walk, scope)
            if citation_only is not None:
                references.append(citation_only)
    references.sort(key=lambda reference: reference.start)

    uses = walk.uses + walk.markers
    footnote_definitions = [
        FootnoteDefinition(scope.label, scope.line, empty=not scope.has_content) for scope in definitions
    ]
    footnote_issues = check_footnotes(uses, footnote_definitions) if uses or footnote_definitions else []
    return Extraction(references=_archive_links(references), footnote_issues=footnote_issues)
