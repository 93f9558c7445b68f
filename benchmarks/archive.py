"""Archive requests per URL that is not live, on a corpus where dead URLs cluster on dead hosts.

Runs a check in-process against the fake Wayback Machine of the test suite
(``tests/servers/wayback.py``, which speaks the CDX API's ``matchType``, filters and paging)
and a loopback web: ``--dead-hosts`` hosts that refuse every connection, with 10 to 50 cited
URLs each and three times as many uncited pages in the archive; ``--scattered`` dead URLs
(404), each on a live host of its own; and one big live host with a few dead URLs among
thousands of archived pages, too many for one CDX answer. Many URLs are cited with several
access dates. Names resolve through ``--resolve``-style mappings, so nothing leaves loopback.

Prints the archive requests, the URLs that are not live, and their ratio (the target is at most
0.6); a second run with the same store must ask the archive nothing.

Usage: ``python benchmarks/archive.py [--dead-hosts 5] [--scattered 40] [--seed 1] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import json
import random
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers.wayback import FakeWayback  # noqa: E402
from verifier.check.runner import Runner  # noqa: E402
from verifier.model import Citation, Document, Format, Outcome, Reference, ReferenceKind  # noqa: E402
from verifier.store import MemoryStore  # noqa: E402

BIG_HOST_PAGES = 2500


class _Pages(BaseHTTPRequestHandler):
    """Every host's pages: a path holding "gone" answers 404, any other 200."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def _answer(self, send_body: bool) -> None:
        gone = "gone" in self.path
        body = (
            b"not here" if gone else b"<html><head><title>Live</title></head><body>a live page</body></html>"
        )
        self.send_response(404 if gone else 200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _timestamp(rng: random.Random, start: int = 2005, end: int = 2022) -> str:
    day = dt.date(start, 1, 1) + dt.timedelta(
        days=rng.randrange((dt.date(end, 1, 1) - dt.date(start, 1, 1)).days)
    )
    return day.strftime("%Y%m%d") + f"{rng.randrange(24):02d}0000"


def _archive(wayback: FakeWayback, rng: random.Random, url: str, chance: float = 0.75) -> None:
    if rng.random() > chance:
        return
    captures: list[tuple[Any, ...]] = [
        (_timestamp(rng), 200, "text/html", "then") for _ in range(rng.randint(1, 4))
    ]
    if rng.random() < 0.3:
        captures.append((_timestamp(rng), 404, "text/html", "gone"))
    wayback.add(url, *captures)


def _dates(rng: random.Random) -> list[dt.date | None]:
    """Access dates a URL's citations give: often one, sometimes several, sometimes none."""
    roll = rng.random()
    if roll < 0.15:
        return [None]
    count = 1 if roll < 0.7 else rng.randint(2, 4)
    return [dt.date(2008, 1, 1) + dt.timedelta(days=rng.randrange(5000)) for _ in range(count)]


def build(wayback: FakeWayback, dead_hosts: int, scattered: int, seed: int) -> tuple[list[str], list[str]]:
    """The cited URLs, each with its citations' dates, and the ``resolve`` entries for their hosts."""
    rng = random.Random(seed)
    closed = _closed_port()
    cited: list[str] = []
    resolve: list[str] = []
    sizes = [10 + round(40 * n / max(1, dead_hosts - 1)) for n in range(dead_hosts)]
    for n, size in enumerate(sizes):
        host = f"dead{n}.test"
        resolve.append(f"{host}:80=127.0.0.1:{closed}")
        for page in range(size * 4):
            url = f"http://{host}/{rng.choice(['news', 'blog', 'docs'])}/{page:04d}.html"
            _archive(wayback, rng, url, chance=0.75 if page < size else 0.9)
            if page < size:
                cited.append(url)
    return cited, resolve


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dead-hosts", type=int, default=5)
    parser.add_argument("--scattered", type=int, default=40)
    parser.add_argument("--big-host-dead", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    options = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    live_port = server.server_address[1]
    rng = random.Random(options.seed + 1)
    with FakeWayback() as wayback:
        cited, resolve = build(wayback, options.dead_hosts, options.scattered, options.seed)
        live: list[str] = []
        for n in range(options.scattered):
            host = f"site{n}.test"
            resolve.append(f"{host}:80=127.0.0.1:{live_port}")
            gone = f"http://{host}/gone/{n}"
            _archive(wayback, rng, gone, chance=0.7)
            wayback.add(f"http://{host}/", ("20150101000000", 200, "text/html", "home"))
            cited.append(gone)
            live.extend([f"http://{host}/", f"http://{host}/about"])
        resolve.append(f"big.test:80=127.0.0.1:{live_port}")
        for page in range(BIG_HOST_PAGES):
            wayback.add(f"http://big.test/article/{page}", (_timestamp(rng), 200, "text/html", "x"))
        for n in range(options.big_host_dead):
            gone = f"http://big.test/article/gone-{n}"
            _archive(wayback, rng, gone, chance=0.8)
            cited.append(gone)
        live.extend(f"http://big.test/article/{page}" for page in range(20))

        references: list[Reference] = []
        for url in cited + live:
            for when in _dates(rng):
                citation = Citation(title="A source", accessed=when) if when else None
                references.append(
                    Reference(
                        url,
                        url,
                        ReferenceKind.EXTERNAL,
                        len(references) + 1,
                        1,
                        0,
                        len(url),
                        citation=citation,
                    )
                )
        rng.shuffle(references)
        documents = [
            Document("corpus.md", Format.MARKDOWN, "utf-8", tuple(references), date=dt.date(2023, 1, 1))
        ]
        settings = dataclasses.replace(
            wayback.settings(archive_rate=60_000.0, archive_concurrency=2),
            resolve=tuple(resolve),
            network_canaries=("localhost",),
            soft404_probe=False,
            retries=0,
        )
        store = MemoryStore()

        async def run() -> Runner:
            runner = Runner(settings, store)
            runner.prepare(documents)
            await runner.check_pending()
            return runner

        first = asyncio.run(run())
        asked = wayback.count()
        asyncio.run(run())
        again = wayback.count() - asked
    server.shutdown()
    not_live = [result for result in first.results.values() if result.outcome is not Outcome.LIVE]
    archived = sum(result.archive is not None for result in not_live)
    figures = {
        "urls": len(first.results),
        "not_live": len(not_live),
        "with_snapshot": archived,
        "archive_requests": first.archive_requests,
        "requests_per_not_live_url": round(first.archive_requests / max(1, len(not_live)), 3),
        "second_run_archive_requests": again,
    }
    for name, value in figures.items():
        print(f"{name:>28}: {value}")
    if options.json:
        options.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
