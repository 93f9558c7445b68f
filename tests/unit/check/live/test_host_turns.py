"""Urgent requests to a host (the soft-404 probe) go before the ones already queued."""

from __future__ import annotations

import asyncio

from verifier.check.live.hosts import HostPool


async def test_an_urgent_request_jumps_the_host_queue() -> None:
    pool = HostPool("example.org:80", concurrency=1, interval=0.0)
    order: list[str] = []
    release = asyncio.Event()

    async def request(name: str, *, urgent: bool = False) -> None:
        await pool.acquire(urgent=urgent)
        try:
            order.append(name)
            if name == "first":
                await release.wait()
        finally:
            pool.release()

    first = asyncio.create_task(request("first"))
    await asyncio.sleep(0)
    queued = [asyncio.create_task(request(f"page-{n}")) for n in range(3)]
    await asyncio.sleep(0)
    probe = asyncio.create_task(request("probe", urgent=True))
    await asyncio.sleep(0)
    release.set()
    await asyncio.gather(first, probe, *queued)
    assert order == ["first", "probe", "page-0", "page-1", "page-2"]
    assert pool.max_in_flight == 1


async def test_a_waiter_that_gives_up_leaves_its_turn_to_the_next() -> None:
    pool = HostPool("example.org:80", concurrency=1, interval=0.0)
    await pool.acquire()
    gives_up = asyncio.create_task(pool.acquire())
    waits = asyncio.create_task(pool.acquire())
    await asyncio.sleep(0)
    gives_up.cancel()
    pool.release()
    await asyncio.wait_for(waits, 1.0)
    assert gives_up.cancelled()
    assert pool.in_flight == 1
    pool.release()
    assert pool.in_flight == 0
