"""One check run: documents in, one LinkResult per unique URL out, each stored as it arrives.

For every unique URL the runner reuses a stored result within its TTL or asks the live
checker; a link that is not live is looked up in the Wayback Machine (lookups cached in the
store); history across runs decides when a failure that may pass is called dead. The network
clients are created only when some URL needs them, so a warm re-run never imports them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from verifier.check.archive.breaker import QUIET_REASON
from verifier.check.history import FailureCount, classify_change, count_failures, is_conclusive
from verifier.check.live.verdict import LiveVerdict
from verifier.check.plan import Plan, Target, plan
from verifier.config import Settings
from verifier.model import (
    Change,
    CheckRun,
    Document,
    History,
    InputProblem,
    LinkResult,
    LinkWarning,
    LinkWarningKind,
    Outcome,
    RunStatus,
    Snapshot,
    WaybackLocation,
)
from verifier.store import HistoryRow, ResultStore, StoredResult

if TYPE_CHECKING:
    import asyncio
    import contextlib

    from verifier._exceptions import ArchiveUnavailable
    from verifier.check.archive.batch import Batcher
    from verifier.check.archive.client import ArchiveClient, Choices
    from verifier.check.live.probe import LiveChecker
    from verifier.check.live.shards import ShardedChecker

INTERRUPTED_REASON = "not checked: run interrupted"

_log = logging.getLogger("verifier.check")


class Progress(Protocol):
    """What a run tells whoever shows its progress: a terminal bar, a service's run page."""

    def started(self, total: int) -> None:
        """``total`` links in all, before the first result."""

    def advanced(self, result: LinkResult) -> None:
        """One link's result is final."""

    def phase(self, name: str) -> None:
        """The run moved on to ``name`` ("reading", "checking", "archive", "reporting")."""

    def waiting(self, on: str, remaining: int, eta_s: float | None) -> None:
        """The run is paced by ``on`` (e.g. "Wayback lookups"), ``remaining`` of them left."""


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:g} h"
    if seconds >= 60:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


def _lookup_key(when: dt.date | None) -> str:
    """How the store keys a cached lookup: the date it was for, or ``newest``."""
    return when.isoformat() if when is not None else "newest"


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
    dated: tuple[tuple[dt.date, Snapshot | None], ...] = ()


