"""The archive is never hammered: rate, concurrency, 429s and timeouts, read from the fake's log."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import time

import pytest

from tests.integration.archive.conftest import SettingsFactory
from tests.servers.wayback import FakeWayback
from verifier.check.archive.client import ArchiveClient, ArchiveUnavailable
from verifier.model import Snapshot

WHEN = dt.date(2012, 3, 26)


def urls(count: int) -> list[str]:
    return [f"http://site{n}.example.com/page" for n in range(count)]


def fill(wayback: FakeWayback, addresses: list[str]) -> None:
    for address in addresses:
        wayback.add(address, ("20120301000000", 200, "text/html", "x"))


async def lookup_all(archive: ArchiveClient, addresses: list[str]) -> list[Snapshot | BaseException | None]:
    return await asyncio.gather(
        *(archive.nearest_snapshot(address, WHEN) for address in addresses), return_exceptions=True
    )


async def test_fifty_concurrent_lookups_keep_to_the_rate(
    wayback: FakeWayback, quick: SettingsFactory
) -> None:
    addresses = urls(50)
    fill(wayback, addresses)
    rate = 1500.0  # a minute: one start every 0.04 s
    interval = 60.0 / rate
    async with ArchiveClient(quick(archive_rate=rate)) as archive:
        results = await lookup_all(archive, addresses)
    assert all(isinstance(result, Snapshot) for result in results)
    starts = wayback.starts("cdx")
    assert len(starts) == 50
    # The client schedules starts exactly an interval apart; the server sees each one late by
    # a few milliseconds at most (a new connection, a thread to start), never early.
    late = 0.05
    assert starts[-1] - starts[1] >= 48 * interval - late
    for first, third in itertools.pairwise(starts[::2]):
        assert third - first >= 2 * interval - late
    # No window sees more than its share of the rate (plus the one opening it and the lateness).
    for window in (0.2, 0.5, 1.0):
        busiest = max(sum(1 for s in starts if first <= s < first + window) for first in starts)
        assert busiest <= (window + late) / interval + 1, (window, busiest)


async def test_no_more_than_the_archive_concurrency_at_once(
    wayback: FakeWayback, quick: SettingsFactory
) -> None:
    addresses = urls(12)
    fill(wayback, addresses)
    wayback.delay = 0.05  # each answer takes a while, so lookups would pile up without the limit
    async with ArchiveClient(quick(archive_rate=600_000.0, archive_concurrency=2)) as archive:
        results = await lookup_all(archive, addresses)
    assert all(isinstance(result, Snapshot) for result in results)
    assert wayback.max_in_flight == 2


class FakeClock:
    """Monotonic seconds that move only when the test says."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_429_stops_every_archive_call_for_a_minute(
    wayback: FakeWayback, quick: SettingsFactory
) -> None:
    fill(wayback, ["http://a.example.com/", "http://b.example.com/"])
    wayback.fail_next(429, times=1, retry_after="0.3", route="cdx")
    clock = FakeClock()
    async with ArchiveClient(quick(retry_backoff=0.01), clock=clock) as archive:
        with pytest.raises(ArchiveUnavailable) as caught:
            await archive.nearest_snapshot("http://a.example.com/", WHEN)
        assert caught.value.kind == "quiet"
        assert str(caught.value).startswith("the archive asked for quiet")
        assert wayback.count() == 1  # not asked again, whatever the Retry-After said
        clock.now += 59.0
        begun = time.monotonic()
        for address in ("http://a.example.com/", "http://b.example.com/"):
            with pytest.raises(ArchiveUnavailable) as caught:
                await archive.nearest_snapshot(address, WHEN)
            assert caught.value.kind == "quiet"
        assert time.monotonic() - begun < 0.1  # reported at once, not waited out
        assert wayback.count() == 1
        clock.now += 1.5
        assert await archive.nearest_snapshot("http://b.example.com/", WHEN) is not None
    assert [r.status for r in wayback.requests] == [429, 200]
    assert wayback.count("available") == 0  # throttled: another endpoint would only add load


async def test_a_retry_after_longer_than_a_minute_holds_that_long(
    wayback: FakeWayback, quick: SettingsFactory
) -> None:
    fill(wayback, ["http://a.example.com/"])
    wayback.fail_next(429, times=1, retry_after="300", route="cdx")
    clock = FakeClock()
    async with ArchiveClient(quick(), clock=clock) as archive:
        with pytest.raises(ArchiveUnavailable):
            await archive.nearest_snapshot("http://a.example.com/", WHEN)
        assert archive.breaker.remaining() == 300.0
        clock.now += 299.0
        with pytest.raises(ArchiveUnavailable) as caught:
            await archive.nearest_snapshot("http://a.example.com/", WHEN)
        assert caught.value.kind == "quiet"
        clock.now += 1.0
        assert await archive.nearest_snapshot("http://a.example.com/", WHEN) is not None
    assert wayback.count() == 2


