"""The SQLite store: results as they arrive, TTL reuse, history, archive lookups, schema version."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from verifier.model import LinkResult, Outcome, Snapshot
from verifier.store import SCHEMA_VERSION, HistoryRow, Store, StoreError

NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
TTL = {Outcome.LIVE: 3600.0, Outcome.DEAD: 600.0, Outcome.ARCHIVED: 600.0, Outcome.UNKNOWN: 0.0}


def result(
    url: str, outcome: Outcome = Outcome.LIVE, *, at: dt.datetime = NOW, **extra: object
) -> LinkResult:
    return LinkResult(url=url, outcome=outcome, reason=f"{outcome.value} because", checked_at=at, **extra)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "deep" / "cache.sqlite") as opened:
        yield opened


def test_creates_parent_folder_wal_and_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "cache.sqlite"
    Store(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"runs", "results", "history", "archive_lookups"} <= tables


def test_refuses_a_store_from_a_newer_version(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer verifier"):
        Store(path)


def test_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a usable verifier store"):
        Store(path)


def test_results_reach_the_disk_in_small_batches(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    store = Store(path, batch_size=2, batch_seconds=60)
    run = store.start_run(NOW)
    other = sqlite3.connect(path)

    def on_disk() -> list[tuple[object, ...]]:
        return other.execute("SELECT url, outcome, status, redirects FROM results ORDER BY url").fetchall()

    store.record_result(
        run,
        result("http://a.test/", Outcome.DEAD, http_status=404, redirects=("http://a.test/x",)),
        live_outcome=Outcome.DEAD,
        live_reason="HTTP 404",
        history=None,
    )
    assert on_disk() == [] and store.pending == 1
    store.record_result(
        run, result("http://b.test/"), live_outcome=Outcome.LIVE, live_reason="", history=None
    )
    # The batch is full: written without close or finish_run, as a killed run would leave it.
    assert on_disk() == [
        ("http://a.test/", "dead", 404, '["http://a.test/x"]'),
        ("http://b.test/", "live", None, "[]"),
    ]
    assert other.execute("SELECT status FROM runs").fetchall() == [("running",)]
    store.record_result(
        run, result("http://c.test/"), live_outcome=Outcome.LIVE, live_reason="", history=None
    )
    store.close()
    assert len(on_disk()) == 3  # closing writes what was queued


def test_a_quiet_interval_flushes_on_the_next_result(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache.sqlite", batch_size=1000, batch_seconds=0.0)
    run = store.start_run(NOW)
    store.record_result(
        run, result("http://a.test/"), live_outcome=Outcome.LIVE, live_reason="", history=None
    )
    assert store.pending == 0
    store.close()


def test_fresh_results_respect_ttl_per_outcome(store: Store) -> None:
    run = store.start_run(NOW)
    old = NOW - dt.timedelta(seconds=1000)
    store.record_result(
        run, result("http://live.test/", at=old), live_outcome=Outcome.LIVE, live_reason="200", history=None
    )
    store.record_result(
        run,
        result("http://dead.test/", Outcome.DEAD, at=old),
        live_outcome=Outcome.DEAD,
        live_reason="404",
        history=None,
    )
    store.record_result(
        run,
        result("http://unk.test/", Outcome.UNKNOWN),
        live_outcome=Outcome.UNKNOWN,
        live_reason="t",
        history=None,
    )
    fresh = store.fresh_results(
        ["http://live.test/", "http://dead.test/", "http://unk.test/", "http://no.test/"], TTL, NOW
    )
    assert set(fresh) == {"http://live.test/"}  # dead TTL 600 s < 1000 s; unknown TTL 0
    reused = fresh["http://live.test/"]
    assert reused.result.from_cache
    assert reused.result.checked_at == old
    assert reused.live_outcome is Outcome.LIVE


def test_fresh_results_keep_archive_fields_and_the_live_verdict(store: Store) -> None:
    run = store.start_run(NOW)
    snap = Snapshot(
        url="https://web.archive.org/web/20120326000000/http://x.test/",
        timestamp="20120326000000",
        original="http://x.test/",
    )
    store.record_result(
        run,
        result("http://x.test/", Outcome.ARCHIVED, archive=snap, http_status=404, final_url="http://x.test/"),
        live_outcome=Outcome.DEAD,
        live_reason="HTTP 404",
        history=None,
    )
    fresh = store.fresh_results(["http://x.test/"], TTL, NOW + dt.timedelta(seconds=5))["http://x.test/"]
    assert fresh.result.archive == snap
    assert fresh.result.http_status == 404
    assert (fresh.live_outcome, fresh.live_reason) == (Outcome.DEAD, "HTTP 404")


def test_reused_rows_never_extend_the_ttl(store: Store) -> None:
    first = store.start_run(NOW)
    checked = NOW - dt.timedelta(seconds=3500)
    store.record_result(
        first, result("http://a.test/", at=checked), live_outcome=Outcome.LIVE, live_reason="", history=None
    )
    second = store.start_run(NOW)
    store.record_result(
        second,
        result("http://a.test/", at=checked, from_cache=True),
        live_outcome=Outcome.LIVE,
        live_reason="",
        history=None,
    )
    assert store.fresh_results(["http://a.test/"], TTL, NOW)
    assert not store.fresh_results(["http://a.test/"], TTL, NOW + dt.timedelta(seconds=200))


def test_newest_fresh_check_wins(store: Store) -> None:
    one = store.start_run(NOW)
    store.record_result(
        one,
        result("http://a.test/", Outcome.DEAD, at=NOW - dt.timedelta(seconds=60)),
        live_outcome=Outcome.DEAD,
        live_reason="",
        history=None,
    )
    two = store.start_run(NOW)
    store.record_result(
        two,
        result("http://a.test/", at=NOW - dt.timedelta(seconds=10)),
        live_outcome=Outcome.LIVE,
        live_reason="",
        history=None,
    )
    assert store.fresh_results(["http://a.test/"], TTL, NOW)["http://a.test/"].result.outcome is Outcome.LIVE


def test_reused_times_come_back_to_the_second_and_ttl_counts_the_exact_age(store: Store) -> None:
    run = store.start_run(NOW)
    exact = NOW - dt.timedelta(seconds=3599, microseconds=600_000)
    history = HistoryRow(first_seen=exact, last_live=exact, consecutive_failures=0, last_outcome=Outcome.LIVE)
    store.record_result(
        run, result("http://a.test/", at=exact), live_outcome=Outcome.LIVE, live_reason="", history=history
    )
    reused = store.fresh_results(["http://a.test/"], TTL, NOW)["http://a.test/"]
    whole = exact.replace(microsecond=0)
    assert reused.result.checked_at == whole
    assert reused.history == HistoryRow(whole, whole, 0, Outcome.LIVE)
    # 3599.6 s old: within the hour's TTL now, past it 0.5 s later, though both read as 3599 s.
    later = NOW + dt.timedelta(microseconds=500_000)
    assert store.fresh_results(["http://a.test/"], TTL, later) == {}


def test_history_round_trip_and_many_urls(store: Store) -> None:
    run = store.start_run(NOW)
    urls = [f"http://h{i}.test/" for i in range(1200)]  # more than one chunk of parameters
    for index, url in enumerate(urls):
        row = HistoryRow(
            first_seen=NOW,
            last_live=None if index % 2 else NOW,
            consecutive_failures=index % 3,
            last_outcome=Outcome.DEAD,
        )
        store.record_result(run, result(url), live_outcome=Outcome.LIVE, live_reason="", history=row)
    histories = store.histories(urls)
    assert len(histories) == 1200
    assert histories[urls[5]] == HistoryRow(NOW, None, 2, Outcome.DEAD)
    assert histories[urls[4]].last_live == NOW
    assert len(store.fresh_results(urls, TTL, NOW)) == 1200


def test_a_new_check_supersedes_the_rows_of_earlier_runs(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    for night in range(3):
        with Store(path) as store:
            run = store.start_run(NOW)
            checked = NOW + dt.timedelta(days=night)
            store.record_result(
                run,
                result("http://a.test/", at=checked),
                live_outcome=Outcome.LIVE,
                live_reason="",
                history=None,
            )
            if night == 0:
                store.record_result(
                    run, result("http://once.test/"), live_outcome=Outcome.LIVE, live_reason="", history=None
                )
            store.finish_run(run, "complete", checked)
    rows = sqlite3.connect(path).execute("SELECT url, run FROM results ORDER BY url").fetchall()
    assert rows == [("http://a.test/", 3), ("http://once.test/", 1)]
    with Store(path) as store:
        fresh = store.fresh_results(["http://a.test/", "http://once.test/"], TTL, NOW + dt.timedelta(days=2))
    assert fresh["http://a.test/"].result.checked_at == NOW + dt.timedelta(days=2)
    assert set(fresh) == {"http://a.test/"}


def test_runs_and_run_results(store: Store) -> None:
    run = store.start_run(NOW)
    store.record_result(
        run, result("http://a.test/", Outcome.DEAD), live_outcome=Outcome.DEAD, live_reason="", history=None
    )
    store.finish_run(run, "complete", NOW)
    assert store.runs() == [(run, "complete")]
    assert store.run_results(run) == {"http://a.test/": Outcome.DEAD}


def test_archive_lookups_found_and_none_have_their_own_ttl(store: Store) -> None:
    snap = Snapshot(
        url="https://web.archive.org/web/2012/http://a.test/",
        timestamp="20120101000000",
        original="http://a.test/",
        status=200,
    )
    store.record_archive_lookup("http://a.test/", "2012-03-26", snap, NOW)
    store.record_archive_lookup("http://b.test/", "newest", None, NOW)
    later = NOW + dt.timedelta(seconds=100)
    found = store.archive_lookup("http://a.test/", "2012-03-26", later, found_ttl=1000, none_ttl=50)
    assert found is not None and found.snapshot == snap
    assert store.archive_lookup("http://b.test/", "newest", later, found_ttl=1000, none_ttl=150) is not None
    none = store.archive_lookup("http://b.test/", "newest", later, found_ttl=1000, none_ttl=150)
    assert none is not None and none.snapshot is None
    assert store.archive_lookup("http://b.test/", "newest", later, found_ttl=1000, none_ttl=50) is None
    assert store.archive_lookup("http://a.test/", "2013-01-01", later, found_ttl=1000, none_ttl=50) is None
    assert store.archive_lookup("http://a.test/", "2012-03-26", later, found_ttl=10, none_ttl=50) is None


def test_extractions_round_trip_exactly(tmp_path: Path) -> None:
    from verifier.model import (
        Citation,
        Document,
        FootnoteIssue,
        FootnoteIssueKind,
        Format,
        InputProblem,
        Reference,
        ReferenceIssue,
        ReferenceIssueKind,
        ReferenceKind,
        WaybackLocation,
    )

    reference = Reference(
        url="https://web.archive.org/web/2012/http://a.test/",
        raw="web.archive.org/web/2012/http://a.test/",
        kind=ReferenceKind.ARCHIVE,
        line=3,
        column=7,
        start=40,
        end=80,
        text="链接",
        footnote="2",
        citation=Citation(title="T", accessed=dt.date(2012, 3, 26), archive_date=dt.date(2013, 1, 1)),
        wayback=WaybackLocation("http://a.test/", "2012", "id_"),
        issues=(ReferenceIssue(ReferenceIssueKind.DEAD_LINK_TAG, "tagged dead"),),
    )
    document = Document(
        path="docs/a.md",
        format=Format.MARKDOWN,
        encoding="utf-8",
        references=(reference, Reference("", "Smith 2001", ReferenceKind.CITATION, 9, 1, 100, 110)),
        footnote_issues=(FootnoteIssue(FootnoteIssueKind.MISSING_DEFINITION, "3", 4, "no definition"),),
        date=dt.date(2020, 5, 1),
        digest="ab" * 32,
    )
    problems = [InputProblem("docs/a.md", 2, "odd", "warning")]
    with Store(tmp_path / "cache.sqlite") as store:
        store.extractions.put("docs/a.md", "k1", document, problems)
        store.extractions.put("docs/b.bin", "k2", None, [InputProblem("docs/b.bin", None, "binary")])
        store.flush()
        assert store.extractions.get("docs/a.md", "k1") == (document, problems)
        assert store.extractions.get("docs/a.md", "other key") is None
        assert store.extractions.get("docs/b.bin", "k2") == (
            None,
            [InputProblem("docs/b.bin", None, "binary")],
        )


def test_a_store_of_the_previous_schema_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE runs (id INTEGER PRIMARY KEY, started REAL NOT NULL,"
        " finished REAL, status TEXT NOT NULL);"
        "INSERT INTO runs (started, status) VALUES (1.0, 'complete'); PRAGMA user_version=1;"
    )
    db.close()
    with Store(path) as store:
        assert store.runs() == [(1, "complete")]
        store.extractions.put("a.md", "k", None, [])
        store.flush()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