class Runner:
    """Checks the links of some documents; ``results`` fills up as answers arrive."""

    def __init__(
        self,
        settings: Settings,
        store: ResultStore,
        *,
        progress: Progress | None = None,
        clock: Callable[[], dt.datetime] = _utcnow,
    ) -> None:
        self.settings = settings
        self.store = store
        self.progress = progress
        self.clock = clock
        self.results: dict[str, LinkResult] = {}
        self.changes: list[Change] = []
        self.network_down = False
        # URLs whose verdict is "unknown" only because our own network was down.
        self.offline_urls: set[str] = set()
        self.reused = 0
        self.run_id: int | None = None
        self.started_at: dt.datetime | None = None
        self._targets: dict[str, Target] = {}
        self._stack: contextlib.AsyncExitStack[bool | None] | None = None
        self._closed = False
        self._live: LiveChecker | ShardedChecker | None = None
        # Links each host will be asked about in this run, for sharing hosts between workers.
        self._host_links: Counter[str] = Counter()
        self._archive: ArchiveClient | None = None
        self._archive_down: str | None = None
        self._archive_queue = 0
        self._batcher: Batcher | None = None
        self._open_lock: asyncio.Lock | None = None
        self._checks: dict[str, asyncio.Future[LiveVerdict]] = {}
        self._histories: dict[str, HistoryRow] = {}
        self._pending: list[tuple[Target, StoredResult | None]] = []

    # Counts for the run's record

    @property
    def live_requests(self) -> int:
        return self._live.requests_made if self._live is not None else 0

    @property
    def title_requests(self) -> int:
        return self._live.title_requests if self._live is not None else 0

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
        self.prepare_plan(plan(documents, self.settings, self.clock()))

    def prepare_plan(self, work: Plan) -> None:
        """``prepare`` for a plan made elsewhere (URLs given directly, not read from documents)."""
        now = self.clock()
        self.started_at = now
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
            self._close(RunStatus.INTERRUPTED)
            raise

    @property
    def pending(self) -> int:
        """Links ``prepare`` left for ``check_pending``: live checks and archive lookups."""
        return len(self._pending)

    async def check_pending(self) -> None:
        """Check what ``prepare`` left; the run is marked complete, or interrupted if this is cancelled."""
        import asyncio
        import contextlib

        assert self.run_id is not None, "prepare() comes first"
        if not self._pending:
            self.complete()
            return
        from verifier.check.live.hosts import host_key

        for target, reused in self._pending:
            if reused is None:
                for url in self._live_urls(target):
                    self._host_links[host_key(url)] += 1
        if self.progress is not None:
            self.progress.phase("checking")
        self._open_lock = asyncio.Lock()
        self._expect_archive_lookups()
        self._stack = contextlib.AsyncExitStack()
        try:
            async with self.store.flushing(), self._stack, asyncio.TaskGroup() as group:
                for target, reused in self._pending:
                    group.create_task(self._one(target, reused))
        except BaseException:
            self._close(RunStatus.INTERRUPTED)
            raise
        self.complete()

    def complete(self) -> None:
        """Mark the run complete in the store (every result written)."""
        self._close(RunStatus.COMPLETE)

    def _close(self, status: RunStatus) -> None:
        if self.run_id is not None and not self._closed:
            self._closed = True
            self.store.finish_run(self.run_id, status.value, self.clock())

    def unchecked(self) -> dict[str, LinkResult]:
        """Results for the links a cancelled run never finished: unknown, saying so."""
        now = self.clock()
        return {
            url: LinkResult(url=url, outcome=Outcome.UNKNOWN, reason=INTERRUPTED_REASON, checked_at=now)
            for url in self._targets
            if url not in self.results
        }

    def finish(
        self,
        *,
        interrupted: bool,
        documents: Sequence[Document] = (),
        problems: Sequence[InputProblem] = (),
    ) -> CheckRun:
        """The run's record. An interrupted run reports the links it never reached as unknown."""
        status = RunStatus.INTERRUPTED if interrupted else RunStatus.COMPLETE
        self._close(status)
        finished = self.clock()
        unchecked = self.unchecked() if interrupted else {}
        return CheckRun(
            results={**self.results, **unchecked},
            changes=tuple(self.changes),
            status=status,
            started_at=self.started_at or finished,
            finished_at=finished,
            network_down=self.network_down,
            offline=frozenset(self.offline_urls),
            unchecked=frozenset(unchecked),
            live_requests=self.live_requests,
            archive_requests=self.archive_requests,
            title_requests=self.title_requests,
            reused=self.reused,
            run_id=self.run_id,
            documents=tuple(documents),
            problems=tuple(problems),
        )

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
        finally:
            if self._batcher is not None:
                self._batcher.withdraw(target.url)

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
            # The common case: as stored, history included; the store keeps one snapshot a link.
            result = (
                dataclasses.replace(previous, dated_archives=settled.dated) if settled.dated else previous
            )
        else:
            row: HistoryRow | None = None
            if prior is not None and prior.last_outcome is not settled.outcome:
                row = dataclasses.replace(prior, last_outcome=settled.outcome)
                self.store.record_history(target.url, row)
            # What the check found stays; what today's settings and the archive decide is new.
            result = dataclasses.replace(
                previous,
                outcome=settled.outcome,
                reason=settled.reason,
                archive=settled.archive,
                from_cache=True,
                history=self._history_for_report(prior, row),
                saved_snapshot=settled.saved or previous.saved_snapshot,
                dated_archives=settled.dated,
                warnings=previous.warnings if settled.outcome is Outcome.LIVE else (),
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
            verdict = await self._live_verdict(target.url, title=bool(target.titles))
            if verdict.outcome is Outcome.DEAD and target.alternatives:
                verdict = await self._joined_verdict(target, verdict)
        prior = self._histories.get(target.url)
        now = self.clock()
        row: HistoryRow | None = None
        if verdict.network_down:
            self.network_down = True
            self.offline_urls.add(target.url)
        else:
            failed = verdict.outcome in (Outcome.DEAD, Outcome.UNKNOWN)
            failures = self._count_failures(prior, failed, now)
            verdict = self._confirm_dead(verdict, failures.consecutive)
            row = HistoryRow(
                first_seen=prior.first_seen if prior else now,
                last_live=now if verdict.outcome is Outcome.LIVE else (prior.last_live if prior else None),
                consecutive_failures=failures.consecutive,
                last_outcome=None,
                last_failure=failures.last_failure,
                counted_failure=failures.counted_at,
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
            warnings=self._drift(target, verdict, settled),
            dated_archives=settled.dated,
        )
        self._record(result, verdict, row, prior)

    @staticmethod
    def _drift(target: Target, verdict: LiveVerdict, settled: _Settled) -> tuple[LinkWarning, ...]:
        """A content-drift warning when the live page is clearly another than the one cited.

        Only ever a warning: titles change for harmless reasons too, so the outcome stays.
        """
        if settled.outcome is not Outcome.LIVE or not target.titles or not verdict.page_titles:
            return ()
        from verifier.check.drift import compare

        drift = compare(target.titles, verdict.page_titles)
        if drift is None:
            return ()
        warning = LinkWarning(
            LinkWarningKind.CONTENT_DRIFT,
            cited_title=drift.cited_title,
            found_title=drift.found_title,
            similarity=drift.similarity,
            snapshot=settled.archive,
        )
        return (warning,)

    async def _joined_verdict(self, target: Target, dead: LiveVerdict) -> LiveVerdict:
        """A dead URL that the text may have cut is live if one of its joined readings is."""
        for alternative in target.alternatives:
            joined = await self._live_verdict(alternative, title=bool(target.titles))
            if joined.outcome is Outcome.LIVE:
                reason = (
                    f"{joined.reason}: answered at {alternative}, the URL joined where the text"
                    f" cut it (as read: {dead.reason})"
                )
                return dataclasses.replace(
                    joined, url=target.url, reason=reason, final_url=joined.final_url or alternative
                )
        return dead

    def _count_failures(self, prior: HistoryRow | None, failed: bool, now: dt.datetime) -> FailureCount:
        interval = self.settings.dead_after_interval
        if prior is None:
            return count_failures(failed=failed, now=now, interval=interval)
        return count_failures(
            failed=failed,
            now=now,
            interval=interval,
            consecutive=prior.consecutive_failures,
            counted_at=prior.counted_failure,
            last_failure=prior.last_failure,
        )

    def _confirm_dead(self, verdict: LiveVerdict, failures: int) -> LiveVerdict:
        """A failure that may pass is only "unknown" until it has happened dead_after runs in a row."""
        needed = self.settings.dead_after
        if verdict.outcome is not Outcome.DEAD or is_conclusive(verdict) or failures >= needed:
            return verdict
        apart = self.settings.dead_after_interval
        spacing = f", each at least {_duration(apart)} after the last" if apart > 0 else ""
        reason = (
            f"{verdict.reason} (failed {failures} check{'s' if failures != 1 else ''} in a row;"
            f" called dead after {needed}{spacing})"
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
            self.changes.append(Change(result.url, before, result.outcome, change))

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
        choices, trouble = await self._snapshots(target, original, [when, *target.dates])
        snapshot = choices.get(when)
        dated = tuple((day, choices[day]) for day in target.dates if day in choices)
        if snapshot is not None:
            archive = snapshot
            if outcome is Outcome.DEAD:
                outcome = Outcome.ARCHIVED
                reason = f"{reason}; archived copy from {snapshot.captured_at.date().isoformat()}"
        elif trouble is not None and outcome is not Outcome.LIVE:
            reason = f"{reason} (archive not consulted: {trouble})"
        if outcome is Outcome.LIVE and settings.save_live and snapshot is None and trouble is None:
            saved = await self._save(original)
        return _Settled(outcome, reason, archive, saved, dated if snapshot is not None else ())

    def _expect_archive_lookups(self) -> None:
        """Announce every link that may look its URL up, so a host's lookups go out together."""
        if not self.settings.archive:
            return
        from verifier.check.archive.batch import Batcher

        self._batcher = Batcher(self._lookup_batch)
        for target, _ in self._pending:
            original = target.wayback.original if target.wayback else target.url
            self._batcher.expect(target.url, original)

    async def _lookup_batch(
        self, wanted: Mapping[str, list[dt.date | None]]
    ) -> Mapping[str, Choices | ArchiveUnavailable]:
        client = await self._archive_client()
        return await client.snapshots_of(wanted)

    async def _snapshots(
        self, target: Target, url: str, dates: Sequence[dt.date | None]
    ) -> tuple[dict[dt.date | None, Snapshot | None], str | None]:
        """The good snapshot nearest each date (cached; None: the newest), and why the archive
        was not asked if it was not; a date it was not asked about has no entry."""
        from verifier._exceptions import ArchiveUnavailable

        settings = self.settings
        now = self.clock()
        choices: dict[dt.date | None, Snapshot | None] = {}
        missing: list[dt.date | None] = []
        for when in dict.fromkeys(dates):
            cached = (
                self.store.archive_lookup(
                    url,
                    _lookup_key(when),
                    now,
                    found_ttl=settings.archive_found_ttl,
                    none_ttl=settings.archive_none_ttl,
                )
                if settings.use_cache
                else None
            )
            if cached is not None:
                choices[when] = cached.snapshot
            else:
                missing.append(when)
        if not missing or self._archive_down is not None or self._batcher is None:
            if self._batcher is not None:
                self._batcher.withdraw(target.url)
            return choices, self._archive_down if missing else None
        self._archive_waiting(+1)
        try:
            found = await self._batcher.lookup(target.url, url, missing)
            if settings.archive_verify:
                found = await self._verified(found)
        except ArchiveUnavailable as error:
            if error.kind == "quiet":
                # Its breaker is open for a minute or so: later links may ask again; nothing cached.
                return choices, QUIET_REASON
            # Stop asking for the rest of the run: an archive that refuses must be left alone.
            self._archive_down = f"the archive is unavailable: {error}"
            return choices, self._archive_down
        finally:
            self._archive_waiting(-1)
        moment = self.clock()
        for when in missing:
            choices[when] = found.get(when)
            self.store.record_archive_lookup(url, _lookup_key(when), choices[when], moment)
        return choices, None

    async def _verified(self, found: Choices) -> Choices:
        """Each chosen snapshot kept only if its capture serves: one request per capture."""
        client = await self._archive_client()
        serves: dict[str, bool] = {}
        for snapshot in found.values():
            if snapshot is not None and snapshot.url not in serves:
                serves[snapshot.url] = await client.verify(snapshot)
        return {
            when: snapshot if snapshot is not None and serves[snapshot.url] else None
            for when, snapshot in found.items()
        }

    def _archive_waiting(self, change: int) -> None:
        """Tell the progress display how many lookups wait on the archive's rate, and how long
        they will take: a first run with many dead links is paced by it and would look hung."""
        self._archive_queue += change
        if self.progress is not None:
            remaining = self._archive_queue
            eta = remaining * 60.0 / self.settings.archive_rate if remaining else None
            self.progress.waiting("Wayback lookups", remaining, eta)

    async def _save(self, url: str) -> Snapshot | None:
        from verifier._exceptions import ArchiveUnavailable

        if self._archive_down is not None:
            return None
        client = await self._archive_client()
        try:
            saved = await client.save(url)
        except ArchiveUnavailable as error:
            if error.kind != "quiet":
                self._archive_down = f"the archive is unavailable: {error}"
            return None
        if saved is not None:
            self.store.record_archive_lookup(url, "newest", saved, self.clock())
        return saved

    # The network clients, opened on first need

    async def _live_verdict(self, url: str, *, title: bool = False) -> LiveVerdict:
        """One live check per URL per run, shared by everyone who asks.

        ``title`` asks for the page's titles too; a check already under way without them is
        shared all the same, and its link simply gets no content-drift comparison.
        """
        import asyncio

        pending = self._checks.get(url)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[LiveVerdict] = asyncio.get_running_loop().create_future()
        self._checks[url] = future
        began = time.monotonic()
        try:
            checker = await self._live_checker()
            verdict = await checker.check(url, title=title)
        except BaseException:
            future.cancel()
            raise
        future.set_result(verdict)
        if _log.isEnabledFor(logging.INFO):
            status = verdict.http_status if verdict.http_status is not None else (verdict.failure or "-")
            _log.info(
                "%s: %s (%s) in %.2f s, %d attempt%s: %s",
                url,
                verdict.outcome,
                status,
                time.monotonic() - began,
                verdict.attempts,
                "" if verdict.attempts == 1 else "s",
                verdict.reason,
            )
        return verdict

    def _live_urls(self, target: Target) -> list[str]:
        """The addresses a live check of ``target`` asks: an archive copy's original too."""
        wayback = target.wayback
        return [target.url] if wayback is None else [wayback.original, self._copy_url(wayback)]

    def _entered(self) -> contextlib.AsyncExitStack[bool | None]:
        assert self._stack is not None, "clients are opened only while check_pending runs"
        return self._stack

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
                    self._live = await self._entered().enter_async_context(sharded)
                else:
                    from verifier.check.live.probe import LiveChecker

                    self._live = await self._entered().enter_async_context(LiveChecker(self.settings))
            return self._live

    async def _archive_client(self) -> ArchiveClient:
        if self._archive is not None:
            return self._archive
        assert self._open_lock is not None
        async with self._open_lock:
            if self._archive is None:
                from verifier.check.archive.client import ArchiveClient

                self._archive = await self._entered().enter_async_context(ArchiveClient(self.settings))
            return self._archive
