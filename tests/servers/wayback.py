"""A fake Wayback Machine: a real HTTP server on 127.0.0.1 (ephemeral port) speaking the real APIs.

Routes, relative to ``fake.url`` (``http://127.0.0.1:<port>``):

``GET /cdx/search/cdx``
    The CDX API over the capture table. ``url`` (required; matched by its SURT key the way
    the archive does: scheme, ``www.``, default port, case, a trailing slash and the order of
    query arguments do not matter), ``matchType=exact|prefix|host|domain`` (a trailing ``*``
    means prefix, a leading ``*.`` domain), ``output=json`` (else the space-separated text
    format), ``fl=`` (field list; default urlkey,timestamp,original,mimetype,statuscode,
    digest,length), ``filter=[!]field:regex`` (repeatable, full-match, as the real one),
    ``collapse=field[:N]`` (repeatable: a row whose field, or its first N characters, equals
    the previous row's is dropped), ``from=``/``to=`` (1-14 digits, padded low/high),
    ``sort=closest&closest=<ts>`` or ``sort=reverse`` (else rows come by ``urlkey``, then
    time), ``limit=N`` (first N) or ``limit=-N`` (last N), ``fastLatest=true`` (the latest
    ``|limit|`` rows, one without a limit). Paging as the real index pages: captures sit in
    blocks of :attr:`FakeWayback.block_rows` in ``urlkey`` order, a page is ``pageSize``
    blocks (default 5); ``showNumPages=true`` answers the number of pages the query spans
    (counted before filters, as the real one counts index blocks) and ``page=N`` the rows of
    page N, filtered. Bad parameters answer 400; a blocked URL answers 403 with the archive's
    "Blocked Site Error" text, and its rows are left out of wider queries.
``GET /wayback/available?url=&timestamp=``
    The availability API: ``{"url": ..., "archived_snapshots": {"closest": {"status",
    "available", "url", "timestamp"}}}`` naming the capture nearest ``timestamp`` (the newest
    without one) whatever its status, or ``"archived_snapshots": {}``.
``GET /web/<ts>[flags]/<original>``
    Replay. A timestamp the table does not hold for that URL redirects (302) to the nearest
    capture's own timestamp, flags kept; the exact timestamp serves the capture as archived:
    its body and status (a 3xx capture redirects to its archived location). 404 when the
    URL has no capture.
``GET|POST /save/<original>``
    Save Page Now: records a capture (status ``save_status``) stamped with the current UTC
    time and names it as ``save_reply`` says: ``"location"`` (302 + Location),
    ``"content-location"`` (200 + Content-Location), ``"link"`` (200 + memento Link
    header) or ``"none"`` (200, no capture named).

Misbehaviour, checked in this order for every request: ``hang`` (no answer until the server
closes), ``delay`` (seconds before answering), ``pressure(limit, window, retry_after)``
(429 + Retry-After once more than ``limit`` requests arrived within ``window`` seconds,
rejected ones counted, as a real firewall would), ``fail_next(status, times, ...)``
(scripted answers for the next matching requests). ``honour_filters = False`` makes the
CDX API ignore ``filter=``, as a careless mirror might.

Every request is logged (:attr:`FakeWayback.requests`: method, route, path, query, monotonic
start and end times, status) and :attr:`FakeWayback.max_in_flight` records the most answered
at once, so tests can assert how many calls were made and how they were spaced.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import json
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from waybackpy.cdx_utils import check_filters, check_sort
from waybackpy.exceptions import WaybackError

from verifier.config import Settings

CDX_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
HANG_LIMIT = 30.0  # seconds a hanging answer waits at most, so a forgotten close cannot wedge a run

_WEB = re.compile(r"^/web/(?P<ts>\d{1,14})(?P<flags>[a-z]{2}_)?/(?P<original>.+)$")


@dataclass(frozen=True, slots=True)
class Capture:
    """One archived answer: when, with which status, of which type, with what body."""

    timestamp: str
    status: int | None = 200  # None for a revisit record, shown as "-" like the real index
    mimetype: str = "text/html"
    body: bytes = b"<html><body>archived</body></html>"
    location: str | None = None  # where an archived 3xx pointed

    @property
    def digest(self) -> str:
        return base64.b32encode(hashlib.sha1(self.body).digest()).decode("ascii")

    @property
    def seconds(self) -> float:
        return _seconds(self.timestamp)


CaptureSpec = Capture | tuple[Any, ...]


@dataclass(slots=True)
class Request:
    method: str
    route: str
    path: str
    query: dict[str, list[str]]
    started: float
    finished: float | None = None  # set once the answer has been written, a moment after the client has it
    status: int | None = None


@dataclass(slots=True)
class _Scripted:
    status: int
    times: int
    retry_after: str | None
    route: str | None
    body: bytes


def _seconds(timestamp: str, high: bool = False) -> float:
    """Seconds since the epoch of a 1-14 digit timestamp, padded low (or high) as the CDX pads."""
    digits = timestamp[:14]
    if high:
        padded = digits + "99991231235959"[len(digits) :]
        # Month 12, day 31 may not exist for a given month: clamp the day down until valid.
        for day in ("31", "30", "29", "28"):
            try:
                candidate = padded[:6] + day + padded[8:] if len(digits) < 8 else padded
                return dt.datetime.strptime(candidate, "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC).timestamp()
            except ValueError:
                continue
        raise ValueError(f"bad timestamp {timestamp!r}")
    padded = digits + "00000101000000"[len(digits) :]
    return dt.datetime.strptime(padded, "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC).timestamp()


def url_key(url: str) -> str:
    """The archive's view of a URL: no scheme, no ``www.``, no default port, lowercased, no
    trailing slash on the path, query arguments in order, no fragment."""
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    host = re.sub(r"^www\d*\.", "", (parts.hostname or "").lower())
    port = parts.port
    if port is not None and port not in (80, 443):
        host = f"{host}:{port}"
    path = parts.path.lower() or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = "&".join(sorted(argument for argument in parts.query.lower().split("&") if argument))
    return host + path + (f"?{query}" if query else "")


def surt(url: str) -> str:
    """The SURT key the real index sorts and matches by: ``com,example)/a/b?x=1``."""
    key = url_key(url)
    host, _, rest = key.partition("/")
    name, _, port = host.partition(":")
    reversed_host = ",".join(reversed(name.split(".")))
    return f"{reversed_host}{':' + port if port else ''})/{rest}"


def _host_of(key: str) -> str:
    return key.partition(")")[0]


def _as_capture(spec: CaptureSpec) -> Capture:
    if isinstance(spec, Capture):
        return spec
    values = list(spec)
    if len(values) >= 4 and isinstance(values[3], str):
        values[3] = values[3].encode()
    return Capture(*values)


class FakeWayback:
    """Start with ``with FakeWayback({url: [(ts, status, mimetype, body), ...]}) as fake:``."""

    def __init__(self, captures: Mapping[str, Iterable[CaptureSpec]] | None = None) -> None:
        self._lock = threading.Lock()
        self._table: dict[str, list[tuple[str, Capture]]] = {}
        self._blocked: set[str] = set()
        self._requests: list[Request] = []
        self._scripted: list[_Scripted] = []
        self._recent: deque[float] = deque()
        self._pressure: tuple[int, float, str] | None = None
        self._release = threading.Event()
        self._connections: set[socket.socket] = set()
        self._in_flight = 0
        self.max_in_flight = 0
        self.hang = False
        self.delay = 0.0
        self.save_reply = "location"
        self.save_status = 200
        self.honour_filters = True  # False: a CDX mirror that ignores filter= (the client must not trust it)
        self.block_rows = 3000  # captures per index block, for paging
        for url, specs in (captures or {}).items():
            self.add(url, *specs)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # The table -----------------------------------------------------------------------------

    def add(self, url: str, *specs: CaptureSpec) -> None:
        """Add captures of ``url`` (each a Capture or a (timestamp, status, mimetype, body) tuple)."""
        with self._lock:
            entries = self._table.setdefault(surt(url), [])
            entries.extend((url, _as_capture(spec)) for spec in specs)
            entries.sort(key=lambda entry: entry[1].timestamp)

    def block(self, url: str) -> None:
        """Exclude ``url`` from the archive, as robots.txt or an owner's request does."""
        with self._lock:
            self._blocked.add(surt(url))

    def captures(self, url: str) -> list[tuple[str, Capture]]:
        with self._lock:
            return list(self._table.get(surt(url), []))

    # Misbehaviour ----------------------------------------------------------------------------

    def pressure(self, limit: int, window: float, retry_after: float | str = 1) -> None:
        """Answer 429 + Retry-After once more than ``limit`` requests came within ``window`` s."""
        with self._lock:
            self._pressure = (limit, window, str(retry_after))

    def fail_next(
        self,
        status: int,
        times: int = 1,
        *,
        retry_after: float | str | None = None,
        route: str | None = None,
        body: bytes = b"",
    ) -> None:
        """The next ``times`` requests (to ``route``: cdx, available, web, save) answer ``status``."""
        with self._lock:
            self._scripted.append(
                _Scripted(status, times, None if retry_after is None else str(retry_after), route, body)
            )

    # The log ---------------------------------------------------------------------------------

    @property
    def requests(self) -> list[Request]:
        with self._lock:
            return [dataclasses.replace(r, query=dict(r.query)) for r in self._requests]

    def count(self, route: str | None = None) -> int:
        return len([r for r in self.requests if route is None or r.route == route])

    def starts(self, route: str | None = None) -> list[float]:
        return sorted(r.started for r in self.requests if route is None or r.route == route)

    # Lifecycle -------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def settings(self, **overrides: Any) -> Settings:
        """Settings whose archive endpoints all point at this fake."""
        values: dict[str, Any] = {
            "cdx_endpoint": f"{self.url}/cdx/search/cdx",
            "availability_endpoint": f"{self.url}/wayback/available",
            "save_endpoint": f"{self.url}/save",
            "snapshot_host": self.url,
        }
        values.update(overrides)
        return dataclasses.replace(Settings(), **values)

    def start(self) -> FakeWayback:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="fake-wayback",
            daemon=True,
        )
        self._thread.start()
        return self

    def close(self) -> None:
        self._release.set()
        self._server.shutdown()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeWayback:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Answers (called from the server's threads) ------------------------------------------------

    def _begin(self, method: str, target: str) -> Request:
        parts = urlsplit(target)
        route = _route(parts.path)
        query = parse_qs(parts.query, keep_blank_values=True) if route != "web" and route != "save" else {}
        record = Request(method, route, parts.path, query, time.monotonic())
        with self._lock:
            self._requests.append(record)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        return record

    def _decided(self, record: Request, status: int) -> None:
        """The answer is settled: it is logged and no longer counted in flight before it leaves,
        so a client that has it and sends the next request never finds the log behind it."""
        with self._lock:
            if record.status is None:
                self._in_flight -= 1
            record.status = status

    def _end(self, record: Request, status: int) -> None:
        self._decided(record, status)
        with self._lock:
            record.finished = time.monotonic()

    def _misbehaviour(self, record: Request) -> _Answer | None:
        if self.hang:
            self._release.wait(HANG_LIMIT)
            return _Answer(503, b"gave up hanging")
        if self.delay > 0:
            time.sleep(self.delay)
        with self._lock:
            if self._pressure is not None:
                limit, window, retry_after = self._pressure
                now = time.monotonic()
                self._recent.append(now)
                while self._recent and self._recent[0] < now - window:
                    self._recent.popleft()
                if len(self._recent) > limit:
                    return _Answer(429, b"Too Many Requests", {"Retry-After": retry_after})
            for scripted in self._scripted:
                if scripted.times > 0 and scripted.route in (None, record.route):
                    scripted.times -= 1
                    headers = {} if scripted.retry_after is None else {"Retry-After": scripted.retry_after}
                    return _Answer(scripted.status, scripted.body, headers)
        return None

    def _answer(self, method: str, target: str) -> _Answer:
        route = _route(urlsplit(target).path)
        if route == "cdx":
            return self._cdx(parse_qs(urlsplit(target).query, keep_blank_values=True))
        if route == "available":
            return self._available(parse_qs(urlsplit(target).query, keep_blank_values=True))
        if route == "web":
            return self._replay(target)
        if route == "save":
            return self._save(target[len("/save/") :])
        return _Answer(404, b"no such route")

    def _cdx(self, query: dict[str, list[str]]) -> _Answer:
        def one(name: str, default: str | None = None) -> str | None:
            return query.get(name, [default])[-1]

        url = one("url")
        if not url:
            return _Answer(400, b"url parameter required")
        filters = query.get("filter", [])
        sort = one("sort")
        try:
            check_filters(filters)
            check_sort(sort)
            limit = int(one("limit") or 0)
            fields = tuple((one("fl") or ",".join(CDX_FIELDS)).split(","))
            if any(name not in CDX_FIELDS for name in fields):
                raise WaybackError(f"unknown field in fl={','.join(fields)}")
            low = _seconds(one("from") or "0000") if one("from") else None
            high = _seconds(one("to") or "9999", high=True) if one("to") else None
            closest = _seconds(one("closest") or "") if sort == "closest" else None
        except (WaybackError, ValueError) as error:
            return _Answer(400, str(error).encode())
        match_type = one("matchType", "exact")
        if url.endswith("*"):
            match_type, url = "prefix", url[:-1]
        if url.startswith("*."):
            match_type, url = "domain", url[2:]
        if match_type not in ("exact", "prefix", "host", "domain"):
            return _Answer(400, f"unknown matchType {match_type}".encode())
        key = surt(url)
        host = _host_of(key)
        try:
            page_text = one("page")
            page = int(page_text) if page_text is not None else None
            page_size = int(one("pageSize") or 5)
        except ValueError as error:
            return _Answer(400, str(error).encode())

        def matches(candidate: str) -> bool:
            if match_type == "exact":
                return candidate == key
            if match_type == "prefix":
                return candidate.startswith(key)
            if match_type == "host":
                return _host_of(candidate) == host
            name = _host_of(candidate)
            return name == host or name.startswith(host + ",")

        with self._lock:
            # A site excluded at its root is excluded whole, as robots.txt or its owner asks.
            if key in self._blocked or f"{host})/" in self._blocked:
                return _Answer(
                    403,
                    b"org.archive.util.io.RuntimeIOException: org.archive.wayback.exception."
                    b"AdministrativeAccessControlException: Blocked Site Error\n",
                )
            entries = [
                (k, original, capture)
                for k, captures in self._table.items()
                if matches(k) and k not in self._blocked
                for original, capture in captures
            ]
        # The index's own order: by SURT key, then time.
        entries.sort(key=lambda entry: (entry[0], entry[2].timestamp))
        per_page = self.block_rows * max(1, page_size)
        if one("showNumPages") == "true":
            pages = (len(entries) + per_page - 1) // per_page
            return _Answer(200, f"{pages}\n".encode(), {"Content-Type": "text/plain"})
        if page is not None:
            entries = entries[page * per_page : (page + 1) * per_page]
        rows = []
        for urlkey, original, capture in entries:
            if low is not None and capture.seconds < low:
                continue
            if high is not None and capture.seconds > high:
                continue
            values = {
                "urlkey": urlkey,
                "timestamp": capture.timestamp,
                "original": original,
                "mimetype": capture.mimetype,
                "statuscode": "-" if capture.status is None else str(capture.status),
                "digest": capture.digest,
                "length": str(len(capture.body)),
            }
            if not self.honour_filters or all(_filter_matches(e, values) for e in filters):
                rows.append(values)
        for expression in query.get("collapse", []):
            name, _, width = expression.partition(":")
            if name not in CDX_FIELDS or (width and not width.isdigit()):
                return _Answer(400, f"bad collapse {expression}".encode())
            rows = _collapsed(rows, name, int(width) if width else None)
        if closest is not None:
            rows.sort(key=lambda values: (abs(_seconds(values["timestamp"]) - closest), values["timestamp"]))
        elif sort == "reverse":
            rows.reverse()
        if one("fastLatest") == "true":
            rows = rows[-(abs(limit) or 1) :]
        elif limit > 0:
            rows = rows[:limit]
        elif limit < 0:
            rows = rows[limit:]
        table = [[values[name] for name in fields] for values in rows]
        if one("output") == "json":
            payload = json.dumps([list(fields), *table] if table else []).encode()
            return _Answer(200, payload, {"Content-Type": "application/json"})
        text = "".join(" ".join(row) + "\n" for row in table).encode()
        return _Answer(200, text, {"Content-Type": "text/plain"})

    def _nearest(self, url: str, timestamp: str | None) -> tuple[str, Capture] | None:
        entries = self.captures(url)
        if not entries:
            return None
        if not timestamp:
            return entries[-1]
        target = _seconds(timestamp)
        return min(entries, key=lambda entry: (abs(entry[1].seconds - target), entry[1].timestamp))

    def _available(self, query: dict[str, list[str]]) -> _Answer:
        url = query.get("url", [""])[-1]
        timestamp = query.get("timestamp", [""])[-1]
        try:
            nearest = self._nearest(url, timestamp) if url else None
        except ValueError:
            return _Answer(400, b"bad timestamp")
        archived: dict[str, Any] = {}
        if nearest is not None:
            original, capture = nearest
            archived["closest"] = {
                "status": "-" if capture.status is None else str(capture.status),
                "available": True,
                "url": f"{self.url}/web/{capture.timestamp}/{original}",
                "timestamp": capture.timestamp,
            }
        payload = json.dumps({"url": url, "archived_snapshots": archived}).encode()
        return _Answer(200, payload, {"Content-Type": "application/json"})

    def _replay(self, target: str) -> _Answer:
        match = _WEB.match(target)
        if match is None:
            return _Answer(400, b"bad replay address")
        original = re.sub(r"^(https?):/(?!/)", r"\1://", match.group("original"), flags=re.IGNORECASE)
        flags = match.group("flags") or ""
        try:
            nearest = self._nearest(original, match.group("ts"))
        except ValueError:
            return _Answer(400, b"bad timestamp")
        if nearest is None:
            return _Answer(404, b"Hrm. The Wayback Machine has not archived that URL.")
        archived_original, capture = nearest
        if capture.timestamp != match.group("ts"):
            location = f"{self.url}/web/{capture.timestamp}{flags}/{archived_original}"
            return _Answer(302, b"", {"Location": location})
        headers = {"Content-Type": capture.mimetype}
        status = capture.status or 200
        if 300 <= status < 400:
            headers["Location"] = capture.location or "/"
        return _Answer(status, capture.body, headers)

    def _save(self, original: str) -> _Answer:
        original = re.sub(r"^(https?):/(?!/)", r"\1://", original, flags=re.IGNORECASE)
        if not original:
            return _Answer(400, b"no URL to save")
        timestamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
        self.add(original, Capture(timestamp, self.save_status, "text/html", b"<html>saved</html>"))
        path = f"/web/{timestamp}/{original}"
        mode = self.save_reply
        if mode == "location":
            return _Answer(302, b"", {"Location": self.url + path})
        if mode == "content-location":
            return _Answer(200, b"<html>saved</html>", {"Content-Location": path})
        if mode == "link":
            link = f'<{original}>; rel="original", <{self.url}{path}>; rel="memento"; datetime="now"'
            return _Answer(200, b"<html>saved</html>", {"Link": link})
        return _Answer(200, b"<html>Saving page now...</html>")

    @contextmanager
    def _tracked(self, connection: socket.socket) -> Iterator[None]:
        with self._lock:
            self._connections.add(connection)
        try:
            yield
        finally:
            with self._lock:
                self._connections.discard(connection)


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


def _route(path: str) -> str:
    if path.rstrip("/") == "/cdx/search/cdx":
        return "cdx"
    if path.rstrip("/") == "/wayback/available":
        return "available"
    if path.startswith("/web/"):
        return "web"
    if path.startswith("/save/"):
        return "save"
    return "other"


def _collapsed(rows: list[dict[str, str]], name: str, width: int | None) -> list[dict[str, str]]:
    kept: list[dict[str, str]] = []
    previous: str | None = None
    for values in rows:
        value = values[name][:width] if width is not None else values[name]
        if value != previous:
            kept.append(values)
        previous = value
    return kept


def _filter_matches(expression: str, values: Mapping[str, str]) -> bool:
    negate = expression.startswith("!")
    name, _, pattern = expression.lstrip("!").partition(":")
    matched = re.fullmatch(pattern, values.get(name, "")) is not None
    return matched != negate


def _handler_for(fake: FakeWayback) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body leave in separate writes; without TCP_NODELAY the client's delayed
        # ACK would add 40 ms to every answer.
        disable_nagle_algorithm = True

        def handle(self) -> None:
            with fake._tracked(self.connection):
                super().handle()

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            self._serve("POST")

        def _serve(self, method: str) -> None:
            record = fake._begin(method, self.path)
            answer = _Answer(500, b"fake failed")
            try:
                answer = fake._misbehaviour(record) or fake._answer(method, self.path)
                # Logged before the answer leaves, so a client that has it always finds it logged.
                fake._decided(record, answer.status)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
            except OSError:
                self.close_connection = True
            finally:
                fake._end(record, answer.status)

    return Handler
