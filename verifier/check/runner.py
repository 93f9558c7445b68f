"""One check run: documents in, one LinkResult per unique URL out, each stored as it arrives.

For every unique URL the runner reuses a stored result within its TTL or asks the live
checker; a link that is not live is looked up in the Wayback Machine (lookups cached in the
store); history across runs decides when a failure that may pass is called dead. The network
clients are created only when some URL needs them, so a warm re-run never imports them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from verifier._exceptions import ConfigError
from verifier._types import JSONObject
from verifier.check.live.verdict import LiveVerdict
from verifier.config import Settings
from verifier.extract.urls import is_checkable, parse_wayback
from verifier.model import (
    Document,
    History,
    LinkResult,
    Outcome,
    ReferenceIssueKind,
    ReferenceKind,
    Snapshot,
    WaybackLocation,
)
from verifier.store import HistoryRow, Store, StoredResult

if TYPE_CHECKING:
    import asyncio

    from verifier.check.archive.client import ArchiveClient
    from verifier.check.live.probe import LiveChecker
    from verifier.check.live.shards import ShardedChecker

#: Reference kinds that name a link to check; internal links and bare citations are not links.
LINK_KINDS = frozenset(
    {ReferenceKind.EXTERNAL, ReferenceKind.ARCHIVE, ReferenceKind.DOI, ReferenceKind.EMAIL}
)

INTERRUPTED_REASON = "not checked: run interrupted"

# Failure kinds (verifier.check.http.failures.FailureKind values) that prove a link is gone on
# first sight. Everything else that ends in "dead" with no HTTP answer, or with a 5xx, may
# pass, so history must confirm it.
_CONCLUSIVE_FAILURES = frozenset({"dns-not-found", "invalid-url"})


class Progress(Protocol):
    """Told how many links there are, then about each result as it arrives."""

    def started(self, total: int) -> None: ...

    def advanced(self, result: LinkResult) -> None: ...


@dataclass(frozen=True, slots=True)
class Target:
    """One unique URL to check, with what its citations say about when it was seen."""

    url: str
    when: dt.date | None
    wayback: WaybackLocation | None = None


@dataclass(slots=True)
class Plan:
    targets: dict[str, Target] = field(default_factory=dict)
    skipped: dict[str, LinkResult] = field(default_factory=dict)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def compile_patterns(patterns: Iterable[str], option: str) -> list[re.Pattern[str]]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error as error:
            raise ConfigError(f"{option}: {pattern!r} is not a regular expression: {error}") from None
    return compiled


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


def plan(documents: Iterable[Document], settings: Settings, now: dt.datetime) -> Plan:
    """The unique URLs to check, each with the earliest date its citations give, and the skipped."""
    include = compile_patterns(settings.include, "include")
    exclude = compile_patterns(settings.exclude, "exclude")
    accessed: dict[str, dt.date] = {}
    dated: dict[str, dt.date] = {}
    kinds: dict[str, ReferenceKind] = {}
    waybacks: dict[str, WaybackLocation | None] = {}
    malformed: dict[str, str] = {}
    for document in documents:
        for reference in document.references:
            url = reference.url
            if reference.kind not in LINK_KINDS or not url:
                continue
            if url not in kinds:
                kinds[url] = reference.kind
                waybacks[url] = reference.wayback or (
                    parse_wayback(url) if reference.kind is ReferenceKind.ARCHIVE else None
                )
            for issue in reference.issues:
                if issue.kind is ReferenceIssueKind.MALFORMED_URL:
                    malformed.setdefault(url, f"not checked: {issue.message}")
            citation_date = reference.citation.accessed if reference.citation else None
            if citation_date is not None and (url not in accessed or citation_date < accessed[url]):
                accessed[url] = citation_date
            if document.date is not None and (url not in dated or document.date < dated[url]):
                dated[url] = document.date
    result = Plan()
    for url, kind in kinds.items():
        # A malformed URL would only fail, and a cut one would be called dead: say what is wrong.
        reason = malformed.get(url) or _skip_reason(url, kind, include, exclude)
        if reason is not None:
            result.skipped[url] = LinkResult(url=url, outcome=Outcome.SKIPPED, reason=reason, checked_at=now)
        else:
            result.targets[url] = Target(url, accessed.get(url) or dated.get(url), waybacks[url])
    return result


def is_conclusive(verdict: LiveVerdict) -> bool:
    """Whether a dead verdict proves the link gone on first sight (404, 410, NXDOMAIN, soft-404).

    The server answering that the page is not there is conclusive; a 5xx, a refused or reset
    connection, a timeout or a TLS failure may be gone tomorrow.
    """
    if verdict.failure is not None:
        return verdict.failure in _CONCLUSIVE_FAILURES
    return verdict.http_status is None or verdict.http_status < 500


def classify_change(before: Outcome, after: Outcome) -> str | None:
    """The kind of change between two runs' outcomes of one URL, or None when there is none."""
    if before is after:
        return None
    if after is Outcome.DEAD:
        return "died"
    if after is Outcome.ARCHIVED:
        return "newly-archived"
    if after is Outcome.LIVE and before in (Outcome.DEAD, Outcome.ARCHIVED, Outcome.UNKNOWN):
        return "recovered"
    return "changed"


