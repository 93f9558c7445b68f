"""A slow web of many hosts for the fleet benchmark, counting what each host sees at once.

Every host is a loopback address (127.0.0.2, 127.0.0.3, ... as ``check_server.py`` numbers them)
on one shared port, and answers as that server does (``/ok/<n>`` 200 with a small HTML page,
``/missing/<n>`` 404), each answer held ``--latency`` seconds (200 ms by default). HTTP/1.1 with
keep-alive, HEAD and GET.

What it counts, per host (the address a connection was accepted on), is what a polite client is
judged by: requests in flight at once, from the moment a request's head is read to the moment
its answer is written. It never answers 429, but it counts every request that arrives while its
host already has ``--limit`` in flight, i.e. every request a server enforcing that limit would
have answered 429. It also times itself: how late each answer went out after its latency, and
how late the event loop woke up, so that a reader can tell whether it kept up.

The counts are read and reset over a control address, ``http://127.0.0.1:<control port>``:
``GET /stats`` (JSON) and ``POST /reset``.

Run ``python benchmarks/fleet_server.py --hosts 2000``; it prints ``READY <port> <control port>``
once every address listens, and stops on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import socket
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).resolve().parent))

from check_server import _bind_all, answer


class Stats:
    """Counts since the last reset. Per-host figures are kept in flat dicts: at 2,000 hosts and
    over a thousand answers a second, this bookkeeping is most of the server's own work."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.reset()

    def reset(self) -> None:
        self.in_flight: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.over_limit: Counter[str] = Counter()
        self.methods: Counter[str] = Counter()
        self.statuses: Counter[str] = Counter()
        self.total_in_flight = 0
        self.peak_total = 0
        self.connections = 0
        self.peak_connections = 0
        self.accepted = 0
        self.held = 0.0  # seconds of all answers' holds: their mean concurrency over the active span
        self.late_max = 0.0
        self.late_sum = 0.0
        self.answered = 0
        self.lag_max = 0.0
        self.first: float | None = None
        self.last: float | None = None

    def arrived(self, host: str, method: str) -> float:
        now = time.monotonic()
        if self.first is None:
            self.first = now
        if self.in_flight[host] >= self.limit:
            self.over_limit[host] += 1
        self.in_flight[host] += 1
        if self.in_flight[host] > self.peak[host]:
            self.peak[host] = self.in_flight[host]
        self.total_in_flight += 1
        if self.total_in_flight > self.peak_total:
            self.peak_total = self.total_in_flight
        self.methods[method] += 1
        return now

    def left(self, host: str, since: float, latency: float, status: str | None) -> None:
        now = time.monotonic()
        self.in_flight[host] -= 1
        self.total_in_flight -= 1
        self.held += now - since
        self.last = now
        if status is None:
            return  # the client went away first
        self.statuses[status] += 1
        late = now - since - latency
        self.answered += 1
        self.late_sum += late
        if late > self.late_max:
            self.late_max = late

    def snapshot(self) -> dict[str, Any]:
        span = (self.last - self.first) if self.first is not None and self.last is not None else 0.0
        peak = max(self.peak.values(), default=0)
        return {
            "limit": self.limit,
            "hosts_seen": len(self.peak),
            "requests": sum(self.methods.values()),
            "methods": dict(self.methods),
            "statuses": dict(self.statuses),
            "sent_429": self.statuses.get("429", 0),
            "peak_per_host": peak,
            "hosts_over_limit": sum(1 for value in self.peak.values() if value > self.limit),
            "arrivals_over_limit": sum(self.over_limit.values()),
            "peak_total_in_flight": self.peak_total,
            "mean_in_flight": self.held / span if span > 0 else 0.0,
            "active_seconds": span,
            # CLOCK_MONOTONIC is one clock for every process of the machine: the driver places
            # these against its own moment of asking for the run.
            "first_request": self.first,
            "last_answer": self.last,
            "peak_connections": self.peak_connections,
            "connections_accepted": self.accepted,
            "late_mean_ms": 1000 * self.late_sum / self.answered if self.answered else 0.0,
            "late_max_ms": 1000 * self.late_max,
            "loop_lag_max_ms": 1000 * self.lag_max,
        }


