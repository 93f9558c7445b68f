"""StoreLimits over a store, and the archive's rate in an SQLite file every process opens."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sqlite3
import time
from pathlib import Path

from pyrate_limiter import Duration, Rate, SQLiteBucket

from verifier.config import Settings
from verifier.service.limits import LIMITS_FILE, StoreLimits, archive_limiter, archive_rates, redis_key
from verifier.store.memory import MemoryStore


def _pairs(rates: list[Rate]) -> list[tuple[int, int]]:
    return [(rate.limit, rate.interval) for rate in rates]


def test_the_rate_is_spaced_and_capped_per_minute() -> None:
    assert _pairs(archive_rates(20)) == [(1, 3000), (20, Duration.MINUTE.value)]
    assert _pairs(archive_rates(600)) == [(1, 100), (600, Duration.MINUTE.value)]
    # 7 a minute: one every 8.572 s already keeps any minute to 7, and a minute of 7 would be
    # denser than that spacing, which pyrate-limiter refuses.
    assert _pairs(archive_rates(7)) == [(1, 8572)]
    assert _pairs(archive_rates(1.5)) == [(1, 40_000)]
    assert _pairs(archive_rates(0.5)) == [(1, 120_000)]


def test_the_archive_quiet_is_the_egress_ids_and_cool_downs_every_workers(tmp_path: Path) -> None:
    store = MemoryStore()  # any store with the SharedWork methods
    settings = Settings(archive_rate=600)
    ours = StoreLimits(store, "eu-1", archive_limiter(settings, tmp_path))
    theirs = StoreLimits(store, "us-1", archive_limiter(settings, tmp_path))
    try:
        ours.quiet_archive(1000.0)
        ours.quiet_archive(900.0)  # never shortened
        assert ours.archive_quiet_until() == 1000.0
        assert theirs.archive_quiet_until() == 0.0
        ours.cool_host("example.org", 2000.0)
        assert theirs.host_cool_until("example.org") == 2000.0
        assert (store.archive_quiet_until("eu-1"), store.host_cool_until("example.org")) == (1000.0, 2000.0)
    finally:
        ours.close()
        theirs.close()


async def test_without_redis_or_postgresql_the_bucket_is_a_file_every_process_shares(tmp_path: Path) -> None:
    settings = Settings(archive_rate=600, egress_id="eu-1")  # one request every 0.1 s
    limiter = archive_limiter(settings, tmp_path / "data")
    [bucket] = limiter.buckets()
    assert isinstance(bucket, SQLiteBucket)
    assert bucket.table == "archive_eu-1"
    assert (tmp_path / "data" / LIMITS_FILE).is_file()
    # Two limiters on the file, as two worker processes on one machine would have.
    other = archive_limiter(settings, tmp_path / "data")
    workers = [StoreLimits(MemoryStore(), "eu-1", limiter), StoreLimits(MemoryStore(), "eu-1", other)]
    begun = time.monotonic()
    try:
        for pair in itertools.repeat(workers, 3):
            await asyncio.gather(*(limits.archive_turn() for limits in pair))
    finally:
        for limits in workers:
            limits.close()
    assert time.monotonic() - begun >= 0.5
    with contextlib.closing(sqlite3.connect(tmp_path / "data" / LIMITS_FILE)) as db:
        stamps = [row[0] for row in db.execute('SELECT item_timestamp FROM "archive_eu-1" ORDER BY 1')]
    assert len(stamps) == 6
    gaps = [later - earlier for earlier, later in itertools.pairwise(stamps)]
    assert min(gaps) > 100, gaps  # milliseconds


def test_the_redis_key_is_named_after_the_egress_id_under_the_queues_prefix() -> None:
    assert redis_key("redis://h:6379/0?prefix=team", "eu-1") == "team:archive-rate:eu-1"
    assert redis_key("redis://h:6379/0", "default") == "verifier:archive-rate:default"
