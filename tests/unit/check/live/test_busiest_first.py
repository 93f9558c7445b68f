"""The global cap hands a free slot to the host with the longest queue, urgent requests first."""

from __future__ import annotations

import asyncio

from verifier.check.live.hosts import BusiestFirst, HostPool


async def _hold(gate: BusiestFirst, pool: HostPool, order: list[str], name: str, go: asyncio.Event) -> None:
    await pool.acquire(gate)
    try:
        order.append(name)
        await go.wait()
    finally:
        pool.release(gate)


async def test_the_host_with_most_work_queued_gets_the_next_slot() -> None:
    gate = BusiestFirst(1)
    small, big = HostPool("small:80", 1, 0.0), HostPool("big:80", 1, 0.0)
    order: list[str] = []
    go = asyncio.Event()
    first = asyncio.create_task(_hold(gate, small, order, "first", go))
    await asyncio.sleep(0)
    # One more request for the small host, then four for the big one: the big host's queue is
    # longer, so its head goes next even though the small host's request came first.
    tasks = [asyncio.create_task(_hold(gate, small, order, "small-1", go))]
    tasks += [asyncio.create_task(_hold(gate, big, order, f"big-{n}", go)) for n in range(4)]
    for _ in range(5):
        await asyncio.sleep(0)
    go.set()
    await asyncio.gather(first, *tasks)
    assert order[0] == "first"
    assert order[1] == "big-0"
    assert set(order) == {"first", "small-1", "big-0", "big-1", "big-2", "big-3"}
    # The small host gets its turn once the big one's queue is no longer longer than its own.
    assert order.index("small-1") < order.index("big-3")


async def test_urgent_requests_go_before_every_host() -> None:
    gate = BusiestFirst(1)
    busy, probed = HostPool("busy:80", 4, 0.0), HostPool("probed:80", 1, 0.0)
    order: list[str] = []
    go = asyncio.Event()
    first = asyncio.create_task(_hold(gate, busy, order, "first", go))
    await asyncio.sleep(0)
    queued = [asyncio.create_task(_hold(gate, busy, order, f"busy-{n}", go)) for n in range(3)]
    await asyncio.sleep(0)

    async def probe() -> None:
        await probed.acquire(gate, urgent=True)
        order.append("probe")
        probed.release(gate)

    urgent = asyncio.create_task(probe())
    await asyncio.sleep(0)
    go.set()
    await asyncio.gather(first, urgent, *queued)
    assert order[:2] == ["first", "probe"]


async def test_the_cap_holds_and_a_waiter_that_gives_up_frees_nothing_twice() -> None:
    gate = BusiestFirst(2)
    pools = [HostPool(f"h{n}:80", 2, 0.0) for n in range(3)]
    in_flight = peak = 0

    async def request(pool: HostPool) -> None:
        nonlocal in_flight, peak
        await pool.acquire(gate)
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.001)
        in_flight -= 1
        pool.release(gate)

    tasks = [asyncio.create_task(request(pools[n % 3])) for n in range(30)]
    await asyncio.sleep(0)
    tasks[-1].cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert sum(isinstance(result, asyncio.CancelledError) for result in results) == 1
    assert peak == 2
    # Every slot came back: two more requests start at once.
    await asyncio.wait_for(asyncio.gather(pools[0].acquire(gate), pools[1].acquire(gate)), 1)
