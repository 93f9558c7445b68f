"""CPU per link of the live probe.

Run ``python -m tests.integration.check_live.measure_cpu [links] [hosts] [latency]``.

The server runs in a child process so its work is not counted; the figure is this
process's user + system CPU over the checks, divided by the number of links.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import resource
import sys
import time
from collections import Counter
from multiprocessing.synchronize import Event

from tests.servers.httpd import LocalServer
from verifier.check.live.probe import LiveChecker
from verifier.config import Settings


def _serve(hosts: int, latency: float, bases: multiprocessing.Queue[list[str]], stop: Event) -> None:
    with LocalServer(ports=hosts, latency=latency) as server:
        bases.put([server.base(n) for n in range(hosts)])
        stop.wait()


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _measure(bases: list[str], links: int) -> None:
    settings = Settings(timeout=10.0, connect_timeout=5.0, network_canaries=("localhost",))
    urls = [f"{bases[n % len(bases)]}/doc/{n}.html" for n in range(links)]
    async with LiveChecker(settings) as checker:
        wall, cpu = time.monotonic(), _cpu()
        verdicts = await asyncio.gather(*(checker.check(url) for url in urls))
        wall, cpu = time.monotonic() - wall, _cpu() - cpu
    outcomes = Counter(v.outcome.value for v in verdicts)
    print(f"{links} links on {len(bases)} hosts: {dict(outcomes)}, {checker.requests_made} requests")
    print(f"wall {wall:.2f} s, CPU {cpu:.2f} s, CPU per link {cpu / links * 1000:.2f} ms")


def main() -> None:
    links = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    hosts = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    latency = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    bases: multiprocessing.Queue[list[str]] = multiprocessing.Queue()
    stop = multiprocessing.Event()
    server = multiprocessing.Process(target=_serve, args=(hosts, latency, bases, stop))
    server.start()
    try:
        asyncio.run(_measure(bases.get(timeout=30), links))
    finally:
        stop.set()
        server.join(10)


if __name__ == "__main__":
    main()
