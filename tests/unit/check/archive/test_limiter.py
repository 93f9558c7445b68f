"""The shared limiter on its own: spacing, concurrency and pauses, with real asyncio time."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from verifier.check.archive.limiter import Paused, RateLimiter


async def test_the_first_start_is_immediate_and_the_next_ones_spaced() -> None:
    limiter = RateLimiter(per_minute=600)  # 0.1 s apart
    starts: list[float] = []

    async def one() -> None:
        async with limiter.turn():
            starts.append(time.monotonic())

    begun = time.monotonic()
    await asyncio.gather(*(one() for _ in range(5)))
    assert starts[0] - begun < 0.02
    # Starts are scheduled exactly one interval apart: start k never comes before k intervals
    # after the run began. A late wake-up (a loaded machine) may delay one start towards the next,
    # so the gap between two neighbours is not a measure of the schedule.
    for k, start in enumerate(starts):
        assert start - begun >= k * 0.1 - 0.001, (k, [b - a for a, b in itertools.pairwise(starts)])
    assert starts[-1] - begun < 0.6


async def test_no_more_than_the_concurrency_inside_at_once() -> None:
    limiter = RateLimiter(per_minute=600_000, concurrency=2)
    inside = 0
    most = 0

    async def one() -> None:
        nonlocal inside, most
        async with limiter.turn():
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.02)
            inside -= 1

    await asyncio.gather(*(one() for _ in range(10)))
    assert most == 2


async def test_a_pause_holds_callers_already_queued() -> None:
    limiter = RateLimiter(per_minute=6000)  # 0.01 s apart
    starts: list[float] = []

    async def one() -> None:
        async with limiter.turn():
            starts.append(time.monotonic())

    async with limiter.turn():
        pass
    waiting = [asyncio.create_task(one()) for _ in range(3)]
    await asyncio.sleep(0)  # every caller has reserved its start
    paused_at = time.monotonic()
    limiter.pause(0.2)
    await asyncio.gather(*waiting)
    assert min(starts) - paused_at >= 0.199


async def test_a_pause_longer_than_the_caller_will_wait_raises_at_once() -> None:
    limiter = RateLimiter(per_minute=60)
    limiter.pause(5)
    begun = time.monotonic()
    with pytest.raises(Paused) as caught:
        async with limiter.turn(max_pause=1):
            pass
    assert time.monotonic() - begun < 0.05
    assert caught.value.remaining > 4


def test_a_fake_clock_decides_the_schedule() -> None:
    now = [100.0]
    limiter = RateLimiter(per_minute=60, clock=lambda: now[0])
    limiter.pause(3)
    assert limiter.paused_for() == 3
    now[0] = 102.5
    assert limiter.paused_for() == 0.5


@pytest.mark.parametrize(("rate", "concurrency"), [(0, 1), (-1, 1), (10, 0)])
def test_nonsense_limits_are_refused(rate: float, concurrency: int) -> None:
    with pytest.raises(ValueError):
        RateLimiter(per_minute=rate, concurrency=concurrency)
