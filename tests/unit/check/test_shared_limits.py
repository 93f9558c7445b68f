"""Limits shared by every worker: pools start cooled, a back-off or a 429 is announced, the
shared quiet is honoured, and every archive request takes a shared turn. No sockets."""

from __future__ import annotations

import asyncio
import time

import pytest

from verifier._exceptions import ArchiveUnavailable
from verifier.check.archive.breaker import QUIET, SHARED_READ_INTERVAL, Breaker
from verifier.check.archive.client import ArchiveClient
from verifier.check.archive.limiter import RateLimiter
from verifier.check.live.hosts import HostPool, HostPools
from verifier.check.shared import local_deadline
from verifier.config import Settings


class Shared:
    """What the other workers would have written, in memory; counts what is asked."""

    def __init__(self) -> None:
        self.cool: dict[str, float] = {}
        self.quiet = 0.0
        self.cool_reads: list[str] = []
        self.quiet_reads = 0
        self.turns = 0

    def host_cool_until(self, host: str) -> float:
        self.cool_reads.append(host)
        return self.cool.get(host, 0.0)

    def cool_host(self, host: str, until: float) -> None:
        self.cool[host] = max(self.cool.get(host, 0.0), until)

    def archive_quiet_until(self) -> float:
        self.quiet_reads += 1
        return self.quiet

    def quiet_archive(self, until: float) -> None:
        self.quiet = max(self.quiet, until)

    async def archive_turn(self) -> None:
        self.turns += 1


