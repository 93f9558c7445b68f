"""Host keys and per-host pacing. Real event loop, no sockets."""

from __future__ import annotations

import asyncio
import itertools
import time

from verifier.check.live.hosts import HostPool, host_key


def test_host_key_includes_the_port() -> None:
    assert host_key("https://Example.org/a") == "example.org:443"
    assert host_key("http://example.org/a") == "example.org:80"
    assert host_key("http://127.0.0.1:8081/x") == "127.0.0.1:8081"
    assert host_key("http://127.0.0.1:8081/x") != host_key("http://127.0.0.1:8082/x")


async def test_interval_spaces_request_starts() -> None:
    pool = HostPool("h:80", concurrency=3, interval=0.05)
    starts: list[float] = []

    async def one() -> None:
        async with pool.slot():
            starts.append(time.monotonic())

    await asyncio.gather(*(one() for _ in range(5)))
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert all(gap >= 0.045 for gap in gaps)


async def test_concurrency_is_capped() -> None:
    pool = HostPool("h:80", concurrency=2, interval=0.0)

    async def one() -> None:
        async with pool.slot():
            await asyncio.sleep(0.01)

    await asyncio.gather(*(one() for _ in range(8)))
    assert pool.max_in_flight == 2
    assert pool.started == 8


async def test_a_pause_holds_back_new_requests() -> None:
    pool = HostPool("h:80", concurrency=2, interval=0.0, penalty_base=0.1)
    pool.back_off(0.2)
    started = time.monotonic()
    async with pool.slot():
        waited = time.monotonic() - started
    assert waited >= 0.19
