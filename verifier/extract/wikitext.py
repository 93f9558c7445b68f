"""References in MediaWiki wikitext: ``<ref>`` footnotes, citation templates and external links.

Read with mwparserfromhell's tokenizer into the tree of wikitext_tree. Internal wikilinks
(``[[Page]]``) name wiki pages, not URLs, and are not references; the captions they carry
are still read, since they hold ``<ref>`` tags.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace

from verifier.extract.base import Extraction, LineIndex, Source, read_with_line_feeds
from verifier.extract.dates import find_access_date, parse_date
from verifier.extract.html_reference import build_reference
from verifier.extract.urls import MalformedURL, normalise_url
from verifier.extract.wikitext_offsets import (
    children,
    external_link_parts,
    heading_title_offset,
    tag_contents_offset,
    template_parameters,
    wikilink_text_offset,
)
from verifier.extract.wikitext_refs import RefRegistry
from verifier.extract.wikitext_sections import SECTION_TARGET, section_spans
from verifier.extract.wikitext_tree import (
    Code,
    Comment,
    ExternalLink,
    Heading,
    HTMLEntity,
    Node,
    Parameter,
    Tag,
    Template,
    Text,
    Wikilink,
    parse,
)
from verifier.model import Citation, InputProblem, Reference, ReferenceIssue, ReferenceIssueKind

# Tags whose contents MediaWiki shows as written, links and all, without parsing them.
_VERBATIM_TAGS = {
    "nowiki",
    "pre",
    "source",
    "syntaxhighlight",
    "math",
    "chem",
    "ce",
    "score",
    "graph",
    "timeline",
    "templatedata",
    "mapframe",
    "maplink",
}
_DEAD_LINK_TEMPLATES = {
    "dead link",
    "deadlink",
    "dead-link",
    "dl",
    "404",
    "dead link inline",
    "broken link",
    "link broken",
    "permanent dead link",
}
_LIST_TEMPLATES = {"reflist", "references", "notelist", "refs", "reference list"}
_PRIMARY_URL_PARAMS = ("url",)
_OTHER_URL_PARAMS = (
    "chapter-url",
    "chapterurl",
    "contribution-url",
    "contributionurl",
    "section-url",
    "sectionurl",
    "entry-url",
    "article-url",
    "conference-url",
    "conferenceurl",
    "transcript-url",
    "transcripturl",
    "lay-url",
    "layurl",
    "map-url",
    "mapurl",
)
_ARCHIVE_URL_PARAMS = ("archive-url", "archiveurl")
_URL_PARAMS = {*_PRIMARY_URL_PARAMS, *_OTHER_URL_PARAMS, *_ARCHIVE_URL_PARAMS, "doi"}
_PUBLISHER_PARAMS = (
    "publisher",
    "work",
    "website",
    "newspaper",
    "journal",
    "magazine",
    "periodical",
    "agency",
    "via",
)
# Templates that stand for one character, so a URL may be written with them.
_CHARACTER_TEMPLATES = {"!": "|", "=": "=", "!!": "||"}
_STYLE_QUOTES = re.compile(r"'{2,}")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_CLOSING_REF = re.compile(r"</ref\s*>", re.IGNORECASE)
# What may stand between a link and the {{dead link}} that marks it, besides a closing </ref>.
_SEPARATING = " \t.,;:"
_SCHEME = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")
# MediaWiki's URLs end at "<" and ">", written or as entities (RFC 3986 leaves them out).
_ANGLE = re.compile(r"[<>]")


# "[" opening an external link: a protocol-relative or scheme URL follows ("[[" is a wikilink).
# The "[" comes first so that the search looks for it; the look-behind then checks the
# character before it, as "(?<!\[)\[" would, which is tried at every character instead.
_LINK_OPENING = re.compile(r"\[(?<!\[\[)(?=(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//|(?:mailto|news|urn):)")
# What a link's title cannot run past: the end of the <ref> or of the template it sits in.
_ENCLOSURE_END = re.compile(r"</?ref\b|<references\b|\}\}", re.IGNORECASE)


def _unclosed_link_openings(text: str) -> list[int]:
    """Where the "[" of each link left unclosed inside its <ref> or template is, to be made a blank.

    MediaWiki reads a <ref> and a template apart from what follows them, so
    ``<ref>[http://a.test/x Title</ref> … [http://b.test/y B]`` is a bare link to a.test in
    its note and then a link to b.test. mwparserfromhell lets the first link run on to the
    next "]", swallowing the second and losing the <ref>. Blanking the "[" (one character for
    one, so every offset holds) makes the parser read what MediaWiki reads.
    """
    blanked: list[int] = []
    if "[" not in text:
        return blanked
    for opening in _LINK_OPENING.finditer(text):
        position = opening.start()
        line_end = text.find("\n", position)
        if line_end == -1:
            line_end = len(text)
        closing = text.find("]", position, line_end)
        inside = text[position + 1 : line_end if closing == -1 else closing]
        end = _ENCLOSURE_END.search(inside)
        if end is not None and (end.group(0) != "}}" or _template_closed(inside, end.start())):
            blanked.append(position)
    return blanked


def _blanked(text: str, positions: list[int]) -> str:
    """``text`` with a blank at each of ``positions``."""
    if not positions:
        return text
    characters = list(text)
    for position in positions:
        characters[position] = " "
    return "".join(characters)


def _template_closed(inside: str, at: int) -> bool:
    """Whether the "}}" at ``at`` closes a template opened before the link rather than in its title."""
    return inside.count("{{", 0, at) <= inside.count("}}", 0, at)


def extract_wikitext(source: Source) -> Extraction:
    """Every reference, citation and cite error in a wikitext document."""
    return extract_wikitext_in_sections(source, SECTION_TARGET)


def extract_wikitext_in_sections(source: Source, section_target: int) -> Extraction:
    """``extract_wikitext``, parsing the page in pieces of about ``section_target`` characters."""
    return read_with_line_feeds(source, lambda lines: _extract(lines, section_target))


def _extract(source: Source, section_target: int) -> Extraction:
    walker = _Walker(source)
    for start, end in section_spans(source.text, section_target):
        section = source.text[start:end]
        blanked = _unclosed_link_openings(section)
        walker.blanked = [start + position for position in blanked]
        code = parse(_blanked(section, blanked), skip_style_tags=True)
        del section
        walker.visit(code, start, _Context())
        del code
    return Extraction(
        references=walker.references,
        footnote_issues=walker.refs.issues(),
        problems=walker.problems,
        date=walker.date,
    )


@dataclass(frozen=True, slots=True)
class _Context:
    footnote: str | None = None
    ref_contents: Code | None = None  # the <ref> being read, for its access date
    listed: bool = False  # inside <references>…</references> or {{reflist|refs=…}}
    group: str = ""
    top_level: bool = True

    def nested(self, *, listed: bool | None = None) -> _Context:
        """This context one level down (no longer at the top), listed or not as said."""
        listed = self.listed if listed is None else listed
        if not self.top_level and listed == self.listed:
            return self  # unchanged, and never changed: it is frozen
        return _Context(self.footnote, self.ref_contents, listed, self.group, top_level=False)


@dataclass(frozen=True, slots=True)
class _WrittenURL:
    """A URL as written in wikitext: ``raw`` at ``start``, read as ``url``."""

    raw: str
    start: int
    url: str
    unreadable: str | None = None  # the template that makes the URL impossible to read, if any


def _template_name(template: Template) -> str:
    name = str(template.name)
    if "<!--" in name:
        name = _COMMENT.sub("", name)
    name = " ".join(name.replace("_", " ").split()).lower()
    return name.removeprefix("template:")


def _plain(code: Code | None) -> str:
    """The text of ``code`` as a reader sees it, near enough for a title or a date."""
    if code is None:
        return ""
    parts: list[str] = []
    for node in code.nodes:
        if isinstance(node, Text):
            parts.append(node.value)
        elif isinstance(node, HTMLEntity):
            parts.append(node.normalize())
        elif isinstance(node, Wikilink):
            parts.append(_plain(node.text) if node.text is not None else str(node.title))
        elif isinstance(node, ExternalLink):
            parts.append(_plain(node.title) if node.title is not None else str(node.url))
        elif isinstance(node, Tag):
            if str(node.tag).lower() not in ("ref", "references") and node.contents is not None:
                parts.append(_plain(node.contents))
        elif isinstance(node, Template):
            name = _template_name(node)
            if name in _CHARACTER_TEMPLATES:
                parts.append(_CHARACTER_TEMPLATES[name])
            else:
                # {{lang|fr|Titre}}, {{nowrap|…}}: the last unnamed parameter is the text shown.
                shown = [p for p in node.params if not p.showkey]
                if shown:
                    parts.append(_plain(shown[-1].value))
    # Bold and italic quote runs are markup, not text; skip_style_tags leaves them in Text nodes.
    return " ".join(_STYLE_QUOTES.sub("", "".join(parts)).split())


class _Walker:
    def __init__(self, source: Source) -> None:
        self.text = source.text
        self.path = source.path
        self.index = LineIndex(source.text)
        self.references: list[Reference] = []
        self.problems: list[InputProblem] = []
        self.refs = RefRegistry()
        self.date: dt.date | None = None
        # The references made by the last link or citation, for a {{dead link}} that follows.
        self._last_group: list[int] = []
        self._last_end = 0
        self._last_scope: Code | None = None
        # Where the section being read had a "[" made a blank before it was parsed.
        self.blanked: list[int] = []

    def written(self, code: Code, offset: int) -> str:
        """``str(code)`` for ``code`` at ``offset``: the text it was parsed from, taken from the page."""
        end = offset + code.length
        if self.blanked and bisect_left(self.blanked, offset) < bisect_right(self.blanked, end - 1):
            return str(code)  # a blank the page does not have falls inside
        return self.text[offset:end]

    def parameter_name(self, parameter: Parameter, offset: int) -> str:
        """``str(parameter.name)``: as written for a named one, its number for an unnamed one."""
        return self.written(parameter.name, offset) if parameter.showkey else str(parameter.name)

    def line(self, offset: int) -> int:
        return self.index.position(offset)[0]

    def visit(self, code: Code, start: int, context: _Context) -> None:
        for node, offset in children(code, start):
            self.visit_node(node, offset, context)

    def visit_node(self, node: Node, offset: int, context: _Context) -> None:
        if isinstance(node, ExternalLink):
            self.external_link(node, offset, context)
        elif isinstance(node, Template):
            self.template(node, offset, context)
        elif isinstance(node, Tag):
            self.tag(node, offset, context)
        elif isinstance(node, Wikilink):
            if node.text is not None:
                self.visit(node.text, wikilink_text_offset(node, offset), context.nested())
        elif isinstance(node, Heading):
            self.visit(node.title, heading_title_offset(node, offset), context)

    # Links

    def external_link(self, link: ExternalLink, offset: int, context: _Context) -> None:
        url_offset, title_offset = external_link_parts(link, offset)
        written = _written_url(self.text, link.url, url_offset, free=not link.brackets)
        if written is None:
            return
        if not link.brackets:
            self.free_link(link, written, url_offset, context)
            return
        title = _plain(link.title) if link.title is not None else None
        added = self.add(written, context, text=title, citation=self.ref_citation(context))
        self.remember([added], offset + link.length, context)
        if link.title is not None and title_offset is not None:
            self.visit(link.title, title_offset, context.nested())

    def free_link(self, link: ExternalLink, written: _WrittenURL, url_offset: int, context: _Context) -> None:
        """A bare URL; what the parser ran it into (``{{dead link}}``, ``&lt;``) is read as what follows."""
        added = self.add(written, context, text=None, citation=self.ref_citation(context))
        end = written.start + len(written.raw)
        self.remember([added], end, context)
        for node, node_offset in children(link.url, url_offset):
            if node_offset >= end:
                self.visit_node(node, node_offset, context)

    def ref_citation(self, context: _Context) -> Citation | None:
        if context.ref_contents is None:
            return None
        accessed = find_access_date(_plain(context.ref_contents))
        return Citation(accessed=accessed) if accessed is not None else None

    def add(
        self, written: _WrittenURL, context: _Context, *, text: str | None, citation: Citation | None
    ) -> int:
        reference = build_reference(
            written.url,
            written.raw,
            written.start,
            self.index,
            text=text,
            footnote=context.footnote,
            citation=citation,
        )
        if written.unreadable is not None:
            issue = ReferenceIssue(
                ReferenceIssueKind.MALFORMED_URL,
                f"the URL is built with the template {written.unreadable} and cannot be checked as written",
            )
            reference = replace(reference, url=written.raw.strip(), issues=(issue,))
        self.references.append(reference)
        return len(self.references) - 1

    def remember(self, group: list[int], end: int, context: _Context) -> None:
        self._last_group = group
        self._last_end = end
        self._last_scope = context.ref_contents

    def dead_link(self, template: Template, offset: int, context: _Context) -> None:
        """``{{dead link}}`` marks the link or citation before it in the same note, or right before it."""
        in_same_note = context.ref_contents is not None and context.ref_contents is self._last_scope
        between = _CLOSING_REF.sub("", self.text[self._last_end : offset]).strip(_SEPARATING)
        if not self._last_group or not (in_same_note or not between):
            self.problems.append(
                InputProblem(
                    self.path,
                    self.line(offset),
                    "{{dead link}} does not follow a link or citation",
                    severity="warning",
                )
            )
            return
        when = next((_plain(p.value) for p in template.params if str(p.name).strip() == "date"), "")
        message = "tagged {{dead link}} in the document" + (f" ({when})" if when else "")
        for position, index in enumerate(self._last_group):
            reference = self.references[index]
            citation = replace(reference.citation or Citation(), url_status="dead")
            issues = reference.issues
            if position == 0:
                issues = (*issues, ReferenceIssue(ReferenceIssueKind.DEAD_LINK_TAG, message))
            self.references[index] = replace(reference, citation=citation, issues=issues)
        self._last_group = []

    # Templates

    def template(self, template: Template, offset: int, context: _Context) -> None:
        name = _template_name(template)
        if name.startswith("cite ") or name in ("cite", "citation"):
            self.citation(template, offset, context)
        elif name in _DEAD_LINK_TEMPLATES:
            self.dead_link(template, offset, context)
        elif name in ("url", "doi"):
            self.address_template(template, offset, context, name)
        elif name == "#tag:ref":
            self.tag_ref_function(template, offset, context)
        elif name == "date" and context.top_level and self.date is None:
            self.document_date(template, offset)
        else:
            for parameter, name_offset, value_offset in template_parameters(template, offset):
                key = self.parameter_name(parameter, name_offset).strip().lower()
                listed = context.listed or (name in _LIST_TEMPLATES and key == "refs")
                self.visit(parameter.value, value_offset, context.nested(listed=listed))

    def citation(self, template: Template, offset: int, context: _Context) -> None:
        params: dict[str, tuple[Code, int]] = {}
        inner = context.nested()
        for parameter, name_offset, value_offset in template_parameters(template, offset):
            key = self.parameter_name(parameter, name_offset).strip().lower()
            # A parameter given twice takes its last value, as MediaWiki reads it.
            params[key] = (parameter.value, value_offset)
            if key not in _URL_PARAMS:
                self.visit(parameter.value, value_offset, inner)

        def value(*keys: str) -> str | None:
            for key in keys:
                if key in params:
                    shown = _plain(params[key][0])
                    if shown:
                        return shown
            return None

        def written(keys: tuple[str, ...]) -> list[_WrittenURL]:
            found = (_written_url(self.text, *params[key]) for key in keys if key in params)
            return [url for url in found if url is not None]

        archives = written(_ARCHIVE_URL_PARAMS)
        archive_url: str | None = None
        if archives:
            try:
                archive_url = normalise_url(archives[0].url)
            except MalformedURL:
                archive_url = archives[0].url.strip()
        citation = Citation(
            title=value("title", "script-title", "trans-title", "chapter", "contribution"),
            publisher=value(*_PUBLISHER_PARAMS),
            published=_date(value("date", "publication-date", "publicationdate")),
            accessed=_date(value("access-date", "accessdate")),
            archive_url=archive_url,
            archive_date=_date(value("archive-date", "archivedate")),
            url_status=_url_status(value("url-status", "deadurl", "dead-url")),
        )
        urls = [*written(_PRIMARY_URL_PARAMS), *written(_OTHER_URL_PARAMS), *archives]
        doi = _written_url(self.text, *params["doi"]) if "doi" in params else None
        if doi is not None:
            urls.append(doi if _SCHEME.match(doi.url) else replace(doi, url=f"https://doi.org/{doi.url}"))
        group = [self.add(url, context, text=citation.title, citation=citation) for url in urls]
        if group:
            self.remember(group, offset + template.length, context)

    def address_template(self, template: Template, offset: int, context: _Context, name: str) -> None:
        """``{{URL|example.com|label}}`` (the scheme may be left out) and ``{{doi|10.1000/x}}``."""
        for parameter, _name_offset, value_offset in template_parameters(template, offset):
            if str(parameter.name).strip() == "1":
                found = _written_url(self.text, parameter.value, value_offset)
                if found is None:
                    return
                if not _SCHEME.match(found.url):
                    prefix = "https://doi.org/" if name == "doi" else "http://"
                    found = replace(found, url=prefix + found.url)
                label = next((_plain(p.value) for p in template.params if str(p.name).strip() == "2"), None)
                added = self.add(found, context, text=label, citation=None)
                self.remember([added], offset + template.length, context)
                return

    def tag_ref_function(self, template: Template, offset: int, context: _Context) -> None:
        """``{{#tag:ref|content|name=x|group=y}}``, a <ref> written as a parser function."""
        contents: tuple[Code, int] | None = None
        attributes: dict[str, str] = {}
        for parameter, _name_offset, value_offset in template_parameters(template, offset):
            key = str(parameter.name).strip()
            if key == "1":
                contents = (parameter.value, value_offset)
            else:
                attributes[key.lower()] = _plain(parameter.value)
        self.ref(attributes, contents, offset, context)

    def document_date(self, template: Template, offset: int) -> None:
        """A ``{{date|…}}`` standing alone on its line dates the article, as on Wikinews."""
        line_start = self.text.rfind("\n", 0, offset) + 1
        line_end = self.text.find("\n", offset)
        line = self.text[line_start : len(self.text) if line_end == -1 else line_end]
        if line.strip() != str(template).strip():
            return
        shown = [p for p in template.params if not p.showkey]
        if shown:
            self.date = parse_date(_plain(shown[0].value))

    # Tags

    def tag(self, tag: Tag, offset: int, context: _Context) -> None:
        name = str(tag.tag).strip().lower()
        if name in _VERBATIM_TAGS or tag.invalid:
            return
        contents = None
        if not tag.self_closing and tag.contents is not None:
            contents = (tag.contents, tag_contents_offset(tag, offset))
        if name == "ref":
            # MediaWiki expands no template in an extension tag's attributes: a name written
            # "{{harvnb|Lindberg|1976|p=73}}." is that text, not what the template would show.
            attributes = {
                str(a.name).strip().lower(): _attribute_text(a.value)
                for a in tag.attributes
                if a.value is not None
            }
            self.ref(attributes, contents, offset, context)
        elif name == "references":
            if contents is not None:
                group = next(
                    (_plain(a.value) for a in tag.attributes if str(a.name).strip().lower() == "group"), ""
                )
                self.visit(
                    contents[0], contents[1], replace(context, listed=True, group=group, top_level=False)
                )
        elif contents is not None:
            self.visit(contents[0], contents[1], context.nested())

    def ref(
        self,
        attributes: dict[str, str],
        contents: tuple[Code, int] | None,
        offset: int,
        context: _Context,
    ) -> None:
        name = attributes.get("name", "").strip()
        group = attributes.get("group", context.group).strip()
        line = self.line(offset)
        # Comments are gone before MediaWiki looks at a reference, so they are not content.
        written = self.written(*contents) if contents is not None else ""
        if "<!--" in written:
            written = _COMMENT.sub("", written)
        has_content = bool(written.strip())
        if not has_content:
            if name:
                if not context.listed:
                    self.refs.use(group, name, line)
            else:
                self.refs.empty(self.refs.use_unnamed(group), line, named=False)
            return
        assert contents is not None
        if name:
            self.refs.define(group, name, written, line, listed=context.listed)
            label = name if context.listed else self.refs.use(group, name, line)
        else:
            label = self.refs.use_unnamed(group)
        inner = replace(context, footnote=label, ref_contents=contents[0], listed=False, top_level=False)
        self.visit(contents[0], contents[1], inner)


def _attribute_text(value: Code) -> str:
    """An attribute value as MediaWiki reads it: entities decoded, comments and runs of blanks gone."""
    written = str(value)
    if "<!--" in written:
        written = _COMMENT.sub("", written)
    if "&" in written:
        written = html.unescape(written)
    return " ".join(written.split())


def _ends_url(name: str) -> bool:
    """Whether a template named ``name`` marks or cites a URL rather than spelling part of one."""
    return name in _DEAD_LINK_TEMPLATES or name.startswith("cite ") or name in ("cite", "citation")


def _date(text: str | None) -> dt.date | None:
    return parse_date(text) if text else None


def _url_status(text: str | None) -> str | None:
    if text is None:
        return None
    lowered = text.strip().lower()
    # The older deadurl= parameter said yes/no where url-status says dead/live.
    return {"yes": "dead", "y": "dead", "true": "dead", "no": "live", "n": "live", "false": "live"}.get(
        lowered, lowered
    )


def _written_url(text: str, code: Code, start: int, *, free: bool = False) -> _WrittenURL | None:
    """The URL written at the start of ``code``, a value or a link's target at ``start`` in ``text``.

    Leading comments and blanks are passed over; the URL ends at a comment, at markup after
    a blank, at "<" or ">" (or their entities), or at the end of the value. ``{{!}}`` and
    ``{{=}}`` read as their characters. A ``free`` (bare) URL also ends at any other template.
    """
    segments: list[tuple[int, str, str | None, bool]] = []  # (offset, as written, as read, ends URL)
    _segments(code, start, segments, free)
    raw_start: int | None = None
    raw_end = 0
    read: list[str] = []
    unreadable: str | None = None
    for offset, written, as_read, ends in segments:
        if raw_start is None:
            if ends or (as_read is not None and not written.strip()):
                continue
            lead = len(written) - len(written.lstrip()) if as_read is not None else 0
            raw_start = offset + lead
            written, as_read = written[lead:], as_read.lstrip() if as_read is not None else None
            offset += lead
        if ends:
            break
        if as_read is None:
            if not read or read[-1][-1:].isspace():
                break
            unreadable = unreadable or written
            as_read = written
        read.append(as_read)
        raw_end = offset + len(written)
    if raw_start is None:
        return None
    raw = text[raw_start:raw_end].rstrip()
    if not raw:
        return None
    return _WrittenURL(raw=raw, start=raw_start, url="".join(read).strip(), unreadable=unreadable)


def _segments(code: Code, start: int, out: list[tuple[int, str, str | None, bool]], free: bool) -> None:
    for node, offset in children(code, start):
        written = str(node)
        if isinstance(node, Text):
            angle = _ANGLE.search(written)
            if angle is None:
                out.append((offset, written, node.value, False))
            else:
                before = written[: angle.start()]
                out.append((offset, before, before, False))
                out.append((offset + angle.start(), written[angle.start() :], None, True))
        elif isinstance(node, HTMLEntity):
            character = node.normalize()
            out.append((offset, written, character, character in "<>"))
        elif isinstance(node, ExternalLink):
            url_offset, _ = external_link_parts(node, offset)
            _segments(node.url, url_offset, out, free)
            if node.brackets:
                out.append((offset + len(written), "", None, True))
        elif isinstance(node, Comment):
            out.append((offset, written, None, True))
        elif isinstance(node, Template) and _template_name(node) in _CHARACTER_TEMPLATES:
            out.append((offset, written, _CHARACTER_TEMPLATES[_template_name(node)], False))
        elif isinstance(node, Template) and (free or _ends_url(_template_name(node))):
            # A template right after a bare URL is no part of it ("…?id=756{{dead link}}"):
            # MediaWiki expands it first, and what it expands to starts with markup.
            out.append((offset, written, None, True))
        elif isinstance(node, Tag) and str(node.tag).strip().lower() == "ref":
            out.append((offset, written, None, True))
        else:
            out.append((offset, written, None, False))