class Host(asyncio.Protocol):
    """One connection to one host; each request's answer is written ``latency`` after its head
    came (one timer, not one task: answers on a connection go out in the order asked)."""

    def __init__(self, stats: Stats, latency: float) -> None:
        self.stats = stats
        self.latency = latency
        self.buffer = b""
        self.transport: asyncio.Transport | None = None
        self.host = ""
        self.pending: dict[int, tuple[asyncio.TimerHandle, float]] = {}
        self.asked = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, though they behave as one.
        self.transport = cast(asyncio.Transport, transport)
        self.host = self.transport.get_extra_info("sockname")[0]
        self.stats.connections += 1
        self.stats.accepted += 1
        self.stats.peak_connections = max(self.stats.peak_connections, self.stats.connections)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        loop = asyncio.get_running_loop()
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            parts = lines[0].split(" ")
            if len(parts) < 2:
                if self.transport is not None:
                    self.transport.close()
                return
            name = next((line[5:].strip() for line in lines[1:] if line.lower().startswith("host:")), "")
            since = self.stats.arrived(self.host, parts[0])
            reply = answer(parts[0], parts[1], name)
            self.asked += 1
            handle = loop.call_later(self.latency, self._send, self.asked, reply, since)
            self.pending[self.asked] = (handle, since)

    def _send(self, number: int, reply: bytes, since: float) -> None:
        del self.pending[number]
        if self.transport is None or self.transport.is_closing():
            self.stats.left(self.host, since, self.latency, None)
            return
        self.transport.write(reply)
        self.stats.left(self.host, since, self.latency, reply[9:12].decode())

    def connection_lost(self, exc: Exception | None) -> None:
        self.stats.connections -= 1
        for handle, since in self.pending.values():
            handle.cancel()
            self.stats.left(self.host, since, self.latency, None)
        self.pending.clear()
        self.transport = None


class Control(asyncio.Protocol):
    """``GET /stats`` and ``POST /reset``, one request a connection."""

    def __init__(self, stats: Stats) -> None:
        self.stats = stats
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, though they behave as one.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if b"\r\n\r\n" not in self.buffer:
            return
        method, path = self.buffer.split(b"\r\n", 1)[0].decode("latin-1").split(" ")[:2]
        if method == "POST" and path == "/reset":
            self.stats.reset()
            body = b"{}"
        else:
            body = json.dumps(self.stats.snapshot()).encode()
        self.transport.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        self.transport.close()


async def watch_lag(stats: Stats, every: float = 0.05) -> None:
    """How late the loop wakes: a server too busy to keep its own timers would show it here."""
    loop = asyncio.get_running_loop()
    while True:
        due = loop.time() + every
        await asyncio.sleep(every)
        stats.lag_max = max(stats.lag_max, loop.time() - due)


async def main(hosts: int, latency: float, limit: int) -> None:
    loop = asyncio.get_running_loop()
    stats = Stats(limit)
    port, sockets = _bind_all(hosts)
    servers = [await loop.create_server(lambda: Host(stats, latency), sock=sock) for sock in sockets]
    control_socket = socket.socket()
    control_socket.bind(("127.0.0.1", 0))
    control_socket.listen(16)
    control_socket.setblocking(False)
    servers.append(await loop.create_server(lambda: Control(stats), sock=control_socket))
    lag = loop.create_task(watch_lag(stats))
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    print(f"READY {port} {control_socket.getsockname()[1]}", flush=True)
    await stop.wait()
    lag.cancel()
    for server in servers:
        server.close()
    with contextlib.suppress(Exception):
        await asyncio.wait_for(asyncio.gather(*(s.wait_closed() for s in servers)), 2)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--hosts", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--limit", type=int, default=2, help="requests in flight per host a client may have")
    options = parser.parse_args()
    try:
        import uvloop
    except ImportError:
        asyncio.run(main(options.hosts, options.latency, options.limit))
    else:
        uvloop.run(main(options.hosts, options.latency, options.limit))
    sys.exit(0)