async def test_a_call_queued_behind_the_limiter_does_not_go_out_after_a_429(
    wayback: FakeWayback, quick: SettingsFactory
) -> None:
    addresses = urls(6)
    fill(wayback, addresses)
    wayback.delay = 0.05
    wayback.fail_next(429, times=1, route="cdx")
    async with ArchiveClient(quick(archive_concurrency=1)) as archive:
        results = await lookup_all(archive, addresses)
    assert wayback.count() == 1
    assert all(isinstance(r, ArchiveUnavailable) and r.kind == "quiet" for r in results)


async def test_backoff_doubles_without_a_retry_after(wayback: FakeWayback, quick: SettingsFactory) -> None:
    fill(wayback, ["http://a.example.com/"])
    wayback.fail_next(503, times=2, route="cdx")
    async with ArchiveClient(quick(retry_backoff=0.1)) as archive:
        assert await archive.nearest_snapshot("http://a.example.com/", WHEN) is not None
    starts = wayback.starts("cdx")
    assert starts[1] - starts[0] >= 0.1
    assert starts[2] - starts[1] >= 0.2


async def test_a_5xx_is_asked_again_retries_times_then_the_availability_api(
    wayback: FakeWayback, quick: SettingsFactory
) -> None:
    fill(wayback, ["http://a.example.com/"])
    wayback.fail_next(502, times=100, route="cdx")
    async with ArchiveClient(quick(retries=2, retry_backoff=0.01)) as archive:
        assert await archive.nearest_snapshot("http://a.example.com/", WHEN) is not None
    assert wayback.count("cdx") == 3
    assert wayback.count("available") == 1
    assert archive.breaker.trips == 0


async def test_under_pressure_nobody_asks_during_the_quiet_asked_for(
    wayback: FakeWayback, quick: SettingsFactory
) -> None:
    addresses = urls(12)
    fill(wayback, addresses)
    quiet = 0.3
    wayback.pressure(limit=4, window=0.3, retry_after=str(quiet))
    settings = quick(archive_rate=12_000.0, archive_concurrency=2, retries=3, retry_backoff=0.01)
    async with ArchiveClient(settings) as archive:
        results = await lookup_all(archive, addresses)
        assert archive.requests_made == wayback.count()
    requests = wayback.requests
    assert len(requests) <= 12 * 4  # every lookup gives up after its tries
    assert any(isinstance(result, Snapshot) for result in results)
    assert all(isinstance(result, Snapshot | ArchiveUnavailable) for result in results)
    refused = [r.started for r in requests if r.status == 429]
    assert refused
    for when in refused:
        # Only a request granted before the 429 reached the client may still arrive: one at
        # most with two at once. Nothing new starts until the quiet is over.
        during = [r.started for r in requests if when < r.started < when + quiet - 0.02]
        assert len(during) <= settings.archive_concurrency - 1, (when, during)


async def test_an_archive_that_hangs_is_unavailable_within_the_timeout(
    wayback: FakeWayback, quick: SettingsFactory
) -> None:
    fill(wayback, ["http://a.example.com/"])
    wayback.hang = True
    async with ArchiveClient(quick(archive_timeout=0.5)) as archive:
        begun = time.monotonic()
        with pytest.raises(ArchiveUnavailable) as caught:
            await archive.nearest_snapshot("http://a.example.com/", WHEN)
        elapsed = time.monotonic() - begun
    assert caught.value.kind == "timeout"
    assert 0.45 <= elapsed < 0.8, elapsed
    assert wayback.count() == 1  # the time was spent: no retry, no fallback


async def test_a_dropped_connection_is_retried_then_unavailable(quick: SettingsFactory) -> None:
    # A port nobody listens on: connection refused at once, every try.
    settings = quick(cdx_endpoint="http://127.0.0.1:9/cdx/search/cdx", retries=1, retry_backoff=0.01)
    async with ArchiveClient(settings) as archive:
        with pytest.raises(ArchiveUnavailable) as caught:
            await archive.nearest_snapshot("http://a.example.com/", WHEN)
        assert archive.requests_made == 2
    assert caught.value.kind == "network"
