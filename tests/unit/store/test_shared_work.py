"""The shared work of the service in the memory and SQLite stores: work items, leases, cool-downs.

The PostgreSQL store passes the same checks in tests/integration/store/test_postgres_work.py.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from verifier.model import LinkResult, Outcome
from verifier.store import MemoryStore, SQLiteStore, WorkItem
from verifier.store.base import SharedWork
from verifier.store.sqlite import _CHUNK, MIGRATIONS, SCHEMA_VERSION

NOW = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)


def item(url: str, host: str | None = None) -> WorkItem:
    host = host or url.split("/")[2]
    return WorkItem(url, host, b"\x00\xff target of " + url.encode())


def live(url: str) -> LinkResult:
    return LinkResult(url=url, outcome=Outcome.LIVE, reason="200", checked_at=NOW)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SharedWork]:
    if request.param == "memory":
        yield MemoryStore()
    else:
        with SQLiteStore(tmp_path / "cache.sqlite") as opened:
            yield opened


# Work items


def test_add_work_is_idempotent_and_counts_only_new_items(store: SharedWork) -> None:
    first = [item("http://a.test/1"), item("http://b.test/1"), item("http://a.test/2")]
    assert store.add_work("job", first) == 3
    assert store.add_work("job", first) == 0
    # A duplicate inside one call counts once; a changed item keeps what was there.
    changed = WorkItem("http://a.test/1", "a.test", b"other")
    assert (
        store.add_work("job", (x for x in [item("http://c.test/1"), item("http://c.test/1"), changed])) == 1
    )
    assert store.pending_work("job", "a.test") == [item("http://a.test/1"), item("http://a.test/2")]
    # The same URL in another job is another item.
    assert store.add_work("other", [item("http://a.test/1")]) == 1
    assert store.work_progress("job") == (0, 4)
    assert store.work_progress("other") == (0, 1)
    assert store.add_work("job", []) == 0


def test_pending_work_comes_back_in_the_order_it_was_added(store: SharedWork) -> None:
    urls = [f"http://a.test/{n}" for n in (5, 3, 9, 1)]
    store.add_work("job", [item(urls[0]), item("http://b.test/x"), item(urls[1])])
    store.add_work("later", [item("http://a.test/later")])
    store.add_work("job", [item(urls[2]), item(urls[3])])
    store.drop_work("later")
    # Items added after another job was dropped still come after the job's older ones.
    store.add_work("job", [item("http://a.test/0")])
    assert [w.url for w in store.pending_work("job", "a.test")] == [*urls, "http://a.test/0"]
    assert store.pending_work("job", "b.test") == [item("http://b.test/x")]
    assert store.pending_work("job", "nobody.test") == []
    assert store.pending_work("nojob", "a.test") == []


def test_hosts_progress_done_and_drop(store: SharedWork) -> None:
    store.add_work("job", [item(f"http://a.test/{n}") for n in range(3)] + [item("http://b.test/")])
    assert store.work_hosts("job") == {"a.test": 3, "b.test": 1}
    store.work_done("job", "http://a.test/1")
    store.work_done("job", "http://b.test/")
    store.work_done("job", "http://b.test/")  # twice is once
    store.work_done("job", "http://never.test/")  # no such item: nothing happens
    store.work_done("nojob", "http://a.test/0")
    assert store.work_progress("job") == (2, 4)
    assert store.work_hosts("job") == {"a.test": 2}
    assert [w.url for w in store.pending_work("job", "a.test")] == ["http://a.test/0", "http://a.test/2"]
    assert store.pending_work("job", "b.test") == []
    # A done item added again stays done.
    assert store.add_work("job", [item("http://b.test/")]) == 0
    assert store.work_progress("job") == (2, 4)
    store.drop_work("job")
    assert store.work_progress("job") == (0, 0)
    assert store.work_hosts("job") == {}
    assert store.work_hosts("nojob") == {}
    assert store.add_work("job", [item("http://b.test/")]) == 1
    assert store.work_progress("job") == (0, 1)


def test_a_done_mark_queued_before_a_drop_does_not_reach_the_item_added_again(
    store: SharedWork,
) -> None:
    store.add_work("job", [item("http://a.test/")])
    store.work_done("job", "http://a.test/")
    store.drop_work("job")
    store.add_work("job", [item("http://a.test/")])
    if isinstance(store, SQLiteStore):
        store.flush()
    assert store.work_progress("job") == (0, 1)


# Hosts


def test_leases_free_held_expired_renewed_and_released(store: SharedWork) -> None:
    assert store.take_host("a.test", "w1", until=100.0, now=0.0)  # never leased
    assert not store.take_host("a.test", "w2", until=200.0, now=50.0)  # held by w1
    assert store.take_host("a.test", "w1", until=300.0, now=90.0)  # w1 renews
    assert not store.take_host("a.test", "w2", until=400.0, now=150.0)  # still held, renewed
    assert store.leased_hosts(["a.test", "b.test"], now=299.0) == {"a.test"}
    assert store.leased_hosts(["a.test"], now=300.0) == set()  # expired at its end
    assert store.take_host("a.test", "w2", until=400.0, now=300.0)  # expired: w2 takes it
    assert not store.take_host("a.test", "w1", until=500.0, now=301.0)
    store.release_host("a.test", "w1")  # not w1's: left alone
    assert store.leased_hosts(["a.test"], now=350.0) == {"a.test"}
    assert not store.take_host("a.test", "w3", until=500.0, now=350.0)
    store.release_host("a.test", "w2")
    assert store.leased_hosts(["a.test"], now=350.0) == set()
    assert store.take_host("a.test", "w3", until=500.0, now=350.0)
    store.release_host("never.test", "w3")  # no lease at all: nothing to do


def test_leased_hosts_asks_about_any_number_of_hosts(store: SharedWork) -> None:
    hosts = [f"h{n}.test" for n in range(_CHUNK * 2 + 7)]
    for n, host in enumerate(hosts):
        # Every third host's lease has expired by 1000.
        assert store.take_host(host, "w", until=500.0 if n % 3 == 0 else 2000.0, now=0.0)
    expected = {host for n, host in enumerate(hosts) if n % 3}
    assert store.leased_hosts([*hosts, "other.test", hosts[1]], now=1000.0) == expected
    assert store.leased_hosts([], now=1000.0) == set()


def test_cool_downs_and_the_archives_quiet_never_shorten(store: SharedWork) -> None:
    assert store.host_cool_until("a.test") == 0.0
    store.cool_host("a.test", 100.0)
    store.cool_host("a.test", 50.0)
    assert store.host_cool_until("a.test") == 100.0
    store.cool_host("a.test", 150.5)
    assert store.host_cool_until("a.test") == 150.5
    assert store.host_cool_until("b.test") == 0.0

    assert store.archive_quiet_until("eth0") == 0.0
    store.quiet_archive("eth0", 200.0)
    store.quiet_archive("eth0", 10.0)
    assert store.archive_quiet_until("eth0") == 200.0
    store.quiet_archive("eth0", 250.25)
    assert store.archive_quiet_until("eth0") == 250.25
    assert store.archive_quiet_until("eth1") == 0.0


def test_memory_leases_go_to_one_thread() -> None:
    store = MemoryStore()
    winners = _race(lambda: contextlib.nullcontext(store), threads=8, hosts=[f"h{n}.test" for n in range(50)])
    assert all(len(won) == 1 for won in winners.values()), winners


# SQLite: the same transaction for a result and its done mark


def _on_disk(path: Path) -> tuple[list[str], list[tuple[str, int]]]:
    other = sqlite3.connect(path)
    try:
        results = [row[0] for row in other.execute("SELECT url FROM results ORDER BY url")]
        work = other.execute("SELECT url, done FROM work ORDER BY seq").fetchall()
    finally:
        other.close()
    return results, work


def test_a_done_mark_is_written_with_the_result_before_it(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    store = SQLiteStore(path, batch_size=100, batch_seconds=3600)
    run = store.start_run(NOW)
    store.add_work("job", [item("http://a.test/1"), item("http://a.test/2")])
    store.pending_work("job", "a.test")
    store.record_result(run, live("http://a.test/1"), live_outcome=Outcome.LIVE, live_reason="", history=None)
    store.work_done("job", "http://a.test/1")
    assert _on_disk(path) == ([], [("http://a.test/1", 0), ("http://a.test/2", 0)])
    store.flush()
    assert _on_disk(path) == (["http://a.test/1"], [("http://a.test/1", 1), ("http://a.test/2", 0)])

    # A crash: the connection goes without a flush. Neither the result nor its mark is there.
    store.record_result(run, live("http://a.test/2"), live_outcome=Outcome.LIVE, live_reason="", history=None)
    store.work_done("job", "http://a.test/2")
    store._db.close()
    assert _on_disk(path) == (["http://a.test/1"], [("http://a.test/1", 1), ("http://a.test/2", 0)])
    with SQLiteStore(path) as reopened:
        assert reopened.work_progress("job") == (1, 2)
        assert reopened.pending_work("job", "a.test") == [item("http://a.test/2")]


def test_a_full_batch_waits_for_the_done_mark_of_its_last_result(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    store = SQLiteStore(path, batch_size=1, batch_seconds=3600)
    run = store.start_run(NOW)
    store.add_work("job", [item("http://a.test/1")])
    assert store.pending_work("job", "a.test") == [item("http://a.test/1")]
    store.record_result(run, live("http://a.test/1"), live_outcome=Outcome.LIVE, live_reason="", history=None)
    # The batch is full, but writing it now would leave the result without its mark.
    assert _on_disk(path) == ([], [("http://a.test/1", 0)])
    store.work_done("job", "http://a.test/1")
    assert _on_disk(path) == (["http://a.test/1"], [("http://a.test/1", 1)])
    # A result that is no handed-out item is written as soon as the batch is full, as always.
    store.record_result(run, live("http://b.test/"), live_outcome=Outcome.LIVE, live_reason="", history=None)
    assert _on_disk(path)[0] == ["http://a.test/1", "http://b.test/"]
    store.close()


def test_releasing_a_host_writes_what_was_checked_under_its_lease(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    with SQLiteStore(path, batch_size=100, batch_seconds=3600) as store:
        run = store.start_run(NOW)
        store.add_work("job", [item("http://a.test/")])
        assert store.take_host("a.test", "w1", until=100.0, now=0.0)
        store.pending_work("job", "a.test")
        store.record_result(
            run, live("http://a.test/"), live_outcome=Outcome.LIVE, live_reason="", history=None
        )
        store.work_done("job", "http://a.test/")
        store.release_host("a.test", "w1")
        assert _on_disk(path) == (["http://a.test/"], [("http://a.test/", 1)])


# SQLite: several processes on one file


def _race(
    open_store: Callable[[], AbstractContextManager[SharedWork]], *, threads: int, hosts: list[str]
) -> dict[str, list[str]]:
    """Each thread opens its own store (an SQLite connection belongs to the thread that made
    it) and tries every host at the same moment as the others; the winners of each host."""
    barrier = threading.Barrier(threads)
    winners: dict[str, list[str]] = {host: [] for host in hosts}
    errors: list[BaseException] = []
    guard = threading.Lock()

    def run(owner: str) -> None:
        try:
            with open_store() as store:
                for host in hosts:
                    barrier.wait(timeout=30)
                    if store.take_host(host, owner, until=2000.0, now=1000.0):
                        with guard:
                            winners[host].append(owner)
        except BaseException as error:
            errors.append(error)
            barrier.abort()

    workers = [threading.Thread(target=run, args=(f"w{n}",)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    return winners


def test_two_stores_on_one_file_racing_for_a_host_one_wins(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    hosts = [f"h{n}.test" for n in range(60)]
    with SQLiteStore(path) as setup:
        # Half the hosts were leased by a worker whose leases have expired by the race.
        for host in hosts[::2]:
            assert setup.take_host(host, "old", until=500.0, now=0.0)
    winners = _race(lambda: SQLiteStore(path, verify=False), threads=2, hosts=hosts)
    assert {host: len(won) for host, won in winners.items()} == dict.fromkeys(hosts, 1)
    with SQLiteStore(path) as check:
        owners = dict(check._db.execute("SELECT host, owner FROM host_leases").fetchall())
        assert owners == {host: won[0] for host, won in winners.items()}
        assert check.leased_hosts(hosts, now=1999.0) == set(hosts)
    # Both threads won some hosts, so the race was real in both directions.
    assert {won[0] for won in winners.values()} == {"w0", "w1"}


def test_work_added_by_one_store_is_seen_and_finished_by_another(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    with SQLiteStore(path) as planner, SQLiteStore(path) as worker:
        assert planner.add_work("job", [item("http://a.test/1"), item("http://a.test/2")]) == 2
        assert worker.add_work("job", [item("http://a.test/2"), item("http://a.test/3")]) == 1
        assert worker.pending_work("job", "a.test") == [item(f"http://a.test/{n}") for n in (1, 2, 3)]
        worker.work_done("job", "http://a.test/2")
        worker.flush()
        assert planner.work_progress("job") == (1, 3)
        worker.cool_host("a.test", 70.0)
        worker.quiet_archive("eth0", 80.0)
        assert planner.host_cool_until("a.test") == 70.0
        assert planner.archive_quiet_until("eth0") == 80.0


# SQLite: the schema


def test_a_store_at_schema_4_is_upgraded_keeping_its_data(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    db = sqlite3.connect(path)
    for step, script in MIGRATIONS:
        if step <= 4:
            db.executescript(script)
    db.executescript(
        "INSERT INTO runs (started, status) VALUES (1.0, 'complete');"
        "INSERT INTO history (url, first_seen, consecutive_failures, last_outcome)"
        " VALUES ('http://a.test/', 1.0, 2, 'dead');"
        "PRAGMA user_version=4;"
    )
    db.close()
    with SQLiteStore(path) as store:
        assert store.runs() == [(1, "complete")]
        history = store.histories(["http://a.test/"])["http://a.test/"]
        assert (history.consecutive_failures, history.last_outcome) == (2, Outcome.DEAD)
        assert store.add_work("job", [item("http://a.test/")]) == 1
        assert store.take_host("a.test", "w", until=10.0, now=0.0)
    assert SCHEMA_VERSION == 5
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 5
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"work", "host_leases", "host_cooldowns", "archive_quiet"} <= tables
    db.close()


def test_a_hosts_undone_items_are_read_from_the_index_in_order(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "cache.sqlite") as store:
        plan = store._db.execute(
            "EXPLAIN QUERY PLAN SELECT url, target FROM work"
            " WHERE job = ? AND host = ? AND done = 0 ORDER BY seq",
            ("job", "a.test"),
        ).fetchall()
    details = " ".join(row[-1] for row in plan)
    assert "work_undone" in details and "TEMP B-TREE" not in details
