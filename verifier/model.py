"""The records that travel through the pipeline: documents in, link results out.

Every record is a frozen dataclass so a stage can hand it on without fear that a later
stage changes it underneath.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from operator import attrgetter


class Format(StrEnum):
    MARKDOWN = "markdown"
    TEXT = "text"
    HTML = "html"
    WIKITEXT = "wikitext"
    PDF = "pdf"


class ReferenceKind(StrEnum):
    EXTERNAL = "external"
    INTERNAL = "internal"
    ARCHIVE = "archive"
    EMAIL = "email"
    DOI = "doi"
    # A citation with no URL at all (a journal article in a footnote): counted, never checked.
    CITATION = "citation"


class Outcome(StrEnum):
    LIVE = "live"
    ARCHIVED = "archived"
    DEAD = "dead"
    RESTRICTED = "restricted"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"


class FootnoteIssueKind(StrEnum):
    EMPTY_DEFINITION = "empty-definition"
    MISSING_DEFINITION = "missing-definition"
    UNUSED_DEFINITION = "unused-definition"
    DUPLICATE_DEFINITION = "duplicate-definition"
    NUMBERING_GAP = "numbering-gap"


class ReferenceIssueKind(StrEnum):
    MALFORMED_URL = "malformed-url"
    MISSING_TARGET = "missing-target"
    DEAD_LINK_TAG = "dead-link-tag"


@dataclass(frozen=True, slots=True)
class WaybackLocation:
    """The parts of a web.archive.org/web/<timestamp>[flags]/<original> URL."""

    original: str
    timestamp: str
    flags: str = ""


@dataclass(frozen=True, slots=True)
class Citation:
    """What a citation says about its source besides the URL."""

    title: str | None = None
    publisher: str | None = None
    published: dt.date | None = None
    accessed: dt.date | None = None
    archive_url: str | None = None
    archive_date: dt.date | None = None
    url_status: str | None = None


@dataclass(frozen=True, slots=True)
class ReferenceIssue:
    kind: ReferenceIssueKind
    message: str


@dataclass(frozen=True, slots=True)
class Reference:
    """One place in a document that points somewhere.

    ``url`` is the normalised absolute URL used for checking (empty for a bare citation);
    ``raw`` is the text exactly as written, so fixes can find it again. ``start``/``end`` are
    character offsets of ``raw`` in the decoded document text; for a URL wrapped across lines
    ``raw`` holds the line break as written. ``line`` and ``column`` are 1-based, columns
    counted in characters. In a PDF, ``page`` is the 1-based page and line, column and offsets
    count within that page's text.

    ``alternatives`` are other readings of a URL the text may have cut (a PDF's text layer
    breaking ``/lo ng/path`` with a space): tried only when ``url`` itself is dead.
    """

    url: str
    raw: str
    kind: ReferenceKind
    line: int
    column: int
    start: int
    end: int
    text: str | None = None
    footnote: str | None = None
    citation: Citation | None = None
    wayback: WaybackLocation | None = None
    issues: tuple[ReferenceIssue, ...] = ()
    alternatives: tuple[str, ...] = ()
    page: int | None = None


@dataclass(frozen=True, slots=True)
class FootnoteIssue:
    kind: FootnoteIssueKind
    label: str
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class Document:
    path: str
    format: Format
    encoding: str
    references: tuple[Reference, ...]
    footnote_issues: tuple[FootnoteIssue, ...] = ()
    # The document's own date, when it states one; the archive falls back to it.
    date: dt.date | None = None
    # sha256 of the file's bytes when it was read, so fixes can tell a file changed since.
    digest: str = ""

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # Pickled (to and from extraction workers) with its references as one tuple per
        # field: pickle would otherwise keep a state list per reference in its memo until the
        # end, about 200 bytes each (60 MB more for a 50 MB document, and twice the time).
        values = [getattr(self, name) for name in _DOCUMENT_FIELDS]
        values[_REFERENCES_PLACE] = tuple(
            tuple(map(attrgetter(name), self.references)) for name in _REFERENCE_FIELDS
        )
        return _document_from_columns, tuple(values)


_REFERENCE_FIELDS = tuple(field.name for field in fields(Reference))
_DOCUMENT_FIELDS = tuple(field.name for field in fields(Document))
_REFERENCES_PLACE = _DOCUMENT_FIELDS.index("references")


def _document_from_columns(*values: object) -> Document:
    fields_given = list(values)
    columns = fields_given[_REFERENCES_PLACE]
    assert isinstance(columns, tuple)
    fields_given[_REFERENCES_PLACE] = tuple(map(Reference, *columns))
    return Document(*fields_given)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class InputProblem:
    """Bad input: reported with file and line, and the run goes on with the rest."""

    path: str
    line: int | None
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.severity}: {self.message}"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A Wayback Machine capture of a URL."""

    url: str  # https://web.archive.org/web/<timestamp>/<original>
    timestamp: str  # 14 digits
    original: str
    status: int | None = None
    mimetype: str | None = None

    @property
    def captured_at(self) -> dt.datetime:
        return dt.datetime.strptime(self.timestamp[:14].ljust(14, "0"), "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)


class LinkWarningKind(StrEnum):
    CONTENT_DRIFT = "content-drift"


@dataclass(frozen=True, slots=True)
class LinkWarning:
    """Something a reader should look at that does not change the link's outcome.

    ``content-drift``: the live page's title is clearly not the one its citation gives;
    ``snapshot`` is the capture nearest the access date, what the citation meant, when known.
    """

    kind: LinkWarningKind
    cited_title: str
    found_title: str
    similarity: float
    snapshot: Snapshot | None = None


@dataclass(frozen=True, slots=True)
class History:
    """What earlier runs saw of a URL, from the store."""

    first_seen: dt.datetime
    last_live: dt.datetime | None
    consecutive_failures: int
    previous_outcome: Outcome | None


@dataclass(frozen=True, slots=True)
class LinkResult:
    """The verdict on one unique URL. Every reference to the URL inherits it."""

    url: str
    outcome: Outcome
    reason: str
    checked_at: dt.datetime
    http_status: int | None = None
    final_url: str | None = None
    redirects: tuple[str, ...] = ()
    archive: Snapshot | None = None
    # For a citation that is itself an archive copy: the live state of the original.
    original_outcome: Outcome | None = None
    history: History | None = None
    from_cache: bool = False
    saved_snapshot: Snapshot | None = None
    warnings: tuple[LinkWarning, ...] = ()
    # The snapshot nearest each date the link's occurrences stand for (plan.Target.dates).
    dated_archives: tuple[tuple[dt.date, Snapshot | None], ...] = ()


#: Reference kinds that name a link to check; internal links and bare citations are not links.
CHECKED_KINDS = frozenset(
    {ReferenceKind.EXTERNAL, ReferenceKind.ARCHIVE, ReferenceKind.DOI, ReferenceKind.EMAIL}
)


class ChangeKind(StrEnum):
    """How a URL's outcome moved since the previous run that checked it."""

    DIED = "died"
    NEWLY_ARCHIVED = "newly-archived"
    RECOVERED = "recovered"
    CHANGED = "changed"


@dataclass(frozen=True, slots=True)
class Change:
    url: str
    before: Outcome
    after: Outcome
    kind: ChangeKind


class RunStatus(StrEnum):
    COMPLETE = "complete"
    INTERRUPTED = "interrupted"


@dataclass(frozen=True, slots=True)
class CheckRun:
    """What one check run found: every link's result and what the run itself was like.

    ``offline`` holds the URLs whose result is ``unknown`` only because our own network was
    down, ``unchecked`` those an interrupted run never reached (reported ``unknown`` too).
    ``documents`` and ``problems`` are what was read, so a report can be built from the run.
    """

    results: Mapping[str, LinkResult]
    changes: tuple[Change, ...]
    status: RunStatus
    started_at: dt.datetime
    finished_at: dt.datetime
    network_down: bool = False
    offline: frozenset[str] = frozenset()
    unchecked: frozenset[str] = frozenset()
    live_requests: int = 0
    archive_requests: int = 0
    #: Of ``live_requests``, the GETs made in place of a HEAD to read a cited page's title.
    title_requests: int = 0
    reused: int = 0
    run_id: int | None = None
    documents: tuple[Document, ...] = ()
    problems: tuple[InputProblem, ...] = ()
    #: Seconds each phase took ("reading", "checking"), in the order they ran.
    phases: Mapping[str, float] = field(default_factory=dict)

    @property
    def interrupted(self) -> bool:
        return self.status is RunStatus.INTERRUPTED
