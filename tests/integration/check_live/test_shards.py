"""Live checks spread over worker processes: same verdicts, hosts kept whole, caps kept."""

from __future__ import annotations

import asyncio
import dataclasses

from tests.integration.check_live.conftest import fast_settings
from tests.servers.httpd import LocalServer
from verifier.check.live.hosts import host_key
from verifier.check.live.probe import LiveChecker
from verifier.check.live.shards import MIN_LINKS_PER_RUN, ShardedChecker, share_hosts, worker_count


def test_small_runs_stay_in_process() -> None:
    settings = fast_settings(workers=4)
    assert worker_count(settings, MIN_LINKS_PER_RUN - 1) == 1
    assert worker_count(settings, MIN_LINKS_PER_RUN) == 4


def test_by_default_one_worker_per_two_cpus() -> None:
    settings = fast_settings()
    assert worker_count(settings, 10_000, cpus=2) == 1
    assert worker_count(settings, 10_000, cpus=4) == 2
    assert worker_count(settings, 10_000, cpus=64) == 4


def test_workers_setting_bounds_the_count() -> None:
    assert worker_count(fast_settings(workers=1), 10_000) == 1
    assert worker_count(fast_settings(workers=64), 10_000) == 4
    assert worker_count(fast_settings(workers=3, max_concurrency=2), 10_000) == 2


def test_hosts_are_shared_by_load() -> None:
    owner = share_hosts({"a:80": 10, "b:80": 6, "c:80": 5, "d:80": 1}, 2)
    loads = [0, 0]
    for key, count in {"a:80": 10, "b:80": 6, "c:80": 5, "d:80": 1}.items():
        loads[owner[key]] += count
    assert sorted(loads) == [11, 11]
    assert set(owner.values()) == {0, 1}


async def test_sharded_verdicts_match_in_process_ones() -> None:
    with LocalServer(ports=4, mode="soft404") as server:
        urls = [
            *(server.url(f"/doc/{n}.html", host=n % 4) for n in range(12)),
            server.url("/missing", host=1),
            server.url("/chain/2", host=2),
            server.url("/ok/not-really-here", host=3),
            server.url("/html?title=Page+not+found", host=0),
        ]
        settings = fast_settings(max_concurrency=4)
        async with LiveChecker(settings) as checker:
            alone = {url: await checker.check(url) for url in urls}
        hosts = {host_key(url): 1 for url in urls}
        async with ShardedChecker(settings, 2, hosts) as sharded:
            shared = {url: await sharded.check(url) for url in urls}
            made = sharded.requests_made
        assert sharded.requests_made == made > 0

    def essence(verdict: object) -> tuple[object, ...]:
        fields = dataclasses.asdict(verdict)  # type: ignore[call-overload]
        return tuple(fields[name] for name in ("outcome", "reason", "http_status", "final_url", "redirects"))

    assert {url: essence(v) for url, v in shared.items()} == {url: essence(v) for url, v in alone.items()}


async def test_each_worker_keeps_its_hosts_under_the_cap() -> None:
    with LocalServer(ports=2, latency=0.02) as server:
        urls = [server.url(f"/doc/{n}.html", host=n % 2) for n in range(40)]
        settings = fast_settings(max_concurrency=8, host_concurrency=2)
        hosts = {host_key(url): 20 for url in urls}
        async with ShardedChecker(settings, 2, hosts) as sharded:
            verdicts = await asyncio.gather(*(sharded.check(url) for url in urls))
        assert all(v.outcome.value == "live" for v in verdicts)
        assert 0 < server.max_in_flight <= 2
