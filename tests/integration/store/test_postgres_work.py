"""The service's shared work in the PostgreSQL store, on a real server: work items, leases
shared by several connections, cool-downs, the archive's quiet, and the schema step that adds them.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import psycopg
import pytest

from tests.postgres import own_database
from verifier.model import LinkResult, Outcome
from verifier.store import WorkItem, postgres
from verifier.store.postgres import MIGRATIONS, SCHEMA_VERSION, PostgresStore

NOW = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def database() -> Iterator[str]:
    with own_database() as url:
        yield url


@pytest.fixture
def store(database: str) -> Iterator[PostgresStore]:
    with PostgresStore(database, batch_size=100, batch_seconds=3600) as opened:
        yield opened


def item(url: str) -> WorkItem:
    return WorkItem(url, url.split("/")[2], b"\x00\xff target of " + url.encode())


def live(url: str) -> LinkResult:
    return LinkResult(url=url, outcome=Outcome.LIVE, reason="200", checked_at=NOW)


def on_disk(database: str) -> tuple[list[str], list[tuple[str, bool]]]:
    with psycopg.connect(database) as db:
        results = [row[0] for row in db.execute("SELECT url FROM results ORDER BY url")]
        work = db.execute("SELECT url, done FROM work ORDER BY seq").fetchall()
    return results, work


def test_work_items_added_listed_done_and_dropped(store: PostgresStore) -> None:
    first = [item("http://a.test/3"), item("http://b.test/1"), item("http://a.test/1")]
    assert store.add_work("job", first) == 3
    assert store.add_work("job", [*first, item("http://a.test/2"), item("http://a.test/2")]) == 1
    assert store.add_work("job", [WorkItem("http://a.test/1", "a.test", b"changed")]) == 0
    assert store.add_work("other", [item("http://a.test/1")]) == 1
    assert store.add_work("job", []) == 0
    assert store.pending_work("job", "a.test") == [item(f"http://a.test/{n}") for n in (3, 1, 2)]
    assert store.work_hosts("job") == {"a.test": 3, "b.test": 1}
    store.work_done("job", "http://a.test/1")
    store.work_done("job", "http://a.test/1")
    store.work_done("job", "http://never.test/")
    assert store.work_progress("job") == (1, 4)
    assert store.work_progress("other") == (0, 1)
    assert [w.url for w in store.pending_work("job", "a.test")] == ["http://a.test/3", "http://a.test/2"]
    assert store.work_hosts("job") == {"a.test": 2, "b.test": 1}
    # A done mark still queued when the job is dropped does not reach the item added again.
    store.work_done("job", "http://b.test/1")
    store.drop_work("job")
    assert store.work_progress("job") == (0, 0)
    assert store.work_hosts("job") == {}
    assert store.add_work("job", [item("http://b.test/1")]) == 1
    assert store.work_progress("job") == (0, 1)
    assert store.work_progress("other") == (0, 1)


def test_many_items_keep_their_order_across_statements(
    store: PostgresStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgres, "_WORK_CHUNK", 7)
    urls = [f"http://a.test/{(n * 37) % 101}" for n in range(101)]
    assert store.add_work("job", [item(url) for url in urls]) == 101
    assert store.add_work("job", [item(url) for url in reversed(urls)]) == 0
    assert [w.url for w in store.pending_work("job", "a.test")] == urls


def test_a_done_mark_is_written_with_the_result_before_it(database: str) -> None:
    store = PostgresStore(database, batch_size=100, batch_seconds=3600)
    run = store.start_run(NOW)
    store.add_work("job", [item("http://a.test/1"), item("http://a.test/2")])
    store.pending_work("job", "a.test")
    store.record_result(run, live("http://a.test/1"), live_outcome=Outcome.LIVE, live_reason="", history=None)
    store.work_done("job", "http://a.test/1")
    assert on_disk(database) == ([], [("http://a.test/1", False), ("http://a.test/2", False)])
    store.flush()
    assert on_disk(database) == (["http://a.test/1"], [("http://a.test/1", True), ("http://a.test/2", False)])

    # A crash: the connections go without a flush. Neither the result nor its mark is there.
    store.record_result(run, live("http://a.test/2"), live_outcome=Outcome.LIVE, live_reason="", history=None)
    store.work_done("job", "http://a.test/2")
    store._pool.close()
    assert on_disk(database) == (["http://a.test/1"], [("http://a.test/1", True), ("http://a.test/2", False)])
    with PostgresStore(database) as reopened:
        assert reopened.work_progress("job") == (1, 2)
        assert reopened.pending_work("job", "a.test") == [item("http://a.test/2")]


def test_a_full_batch_waits_for_the_done_mark_of_its_last_result(database: str) -> None:
    with PostgresStore(database, batch_size=1, batch_seconds=3600) as store:
        run = store.start_run(NOW)
        store.add_work("job", [item("http://a.test/1")])
        store.pending_work("job", "a.test")
        store.record_result(
            run, live("http://a.test/1"), live_outcome=Outcome.LIVE, live_reason="", history=None
        )
        assert on_disk(database) == ([], [("http://a.test/1", False)])
        store.work_done("job", "http://a.test/1")
        assert on_disk(database) == (["http://a.test/1"], [("http://a.test/1", True)])


def test_leases_free_held_expired_renewed_and_released(store: PostgresStore, database: str) -> None:
    assert store.take_host("a.test", "w1", until=100.0, now=0.0)
    assert not store.take_host("a.test", "w2", until=200.0, now=50.0)
    assert store.take_host("a.test", "w1", until=300.0, now=90.0)
    assert not store.take_host("a.test", "w2", until=400.0, now=150.0)
    assert store.leased_hosts(["a.test", "b.test", "a.test"], now=299.0) == {"a.test"}
    assert store.leased_hosts(["a.test"], now=300.0) == set()
    assert store.leased_hosts([], now=0.0) == set()
    assert store.take_host("a.test", "w2", until=400.0, now=300.0)
    store.release_host("a.test", "w1")
    assert store.leased_hosts(["a.test"], now=350.0) == {"a.test"}
    # Another store (another machine) sees the same lease.
    with PostgresStore(database, pool_size=1) as other:
        assert not other.take_host("a.test", "w3", until=500.0, now=350.0)
        store.release_host("a.test", "w2")
        assert other.take_host("a.test", "w3", until=500.0, now=350.0)
    assert store.leased_hosts(["a.test"], now=499.0) == {"a.test"}


def test_racing_stores_each_host_goes_to_one(database: str) -> None:
    hosts = [f"h{n}.test" for n in range(40)]
    with PostgresStore(database) as setup:
        for host in hosts[::2]:  # leases of a worker gone before the race
            assert setup.take_host(host, "old", until=500.0, now=0.0)
    threads = 6
    barrier = threading.Barrier(threads)
    winners: dict[str, list[str]] = {host: [] for host in hosts}
    errors: list[BaseException] = []
    guard = threading.Lock()

    def race(owner: str) -> None:
        try:
            with PostgresStore(database, pool_size=1) as store:
                for host in hosts:
                    barrier.wait(timeout=30)
                    if store.take_host(host, owner, until=2000.0, now=1000.0):
                        with guard:
                            winners[host].append(owner)
        except BaseException as error:
            errors.append(error)
            barrier.abort()

    workers = [threading.Thread(target=race, args=(f"w{n}",)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert {host: len(won) for host, won in winners.items()} == dict.fromkeys(hosts, 1)
    with psycopg.connect(database) as db:
        owners = dict(db.execute("SELECT host, owner FROM host_leases").fetchall())
    assert owners == {host: won[0] for host, won in winners.items()}
    assert len({won[0] for won in winners.values()}) > 1


def test_cool_downs_and_the_archives_quiet_never_shorten(store: PostgresStore, database: str) -> None:
    assert store.host_cool_until("a.test") == 0.0
    store.cool_host("a.test", 100.0)
    with PostgresStore(database, pool_size=1) as other:
        other.cool_host("a.test", 50.0)
        assert other.host_cool_until("a.test") == 100.0
        other.cool_host("a.test", 150.5)
    assert store.host_cool_until("a.test") == 150.5
    assert store.host_cool_until("b.test") == 0.0
    assert store.archive_quiet_until("eth0") == 0.0
    store.quiet_archive("eth0", 200.0)
    store.quiet_archive("eth0", 10.0)
    assert store.archive_quiet_until("eth0") == 200.0
    store.quiet_archive("eth0", 250.25)
    assert store.archive_quiet_until("eth0") == 250.25
    assert store.archive_quiet_until("eth1") == 0.0


def test_a_store_at_schema_2_is_upgraded_keeping_its_data(database: str) -> None:
    with psycopg.connect(database, autocommit=True) as db:
        db.execute("CREATE TABLE verifier_schema (version INTEGER NOT NULL)")
        for step, script in MIGRATIONS:
            if step <= 2:
                db.execute(script)
        db.execute("INSERT INTO verifier_schema (version) VALUES (2)")
        db.execute("INSERT INTO runs (started, status) VALUES (1.0, 'complete')")
    with PostgresStore(database) as store:
        assert store.runs() == [(1, "complete")]
        assert store.add_work("job", [item("http://a.test/")]) == 1
        assert store.take_host("a.test", "w", until=10.0, now=0.0)
    assert SCHEMA_VERSION == 4
    with psycopg.connect(database) as db:
        # Step 4: finishing a run finds a URL's earlier rows by index.
        assert db.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'results_by_url_run'").fetchone()
        assert db.execute("SELECT version FROM verifier_schema").fetchall() == [(4,)]