def _snapshot_date(timestamp: str) -> dt.date | None:
    try:
        return dt.date(int(timestamp[0:4]), int(timestamp[4:6] or 1), int(timestamp[6:8] or 1))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class _Settled:
    outcome: Outcome
    reason: str
    archive: Snapshot | None
    saved: Snapshot | None


class Runner:
    """Checks the links of some documents; ``results`` fills up as answers arrive."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        progress: Progress | None = None,
        clock: Callable[[], dt.datetime] = _utcnow,
    ) -> None:
        self.settings = settings
        self.store = store
        self.progress = progress
        self.clock = clock
        self.results: dict[str, LinkResult] = {}
        self.changes: list[JSONObject] = []
        self.network_down = False
        # URLs whose verdict is "unknown" only because our own network was down.
        self.offline_urls: set[str] = set()
        self.reused = 0
        self.run_id: int | None = None
        self.started_at: dt.datetime | None = None
        self._targets: dict[str, Target] = {}
        self._stack = contextlib.AsyncExitStack()
        self._live: LiveChecker | ShardedChecker | None = None
        # Links each host will be asked about in this run, for sharing hosts between workers.
        self._host_links: Counter[str] = Counter()
        self._archive: ArchiveClient | None = None
        self._archive_down: str | None = None
        self._open_lock: asyncio.Lock | None = None
        self._checks: dict[str, asyncio.Future[LiveVerdict]] = {}
        self._histories: dict[str, HistoryRow] = {}
        self._pending: list[tuple[Target, StoredResult | None]] = []

    # Counts for the report's "run" section

    @property
    def live_requests(self) -> int:
        return self._live.requests_made if self._live is not None else 0

    @property
    def archive_requests(self) -> int:
        return self._archive.requests_made if self._archive is not None else 0

    async def run(self, documents: Sequence[Document]) -> dict[str, LinkResult]:
        """Check every link; cancelling this leaves every finished result in ``results`` and the store."""
        self.prepare(documents)
        await self.check_pending()
        return self.results

    def prepare(self, documents: Sequence[Document]) -> None:
        """Plan the run and settle at once every link a stored result answers without the network.

        A warm re-run is mostly such links, so this part needs no event loop and no HTTP client.
        """
        now = self.clock()
        self.started_at = now
        work = plan(documents, self.settings, now)
        self._targets = work.targets
        self.run_id = self.store.start_run(now)
        urls = list(work.targets)
        stored = self.store.fresh_results(urls, self.settings.ttl, now) if self.settings.use_cache else {}
        # Stored results bring their URL's history along; only the others need it looked up.
        self._histories = self.store.histories(url for url in urls if url not in stored)
        for url, found in stored.items():
            if found.history is not None:
                self._histories[url] = found.history
        if self.progress is not None:
            self.progress.started(len(work.targets) + len(work.skipped))
        self._pending = []
        try:
            for result in work.skipped.values():
                self._finish(result)
            for target in work.targets.values():
                reused = stored.get(target.url)
                if reused is None or not self._reuse_now(target, reused):
                    self._pending.append((target, reused))
        except BaseException:
            self.store.finish_run(self.run_id, "interrupted", self.clock())
            raise

    @property
    def pending(self) -> int:
        """Links ``prepare`` left for ``check_pending``: live checks and archive lookups."""
        return len(self._pending)

    async def check_pending(self) -> None:
        """Check what ``prepare`` left; the run is marked complete, or interrupted if this is cancelled."""
        import asyncio

        assert self.run_id is not None, "prepare() comes first"
        if not self._pending:
            self.complete()
            return
        from verifier.check.live.hosts import host_key

        for target, reused in self._pending:
            if reused is None:
                for url in self._live_urls(target):
                    self._host_links[host_key(url)] += 1
        self._open_lock = asyncio.Lock()
        flusher = asyncio.create_task(self._flush_now_and_then())
        try:
            async with self._stack, asyncio.TaskGroup() as group:
                for target, reused in self._pending:
                    group.create_task(self._one(target, reused))
        except BaseException:
            self.store.finish_run(self.run_id, "interrupted", self.clock())
            raise
        finally:
            flusher.cancel()
        self.complete()

    def complete(self) -> None:
        """Mark the run complete in the store (every result written)."""
        assert self.run_id is not None
        self.store.finish_run(self.run_id, "complete", self.clock())

    async def _flush_now_and_then(self) -> None:
        """Results reach the disk within the store's batch interval even when answers are slow."""
        import asyncio

        while True:
            await asyncio.sleep(self.store.batch_seconds)
            self.store.flush()

    def unchecked(self) -> dict[str, LinkResult]:
        """Results for the links a cancelled run never finished: unknown, saying so."""
        now = self.clock()
        return {
            url: LinkResult(url=url, outcome=Outcome.UNKNOWN, reason=INTERRUPTED_REASON, checked_at=now)
            for url in self._targets
            if url not in self.results
        }

    # One link

    async def _one(self, target: Target, stored: StoredResult | None) -> None:
        try:
            if stored is not None:
                await self._reuse(target, stored)
            else:
                await self._check(target)
        except Exception as error:
            # A defect with one link must not sink the run; the link says what happened.
            reason = f"check failed: {type(error).__name__}: {error}"
            self._finish(LinkResult(target.url, Outcome.UNKNOWN, reason, self.clock()))

    @staticmethod
    def _stored_verdict(target: Target, stored: StoredResult) -> LiveVerdict:
        previous = stored.result
        return LiveVerdict(
            url=target.url,
            outcome=stored.live_outcome,
            reason=stored.live_reason,
            http_status=previous.http_status,
            final_url=previous.final_url,
            redirects=previous.redirects,
        )

    def _reuse_now(self, target: Target, stored: StoredResult) -> bool:
        """Settle a reused result on the spot when the archive has no part in it."""
        settled = self._settle_offline(target, stored.live_outcome, stored.live_reason, network_down=False)
        if settled is None:
            return False
        self._record_reused(target, stored, settled)
        return True

    async def _reuse(self, target: Target, stored: StoredResult) -> None:
        settled = await self._settle(target, self._stored_verdict(target, stored))
        self._record_reused(target, stored, settled)

    def _record_reused(self, target: Target, stored: StoredResult, settled: _Settled) -> None:
        """A reused result is not written again: only a changed final outcome reaches the history."""
        previous = stored.result
        prior = self._histories.get(target.url)
        if (
            prior is not None
            and prior.last_outcome is settled.outcome
            and (previous.outcome, previous.reason, previous.archive)
            == (settled.outcome, settled.reason, settled.archive)
            and settled.saved is None
            and previous.history is not None
        ):
            result = previous  # the common case: as stored, history included
        else:
            row: HistoryRow | None = None
            if prior is not None and prior.last_outcome is not settled.outcome:
                row = HistoryRow(
                    prior.first_seen, prior.last_live, prior.consecutive_failures, settled.outcome
                )
                self.store.record_history(target.url, row)
            result = LinkResult(
                url=previous.url,
                outcome=settled.outcome,
                reason=settled.reason,
                checked_at=previous.checked_at,
                http_status=previous.http_status,
                final_url=previous.final_url,
                redirects=previous.redirects,
                archive=settled.archive,
                original_outcome=previous.original_outcome,
                from_cache=True,
                history=self._history_for_report(prior, row),
                saved_snapshot=settled.saved or previous.saved_snapshot,
            )
        self.reused += 1
        self._note_change(result, prior, network_down=False)
        self._finish(result)

    async def _check(self, target: Target) -> None:
        import asyncio

        original_outcome: Outcome | None = None
        if target.wayback is not None:
            copy_url = self._copy_url(target.wayback)
            verdict, original = await asyncio.gather(
                self._live_verdict(copy_url), self._live_verdict(target.wayback.original)
            )
            verdict = dataclasses.replace(verdict, url=target.url)
            original_outcome = original.outcome
        else:
            verdict = await self._live_verdict(target.url)
        prior = self._histories.get(target.url)
        now = self.clock()
        row: HistoryRow | None = None
        if verdict.network_down:
            self.network_down = True
            self.offline_urls.add(target.url)
        else:
            failed = verdict.outcome in (Outcome.DEAD, Outcome.UNKNOWN)
            failures = (prior.consecutive_failures if prior else 0) + 1 if failed else 0
            verdict = self._confirm_dead(verdict, failures)
            row = HistoryRow(
                first_seen=prior.first_seen if prior else now,
                last_live=now if verdict.outcome is Outcome.LIVE else (prior.last_live if prior else None),
                consecutive_failures=failures,
                last_outcome=None,
            )
        settled = await self._settle(target, verdict)
        if row is not None:
            row = dataclasses.replace(row, last_outcome=settled.outcome)
        result = LinkResult(
            url=target.url,
            outcome=settled.outcome,
            reason=settled.reason,
            checked_at=self.clock(),
            http_status=verdict.http_status,
            final_url=verdict.final_url,
            redirects=verdict.redirects,
            archive=settled.archive,
            original_outcome=original_outcome,
            history=self._history_for_report(prior, row),
            saved_snapshot=settled.saved,
        )
        self._record(result, verdict, row, prior)

    def _confirm_dead(self, verdict: LiveVerdict, failures: int) -> LiveVerdict:
        """A failure that may pass is only "unknown" until it has happened dead_after runs in a row."""
        needed = self.settings.dead_after
        if verdict.outcome is not Outcome.DEAD or is_conclusive(verdict) or failures >= needed:
            return verdict
        reason = (
            f"{verdict.reason} (failed {failures} check{'s' if failures != 1 else ''} in a row;"
            f" called dead after {needed})"
        )
        return dataclasses.replace(verdict, outcome=Outcome.UNKNOWN, reason=reason)

    @staticmethod
    def _history_for_report(prior: HistoryRow | None, row: HistoryRow | None) -> History | None:
        current = row or prior
        if current is None:
            return None
        return History(
            first_seen=current.first_seen,
            last_live=current.last_live,
            consecutive_failures=current.consecutive_failures,
            previous_outcome=prior.last_outcome if prior else None,
        )

    def _record(
        self, result: LinkResult, verdict: LiveVerdict, row: HistoryRow | None, prior: HistoryRow | None
    ) -> None:
        assert self.run_id is not None
        self.store.record_result(
            self.run_id, result, live_outcome=verdict.outcome, live_reason=verdict.reason, history=row
        )
        self._note_change(result, prior, network_down=verdict.network_down)
        self._finish(result)

    def _note_change(self, result: LinkResult, prior: HistoryRow | None, *, network_down: bool) -> None:
        before = prior.last_outcome if prior else None
        change = None if before is None or network_down else classify_change(before, result.outcome)
        if change is not None and before is not None:
            self.changes.append(
                {"url": result.url, "before": before.value, "after": result.outcome.value, "change": change}
            )

    def _finish(self, result: LinkResult) -> None:
        self.results[result.url] = result
        if self.progress is not None:
            self.progress.advanced(result)

    # The archive

    def _copy_url(self, location: WaybackLocation) -> str:
        """The cited archive copy, asked of the configured snapshot host."""
        host = self.settings.snapshot_host.rstrip("/")
        return f"{host}/web/{location.timestamp}{location.flags}/{location.original}"

    def _settle_offline(
        self, target: Target, outcome: Outcome, reason: str, *, network_down: bool
    ) -> _Settled | None:
        """The final outcome when the archive has no part in it, else None."""
        settings = self.settings
        if target.wayback is not None and outcome is Outcome.LIVE:
            archive = Snapshot(
                url=target.url, timestamp=target.wayback.timestamp, original=target.wayback.original
            )
            return _Settled(outcome, f"{reason}; the archive copy serves", archive, None)
        wanted = outcome is not Outcome.LIVE or settings.archive_all or settings.save_live
        if not settings.archive or not wanted or network_down or self.network_down:
            return _Settled(outcome, reason, None, None)
        return None

    async def _settle(self, target: Target, verdict: LiveVerdict) -> _Settled:
        """The final outcome: the live verdict, and what the archive holds when that matters."""
        offline = self._settle_offline(
            target, verdict.outcome, verdict.reason, network_down=verdict.network_down
        )
        if offline is not None:
            return offline
        outcome, reason = verdict.outcome, verdict.reason
        settings = self.settings
        archive: Snapshot | None = None
        saved: Snapshot | None = None
        original = target.wayback.original if target.wayback else target.url
        when = target.when
        if when is None and target.wayback is not None:
            when = _snapshot_date(target.wayback.timestamp)
        snapshot, trouble = await self._nearest(original, when)
        if snapshot is not None:
            archive = snapshot
            if outcome is Outcome.DEAD:
                outcome = Outcome.ARCHIVED
                reason = f"{reason}; archived copy from {snapshot.captured_at.date().isoformat()}"
        elif trouble is not None and outcome is not Outcome.LIVE:
            reason = f"{reason} (archive not consulted: {trouble})"
        if outcome is Outcome.LIVE and settings.save_live and snapshot is None and trouble is None:
            saved = await self._save(original)
        return _Settled(outcome, reason, archive, saved)

    async def _nearest(self, url: str, when: dt.date | None) -> tuple[Snapshot | None, str | None]:
        """The good snapshot nearest ``when`` (cached), and why the archive was not asked if it was not."""
        from verifier.check.archive.client import ArchiveUnavailable

        settings = self.settings
        key = when.isoformat() if when else "newest"
        now = self.clock()
        if settings.use_cache:
            cached = self.store.archive_lookup(
                url, key, now, found_ttl=settings.archive_found_ttl, none_ttl=settings.archive_none_ttl
            )
            if cached is not None:
                return cached.snapshot, None
        if self._archive_down is not None:
            return None, self._archive_down
        client = await self._archive_client()
        try:
            snapshot = await client.nearest_snapshot(url, when)
            if snapshot is not None and settings.archive_verify and not await client.verify(snapshot):
                snapshot = None
        except ArchiveUnavailable as error:
            # Stop asking for the rest of the run: an archive that refuses must be left alone.
            self._archive_down = f"the archive is unavailable: {error}"
            return None, self._archive_down
        self.store.record_archive_lookup(url, key, snapshot, self.clock())
        return snapshot, None

    async def _save(self, url: str) -> Snapshot | None:
        from verifier.check.archive.client import ArchiveUnavailable

        if self._archive_down is not None:
            return None
        client = await self._archive_client()
        try:
            saved = await client.save(url)
        except ArchiveUnavailable as error:
            self._archive_down = f"the archive is unavailable: {error}"
            return None
        if saved is not None:
            self.store.record_archive_lookup(url, "newest", saved, self.clock())
        return saved

    # The network clients, opened on first need

    async def _live_verdict(self, url: str) -> LiveVerdict:
        """One live check per URL per run, shared by everyone who asks."""
        import asyncio

        pending = self._checks.get(url)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[LiveVerdict] = asyncio.get_running_loop().create_future()
        self._checks[url] = future
        try:
            checker = await self._live_checker()
            verdict = await checker.check(url)
        except BaseException:
            future.cancel()
            raise
        future.set_result(verdict)
        return verdict

    def _live_urls(self, target: Target) -> list[str]:
        """The addresses a live check of ``target`` asks: an archive copy's original too."""
        wayback = target.wayback
        return [target.url] if wayback is None else [wayback.original, self._copy_url(wayback)]

    async def _live_checker(self) -> LiveChecker | ShardedChecker:
        if self._live is not None:
            return self._live
        assert self._open_lock is not None
        async with self._open_lock:
            if self._live is None:
                from verifier.check.live.shards import ShardedChecker, worker_count

                workers = worker_count(self.settings, sum(self._host_links.values()))
                if workers > 1:
                    sharded = ShardedChecker(self.settings, workers, self._host_links)
                    self._live = await self._stack.enter_async_context(sharded)
                else:
                    from verifier.check.live.probe import LiveChecker

                    self._live = await self._stack.enter_async_context(LiveChecker(self.settings))
            return self._live

    async def _archive_client(self) -> ArchiveClient:
        if self._archive is not None:
            return self._archive
        assert self._open_lock is not None
        async with self._open_lock:
            if self._archive is None:
                from verifier.check.archive.client import ArchiveClient

                self._archive = await self._stack.enter_async_context(ArchiveClient(self.settings))
            return self._archive


def exit_code(results: Mapping[str, LinkResult], settings: Settings, offline_urls: Iterable[str]) -> int:
    """0 all well; 1 a link's outcome is one ``fail_on`` names; 3 inconclusive: our network is down.

    A link found failing is a finding even when the network went down later, so 1 wins over 3;
    an "unknown" that only says the network was down never counts as a failure.
    """
    offline = set(offline_urls)
    failing = set(settings.fail_on)
    if any(result.outcome in failing and url not in offline for url, result in results.items()):
        return 1
    return 3 if offline else 0
