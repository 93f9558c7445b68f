"""Rewrite documents so dead sources point at their Wayback Machine copies.

Edits are planned against the decoded text using the offsets the extractors recorded, then
applied back to front, so every character outside an edit stays exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from verifier.model import Document, Format, Reference, ReferenceKind

FIXABLE_KINDS = frozenset({ReferenceKind.EXTERNAL, ReferenceKind.DOI})


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace text[start:end] with ``new`` (an insertion when start == end)."""

    start: int
    end: int
    new: str
    line: int
    url: str
    note: str


@dataclass(frozen=True, slots=True)
class Replacement:
    """The archive copy that stands in for a dead URL."""

    original: str
    snapshot_url: str
    timestamp: str

    @property
    def date(self) -> dt.date:
        return dt.datetime.strptime(self.timestamp[:8], "%Y%m%d").date()


def replacements_from_report(report: Mapping[str, Any]) -> dict[str, Replacement]:
    """URL → snapshot for every link the report found dead but archived."""
    found: dict[str, Replacement] = {}
    for link in report.get("links", []):
        archive = link.get("archive")
        if link.get("outcome") == "archived" and archive and archive.get("url"):
            found[link["url"]] = Replacement(link["url"], archive["url"], str(archive["timestamp"]))
    return found


def _matching_close(text: str, start: int, opener: str, closer: str) -> int:
    """Offset just past the ``closer`` that balances an ``opener`` already open before ``start``."""
    depth = 1
    index = start
    while index < len(text):
        if text.startswith(opener, index):
            depth += 1
            index += len(opener)
            continue
        if text.startswith(closer, index):
            depth -= 1
            index += len(closer)
            if depth == 0:
                return index
            continue
        index += 1
    return -1


_DEFINITION_LINE = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*<?$")


def _markdown_edits(text: str, reference: Reference, fix: Replacement, replace: bool) -> list[Edit]:
    if replace:
        return [
            Edit(reference.start, reference.end, fix.snapshot_url, reference.line, fix.original, "replaced")
        ]
    line_start = text.rfind("\n", 0, reference.start) + 1
    if _DEFINITION_LINE.match(text[line_start : reference.start]):
        # Text after the URL of a "[label]: url" definition would break the definition, so the
        # archive copy can only go in by replacing the URL (--replace).
        return []
    after = reference.end
    if reference.start > 0 and text[reference.start - 1] == "(":
        # Inline link or image: the note goes after the closing parenthesis, past any title.
        close = _matching_close(text, reference.end, "(", ")")
        if close == -1:
            return []
        after = close
    elif reference.start > 0 and text[reference.start - 1] == "<" and text.startswith(">", reference.end):
        after = reference.end + 1
    note = f" ([archived]({fix.snapshot_url}))"
    if text.startswith(note, after):
        return []
    return [Edit(after, after, note, reference.line, fix.original, "archive link added")]


def _enclosing_template(text: str, offset: int) -> tuple[int, int] | None:
    """Start and end of the innermost {{...}} template around ``offset``, if any.

    The search back stops at a blank line: a citation template never spans paragraphs.
    """
    depth = 0
    index = offset
    while index >= 2:
        pair = text[index - 2 : index]
        if pair == "}}":
            depth += 1
            index -= 2
        elif pair == "{{":
            if depth == 0:
                end = _matching_close(text, index, "{{", "}}")
                return (index - 2, end) if end >= offset else None
            depth -= 1
            index -= 2
        elif pair == "\n\n":
            return None
        else:
            index -= 1
    return None


_ARCHIVE_URL_PARAM = re.compile(r"\|\s*archive-?url\s*=\s*[^|}\s]", re.IGNORECASE)
_URL_STATUS_PARAM = re.compile(r"\|\s*url-?status\s*=\s*(?P<value>[^|}]*?)\s*(?=\||}}$)", re.IGNORECASE)
_PARAM_LAYOUT = re.compile(r"\n([ \t]*\|[ \t]*)")


