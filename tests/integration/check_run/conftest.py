"""Fixtures for end-to-end runs of ``verifier check``: a small site on loopback, the fake Wayback
Machine, and a helper that writes documents and runs the command."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.servers.wayback import FakeWayback
from verifier import cli

PAGE = (
    b"<!doctype html><html><head><title>A real article</title></head>"
    b"<body><h1>A real article</h1><p>With real content that is long enough to be a page.</p></body></html>"
)


@dataclass
class Route:
    status: int = 200
    delay: float = 0.0
    body: bytes = PAGE
    headers: dict[str, str] = field(default_factory=dict)


class Site:
    """A site on 127.0.0.1 whose pages are a table of routes; unknown paths answer 404.

    Every request is counted per path, so tests can tell how often a URL was fetched. A
    route's ``delay`` holds the answer back until the delay passes or the site closes.
    """

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        # (method, path): whether a page was asked with HEAD or GET.
        self.methods: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def set(self, path: str, status: int = 200, **options: Any) -> str:
        self.routes[path] = Route(status, **options)
        return self.url(path)

    def count(self, path: str) -> int:
        with self._lock:
            return self.hits[path]

    def total(self) -> int:
        with self._lock:
            return sum(self.hits.values())

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _answer(self, with_body: bool) -> None:
                path = self.path.split("?", 1)[0]
                with site._lock:
                    site.hits[path] += 1
                    site.methods[(self.command, path)] += 1
                route = site.routes.get(path, Route(404, body=b"<html><title>Not Found</title></html>"))
                if route.delay:
                    site._closing.wait(route.delay)
                self.send_response(route.status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(route.body)))
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if with_body:
                    self.wfile.write(route.body)

            def do_GET(self) -> None:
                self._answer(True)

            def do_HEAD(self) -> None:
                self._answer(False)

        return Handler

    def start(self) -> Site:
        self._thread.start()
        return self

    def close(self) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def site() -> Iterator[Site]:
    server = Site().start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def wayback() -> Iterator[FakeWayback]:
    with FakeWayback() as fake:
        yield fake


@dataclass
class Workspace:
    """A folder with documents, a config pointing at the fakes, and a way to run ``verifier check``."""

    root: Path
    wayback: FakeWayback

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def cache(self) -> Path:
        return self.root / "cache.sqlite"

    def write(self, name: str, text: str) -> Path:
        path = self.root / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def args(self, *extra: str) -> list[str]:
        fake = self.wayback.url
        return [
            "check",
            str(self.root / "docs"),
            "--output-dir",
            str(self.reports),
            "--cache-path",
            str(self.cache),
            "--cdx-endpoint",
            f"{fake}/cdx/search/cdx",
            "--availability-endpoint",
            f"{fake}/wayback/available",
            "--save-endpoint",
            f"{fake}/save",
            "--snapshot-host",
            fake,
            # Loopback always resolves: our network counts as up unless a test says otherwise.
            "--network-canaries",
            "localhost",
            "--timeout",
            "5",
            "--connect-timeout",
            "2",
            "--retries",
            "0",
            "--retry-backoff",
            "0.01",
            "--no-soft404-probe",
            # The real archive's limits would only slow the fake down.
            "--archive-rate",
            "60000",
            "--save-rate",
            "60000",
            "--no-progress",
            *extra,
        ]

    def check(self, *extra: str) -> int:
        return cli.main(self.args(*extra))

    def report(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.reports / "link-health.json").read_text(encoding="utf-8"))
        return data

    def links(self) -> dict[str, dict[str, Any]]:
        return {link["url"]: link for link in self.report()["links"]}


@pytest.fixture
def workspace(tmp_path: Path, wayback: FakeWayback, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setenv("CI", "true")
    return Workspace(tmp_path, wayback)


def wait_for(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)
