"""Planning a run: the unique URLs to check, what their citations say about them, and the skipped."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from verifier.check.drift import usable_title
from verifier.config import Settings, compile_patterns
from verifier.extract.urls import is_checkable, parse_wayback
from verifier.model import (
    CHECKED_KINDS,
    Document,
    LinkResult,
    Outcome,
    ReferenceIssueKind,
    ReferenceKind,
    WaybackLocation,
)


@dataclass(frozen=True, slots=True)
class Target:
    """One unique URL to check, with what its citations say about when it was seen."""

    url: str
    # The link's own date: the earliest a citation states, else its documents' earliest.
    when: dt.date | None
    wayback: WaybackLocation | None = None
    # Other readings of a URL the text may have cut, tried only if the URL itself is dead.
    alternatives: tuple[str, ...] = ()
    # What the citations call the page: its live title is compared with these (content drift).
    titles: tuple[str, ...] = ()
    # Every date an occurrence stands for, each given its own snapshot: the dates citations
    # state, or the documents' dates where no citation of the URL states one.
    dates: tuple[dt.date, ...] = ()


@dataclass(slots=True)
class Plan:
    targets: dict[str, Target] = field(default_factory=dict)
    skipped: dict[str, LinkResult] = field(default_factory=dict)


def _skip_reason(
    url: str, kind: ReferenceKind, include: Sequence[re.Pattern[str]], exclude: Sequence[re.Pattern[str]]
) -> str | None:
    if kind is ReferenceKind.EMAIL:
        return "e-mail addresses are not checked"
    if not is_checkable(url):
        scheme = url.split(":", 1)[0] if ":" in url else url
        return f"the {scheme}: scheme is not checked"
    for pattern in exclude:
        if pattern.search(url):
            return f"excluded by pattern {pattern.pattern!r}"
    if include and not any(pattern.search(url) for pattern in include):
        return "excluded by pattern: matches no include pattern"
    return None


def _day(when: dt.date) -> dt.date:
    return when.date() if isinstance(when, dt.datetime) else when


def plan(documents: Iterable[Document], settings: Settings, now: dt.datetime) -> Plan:
    """The unique URLs to check, each with the earliest date its citations give, and the skipped."""
    include = compile_patterns(settings.include, "include")
    exclude = compile_patterns(settings.exclude, "exclude")
    accessed: dict[str, set[dt.date]] = {}
    dated: dict[str, set[dt.date]] = {}
    kinds: dict[str, ReferenceKind] = {}
    waybacks: dict[str, WaybackLocation | None] = {}
    alternatives: dict[str, tuple[str, ...]] = {}
    titles: dict[str, tuple[str, ...]] = {}
    malformed: dict[str, str] = {}
    for document in documents:
        for reference in document.references:
            url = reference.url
            if reference.kind not in CHECKED_KINDS or not url:
                continue
            if url not in kinds:
                kinds[url] = reference.kind
                waybacks[url] = reference.wayback or (
                    parse_wayback(url) if reference.kind is ReferenceKind.ARCHIVE else None
                )
            for alternative in reference.alternatives:
                if alternative != url and alternative not in alternatives.get(url, ()):
                    alternatives[url] = (*alternatives.get(url, ()), alternative)
            for issue in reference.issues:
                if issue.kind is ReferenceIssueKind.MALFORMED_URL:
                    malformed.setdefault(url, f"not checked: {issue.message}")
            title = usable_title(reference.citation.title) if reference.citation else None
            if title is not None and title not in titles.get(url, ()):
                titles[url] = (*titles.get(url, ()), title)
            citation_date = reference.citation.accessed if reference.citation else None
            if citation_date is not None:
                accessed.setdefault(url, set()).add(_day(citation_date))
            if document.date is not None:
                dated.setdefault(url, set()).add(_day(document.date))
    result = Plan()
    for url, kind in kinds.items():
        # A malformed URL would only fail, and a cut one would be called dead: say what is wrong.
        reason = malformed.get(url) or _skip_reason(url, kind, include, exclude)
        if reason is not None:
            result.skipped[url] = LinkResult(url=url, outcome=Outcome.SKIPPED, reason=reason, checked_at=now)
        else:
            dates = tuple(sorted(accessed.get(url) or dated.get(url) or ()))
            result.targets[url] = Target(
                url,
                dates[0] if dates else None,
                waybacks[url],
                alternatives.get(url, ()),
                titles.get(url, ()),
                dates=dates,
            )
    return result


def plan_urls(targets: Iterable[str | Target], settings: Settings, now: dt.datetime) -> Plan:
    """The plan for URLs given directly: each checked unless a pattern or its scheme skips it."""
    include = compile_patterns(settings.include, "include")
    exclude = compile_patterns(settings.exclude, "exclude")
    result = Plan()
    for item in targets:
        target = Target(item, None) if isinstance(item, str) else item
        if target.url in result.targets or target.url in result.skipped:
            continue
        if target.wayback is None and target.url.startswith(
            ("http://web.archive.org/web/", "https://web.archive.org/web/")
        ):
            target = dataclasses.replace(target, wayback=parse_wayback(target.url))
        reason = _skip_reason(target.url, ReferenceKind.EXTERNAL, include, exclude)
        if reason is not None:
            result.skipped[target.url] = LinkResult(target.url, Outcome.SKIPPED, reason, now)
        else:
            result.targets[target.url] = target
    return result
