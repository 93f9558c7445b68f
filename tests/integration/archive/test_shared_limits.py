"""Workers' archive clients share one rate and one quiet, read from the fake's log.

Two ArchiveClients stand for two worker processes: limits shared through a store and a real
bucket (an SQLite file, Redis, PostgreSQL).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.archive.conftest import SettingsFactory
from tests.postgres import own_database
from tests.servers.wayback import FakeWayback
from verifier.check.archive.breaker import QUIET
from verifier.check.archive.client import ArchiveClient, ArchiveUnavailable
from verifier.config import Settings
from verifier.model import Snapshot
from verifier.service.limits import StoreLimits, archive_limiter, redis_key
from verifier.store.memory import MemoryStore

WHEN = dt.date(2012, 3, 26)
REDIS = os.environ.get("VERIFIER_TEST_REDIS", "redis://127.0.0.1:6379/0")
RATE = 600.0  # a minute, both workers together: one request every 0.1 s
INTERVAL = 60.0 / RATE
#: How much later than the client sent it the server may log a request's start.
LATE = 0.05


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def urls(first: int, count: int) -> list[str]:
    return [f"http://site{n}.example.com/page" for n in range(first, first + count)]


def fill(wayback: FakeWayback, addresses: list[str]) -> None:
    for address in addresses:
        wayback.add(address, ("20120301000000", 200, "text/html", "x"))


async def lookup_all(archive: ArchiveClient, addresses: list[str]) -> list[Snapshot | BaseException | None]:
    return await asyncio.gather(
        *(archive.nearest_snapshot(address, WHEN) for address in addresses), return_exceptions=True
    )


async def two_workers_look_up(wayback: FakeWayback, first: Settings, second: Settings, each: int) -> None:
    """Each worker looks up ``each`` URLs of its own at once, both at the same time."""
    ours, theirs = urls(0, each), urls(each, each)
    fill(wayback, ours + theirs)
    async with ArchiveClient(first) as one, ArchiveClient(second) as other:
        results = await asyncio.gather(lookup_all(one, ours), lookup_all(other, theirs))
    assert all(isinstance(result, Snapshot) for result in results[0] + results[1]), results


def assert_within_the_rate(wayback: FakeWayback, requests: int) -> None:
    starts = wayback.starts("cdx")
    assert len(starts) == requests
    # Each worker alone keeps to the rate: only the shared turns keep the two together to it.
    assert starts[-1] - starts[0] >= (requests - 1) * INTERVAL - LATE
    for window in (0.25, 0.5, 1.0):
        busiest = max(sum(1 for s in starts if first <= s < first + window) for first in starts)
        assert busiest <= (window + LATE) / INTERVAL + 1, (window, busiest)


async def test_two_workers_sharing_a_file_bucket_keep_to_one_rate(
    wayback: FakeWayback, quick: SettingsFactory, tmp_path: Path
) -> None:
    limits = StoreLimits(MemoryStore(), "default", archive_limiter(quick(archive_rate=RATE), tmp_path))
    try:
        settings = quick(archive_rate=RATE, archive_concurrency=2, shared_limits=limits)
        await two_workers_look_up(wayback, settings, settings, each=8)
    finally:
        limits.close()
    assert_within_the_rate(wayback, 16)


async def test_every_archive_request_takes_a_shared_turn(
    wayback: FakeWayback, quick: SettingsFactory, tmp_path: Path
) -> None:
    turns = 0

    class Counted(StoreLimits):
        async def archive_turn(self) -> None:
            nonlocal turns
            turns += 1
            await super().archive_turn()

    counted = Counted(MemoryStore(), "default", archive_limiter(quick(), tmp_path))
    page = "http://example.com/page"
    wayback.add(page, ("20120301000000", 200, "text/html", "x"))
    wayback.fail_next(502, times=2, route="cdx")
    try:
        async with ArchiveClient(quick(retries=1, shared_limits=counted)) as archive:
            snapshot = await archive.nearest_snapshot(page, WHEN)  # 2 CDX tries, then availability
            assert snapshot is not None
            assert await archive.verify(snapshot)
            await archive.save("http://example.com/new")
            assert archive.requests_made == 5
    finally:
        counted.close()
    assert [wayback.count(route) for route in ("cdx", "available", "web", "save")] == [2, 1, 1, 1]
    assert turns == 5


async def test_a_429_met_by_one_worker_quiets_the_other(
    wayback: FakeWayback, quick: SettingsFactory, tmp_path: Path
) -> None:
    store = MemoryStore()
    limits = StoreLimits(store, "default", archive_limiter(quick(), tmp_path))
    fill(wayback, urls(0, 3))
    wayback.fail_next(429, times=1, route="cdx")
    clock, wall = Clock(1000.0), Clock(1_700_000_000.0)
    settings = quick(shared_limits=limits)
    try:
        async with (
            ArchiveClient(settings, clock=clock, wall=wall) as one,
            ArchiveClient(settings, clock=clock, wall=wall) as other,
        ):
            with pytest.raises(ArchiveUnavailable) as caught:
                await one.nearest_snapshot(urls(0, 1)[0], WHEN)
            assert caught.value.kind == "quiet"
            assert store.archive_quiet_until("default") == wall.now + QUIET
            for address in urls(1, 2):
                with pytest.raises(ArchiveUnavailable) as caught:
                    await other.nearest_snapshot(address, WHEN)
                assert caught.value.kind == "quiet"
            clock.now += QUIET - 1
            wall.now += QUIET - 1
            with pytest.raises(ArchiveUnavailable):
                await other.nearest_snapshot(urls(1, 1)[0], WHEN)
            assert (wayback.count(), other.requests_made, other.breaker.trips) == (1, 0, 0)
            clock.now += 1.5
            wall.now += 1.5
            assert await other.nearest_snapshot(urls(1, 1)[0], WHEN) is not None
    finally:
        limits.close()
    assert [r.status for r in wayback.requests] == [429, 200]


@contextlib.contextmanager
def redis_prefix() -> Iterator[str]:
    """A queue URL with a key prefix of the test's own; its keys are removed afterwards."""
    import redis

    client = redis.Redis.from_url(REDIS, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no Redis at {REDIS}: {error}")
    prefix = f"verifier-test-{uuid.uuid4().hex[:10]}"
    try:
        yield f"{REDIS}?prefix={prefix}"
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        client.close()


async def test_two_workers_sharing_a_redis_bucket_keep_to_one_rate(
    wayback: FakeWayback, quick: SettingsFactory, tmp_path: Path
) -> None:
    with redis_prefix() as queue_url:
        base = quick(archive_rate=RATE, queue_url=queue_url)
        # A limiter each, on two Redis connections, as workers on two machines have.
        store = MemoryStore()
        workers = [StoreLimits(store, "default", archive_limiter(base, tmp_path / name)) for name in "ab"]
        try:
            first, second = (dataclasses.replace(base, shared_limits=w) for w in workers)
            await two_workers_look_up(wayback, first, second, each=6)
        finally:
            for limits in workers:
                limits.close()
        assert not (tmp_path / "a").exists()  # the bucket is in Redis, not in a file
        import redis

        client = redis.Redis.from_url(REDIS)
        assert client.zcard(redis_key(queue_url, "default")) == 12
        client.close()
    assert_within_the_rate(wayback, 12)


async def test_two_workers_sharing_a_postgresql_bucket_keep_to_one_rate(
    wayback: FakeWayback, quick: SettingsFactory, tmp_path: Path
) -> None:
    with own_database() as store_url:
        base = quick(archive_rate=RATE, store_url=store_url)
        store = MemoryStore()
        workers = [StoreLimits(store, "default", archive_limiter(base, tmp_path / name)) for name in "ab"]
        try:
            first, second = (dataclasses.replace(base, shared_limits=w) for w in workers)
            await two_workers_look_up(wayback, first, second, each=6)
        finally:
            for limits in workers:
                limits.close()
        assert not (tmp_path / "a").exists()
    assert_within_the_rate(wayback, 12)