def _wikitext_edits(text: str, reference: Reference, fix: Replacement, replace: bool) -> list[Edit]:
    date = fix.date.isoformat()
    template = _enclosing_template(text, reference.start)
    if template is None:
        after = reference.end
        if reference.start > 0 and text[reference.start - 1] == "[":
            close = text.find("]", reference.end)
            if close == -1:
                return []
            after = close + 1
        webarchive = f" {{{{webarchive |url={fix.snapshot_url} |date={date}}}}}"
        if text.startswith(webarchive, after):
            return []
        return [Edit(after, after, webarchive, reference.line, fix.original, "webarchive added")]
    start, end = template
    body = text[start:end]
    if _ARCHIVE_URL_PARAM.search(body):
        return []
    edits: list[Edit] = []
    params = [("archive-url", fix.snapshot_url), ("archive-date", date)]
    status = _URL_STATUS_PARAM.search(body)
    if status is None:
        params.append(("url-status", "dead"))
    elif status.group("value").strip().lower() != "dead":
        value_start = start + status.start("value")
        edits.append(
            Edit(value_start, start + status.end("value"), "dead", reference.line, fix.original, "url-status")
        )
    insert_at = end - 2
    layouts = _PARAM_LAYOUT.findall(body)
    if layouts:
        # A template written one parameter a line keeps that layout.
        while insert_at > start and text[insert_at - 1] in " \t\n":
            insert_at -= 1
        addition = "".join(f"\n{layouts[-1]}{name}={value}" for name, value in params)
    else:
        while insert_at > start and text[insert_at - 1] == " ":
            insert_at -= 1
        addition = "".join(f" |{name}={value}" for name, value in params)
    edits.append(Edit(insert_at, insert_at, addition, reference.line, fix.original, "cite archived"))
    return edits


def _html_edits(text: str, reference: Reference, fix: Replacement, replace: bool) -> list[Edit]:
    tag_start = text.rfind("<", 0, reference.start)
    if tag_start == -1:
        return []
    tag_end = text.find(">", reference.end)
    if tag_end == -1:
        return []
    tag = text[tag_start:tag_end]
    if "data-versionurl" in tag:
        return []
    insert_at = tag_end - 1 if text[tag_end - 1] == "/" else tag_end
    attributes = (
        f' data-originalurl="{html.escape(fix.original)}"'
        f' data-versionurl="{html.escape(fix.snapshot_url)}"'
        f' data-versiondate="{fix.date.isoformat()}"'
    )
    edits = [
        Edit(insert_at, insert_at, attributes, reference.line, fix.original, "robust link attributes added")
    ]
    if replace:
        edits.append(
            Edit(
                reference.start,
                reference.end,
                html.escape(fix.snapshot_url),
                reference.line,
                fix.original,
                "replaced",
            )
        )
    return edits


def plan_edits(
    document: Document, text: str, replacements: Mapping[str, Replacement], *, replace: bool = False
) -> list[Edit]:
    """The edits that give every dead-but-archived reference in ``document`` its archive copy."""
    planner = {
        Format.MARKDOWN: _markdown_edits,
        Format.WIKITEXT: _wikitext_edits,
        Format.HTML: _html_edits,
    }.get(document.format)
    if planner is None:
        return []
    edits: list[Edit] = []
    for reference in document.references:
        fix = replacements.get(reference.url)
        if fix is None or reference.kind not in FIXABLE_KINDS:
            continue
        if text[reference.start : reference.end] != reference.raw:
            continue
        edits.extend(planner(text, reference, fix, replace))
    return _without_overlaps(edits)


def _without_overlaps(edits: Iterable[Edit]) -> list[Edit]:
    """One edit per place: a second edit at the same spot (the same link cited twice in one
    template, say) would write the archive copy twice."""
    kept: list[Edit] = []
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if kept and (edit.start < kept[-1].end or (edit.start == kept[-1].start == kept[-1].end == edit.end)):
            continue
        kept.append(edit)
    return kept


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    pieces: list[str] = []
    cursor = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        pieces.append(text[cursor : edit.start])
        pieces.append(edit.new)
        cursor = edit.end
    pieces.append(text[cursor:])
    return "".join(pieces)