class Clock:
    """Seconds that move only when the test says: a monotonic clock, or the wall's epoch."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_an_epoch_deadline_lands_on_the_monotonic_clock() -> None:
    clock, wall = Clock(100.0), Clock(1_700_000_000.0)
    assert local_deadline(1_700_000_030.0, clock, wall) == 130.0
    assert local_deadline(0.0, clock, wall) < 0  # no deadline: long past


# Host pools -------------------------------------------------------------------------------------


async def test_a_new_pool_starts_paused_until_the_shared_cool_down() -> None:
    shared = Shared()
    shared.cool["slow.example"] = time.time() + 0.2
    pools = HostPools(Settings(shared_limits=shared))
    begun = time.monotonic()
    async with pools.slot("https://slow.example:8443/a"):
        waited = time.monotonic() - begun
    assert waited >= 0.19
    begun = time.monotonic()
    async with pools.slot("https://fast.example/a"):
        assert time.monotonic() - begun < 0.05
    # Read once per pool, by host name: every port of a host is one server to spare.
    async with pools.slot("http://slow.example/b"):
        pass
    assert shared.cool_reads == ["slow.example", "fast.example"]


def test_a_cool_down_already_over_holds_nothing() -> None:
    shared = Shared()
    clock, wall = Clock(50.0), Clock(1_700_000_000.0)
    shared.cool["h"] = wall.now - 10
    pool = HostPool("h", 1, 0.0, clock=clock, shared=shared, wall=wall)
    assert pool._still_to_wait() == 0.0
    shared.cool["h"] = wall.now + 7
    pool = HostPool("h", 1, 0.0, clock=clock, shared=shared, wall=wall)
    assert pool._still_to_wait() == 7.0


def test_back_off_announces_the_pause_to_every_worker() -> None:
    shared = Shared()
    clock, wall = Clock(10.0), Clock(1_700_000_000.0)
    pool = HostPool("h.example", 2, 0.0, penalty_base=1.0, clock=clock, shared=shared, wall=wall)
    assert pool.back_off(30.0) == 30.0
    assert shared.cool == {"h.example": wall.now + 30.0}
    wall.now += 100
    assert pool.back_off() == 2.0  # no Retry-After: the doubled penalty
    assert shared.cool == {"h.example": wall.now + 2.0}
    assert pool._still_to_wait() == 30.0  # ours still holds, from the first back-off


def test_without_shared_limits_a_pool_asks_and_tells_nobody() -> None:
    settings = Settings()
    assert settings.shared_limits is None
    pool = HostPools(settings).pool("https://example.org/")
    assert pool._shared is None


# The archive's breaker --------------------------------------------------------------------------


def test_the_breaker_honours_a_quiet_another_worker_announced() -> None:
    shared = Shared()
    clock, wall = Clock(0.0), Clock(1_700_000_000.0)
    breaker = Breaker(clock=clock, shared=shared, wall=wall)
    breaker.check()
    shared.quiet = wall.now + 90
    clock.now += SHARED_READ_INTERVAL
    wall.now += SHARED_READ_INTERVAL
    with pytest.raises(ArchiveUnavailable) as caught:
        breaker.check()
    assert caught.value.kind == "quiet"
    assert breaker.remaining() == 89.0
    clock.now += 88.5
    wall.now += 88.5
    with pytest.raises(ArchiveUnavailable):
        breaker.check()
    clock.now += 1
    wall.now += 1
    breaker.check()
    assert breaker.trips == 0  # another worker's 429, not ours


def test_the_shared_quiet_is_read_at_most_once_a_second() -> None:
    shared = Shared()
    clock = Clock(0.0)
    breaker = Breaker(clock=clock, shared=shared)
    for _ in range(100):
        breaker.check()
    assert shared.quiet_reads == 1
    clock.now += SHARED_READ_INTERVAL / 2
    breaker.check()
    assert shared.quiet_reads == 1
    clock.now += SHARED_READ_INTERVAL / 2
    breaker.check()
    assert shared.quiet_reads == 2


def test_a_trip_announces_the_quiet_it_keeps() -> None:
    shared = Shared()
    clock, wall = Clock(0.0), Clock(1_700_000_000.0)
    breaker = Breaker(clock=clock, shared=shared, wall=wall)
    assert breaker.trip(retry_after=5) == QUIET
    assert shared.quiet == wall.now + QUIET
    assert breaker.trip(retry_after=600) == 600
    assert shared.quiet == wall.now + 600


async def test_a_client_whose_address_is_quiet_sends_nothing() -> None:
    shared = Shared()
    shared.quiet = time.time() + 60
    client = ArchiveClient(Settings(shared_limits=shared))
    # Outside `async with` the client has no connection at all: a request would fail otherwise.
    with pytest.raises(ArchiveUnavailable) as caught:
        await client.nearest_snapshot("http://a.example/", None)
    assert caught.value.kind == "quiet"
    assert shared.turns == 0
    assert client.requests_made == 0


# The archive's rate -----------------------------------------------------------------------------


async def test_every_turn_of_the_limiter_takes_one_shared_turn() -> None:
    shared = Shared()
    limiter = RateLimiter(per_minute=600_000, concurrency=2, shared_turn=shared.archive_turn)

    async def one() -> None:
        async with limiter.turn():
            await asyncio.sleep(0)

    await asyncio.gather(*(one() for _ in range(7)))
    assert shared.turns == 7


async def test_the_shared_turn_comes_after_our_own_spacing_and_within_our_concurrency() -> None:
    taken: list[float] = []
    waiting = 0
    most = 0

    async def slow_turn() -> None:
        nonlocal waiting, most
        waiting += 1
        most = max(most, waiting)
        await asyncio.sleep(0.01)  # other workers hold the shared rate a while
        waiting -= 1
        taken.append(time.monotonic())

    limiter = RateLimiter(per_minute=1200, concurrency=1, shared_turn=slow_turn)  # 0.05 s apart

    async def one() -> None:
        async with limiter.turn():
            pass

    begun = time.monotonic()
    await asyncio.gather(*(one() for _ in range(4)))
    assert most == 1
    for k, when in enumerate(taken):
        assert when - begun >= k * 0.05, (k, taken)


async def test_a_pause_that_comes_during_the_shared_turn_is_waited_out() -> None:
    limiter: RateLimiter
    turns = 0

    async def turn_meeting_a_5xx() -> None:
        nonlocal turns
        turns += 1
        if turns == 1:
            limiter.pause(0.1)  # another request of ours met a 503 meanwhile

    limiter = RateLimiter(per_minute=600_000, shared_turn=turn_meeting_a_5xx)
    begun = time.monotonic()
    async with limiter.turn():
        waited = time.monotonic() - begun
    assert waited >= 0.099
    assert turns == 2  # the first turn is spent unused: the shared rate only gets slower


def test_without_shared_limits_the_client_takes_no_shared_turn() -> None:
    client = ArchiveClient(Settings())
    assert client._limiter._shared_turn is None
