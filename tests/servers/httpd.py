"""A real HTTP/1.1 server on loopback that misbehaves on purpose, for tests and benchmarks.

``LocalServer`` runs an asyncio server in a thread of its own, so it works from sync and
async tests alike and its CPU time is not the client's. It listens on one or more
"hosts": ``ports`` sockets on each of ``addresses`` (default one on 127.0.0.1, port 0), and
every host serves the same routes. ``latency`` delays every response; ``tls`` (an
``ssl.SSLContext``, see :mod:`tests.servers.tls`) serves HTTPS.

``mode`` decides what unknown paths get: ``"404"`` (a real 404), ``"soft404"`` (200 with a
"Page not found" title), ``"soft404-plain"`` (200 with the site's usual template and no
"not found" wording, only a fingerprint can tell), ``"home"`` (302 to ``/``) or
``"botwall"`` (200 "Are you a robot?" captcha page, as a site behind a bot wall answers).

Routes (HEAD is answered like GET without a body unless said otherwise, or with 405 on
any route when the query has ``head=405``; ``<k>`` is any key, so tests can keep per-test
state apart):

``/``                       200 home page, title "Home"
``/ok``, ``/ok/<any>``      200 HTML, title "Page <path>", text that differs per path (every
                            path under /ok/ exists, so the host answers made-up names with 200)
``/doc/<n>.html``           200 HTML article; any other name under /doc/ is a real 404 (use
                            these for "ordinary site" URLs, e.g. in benchmarks)
``/html?title=&h1=&status=`` HTML with that title and first heading (status default 200)
``/pdf``                    200 application/pdf
``/no-type``                200 with no Content-Type
``/head-405``               HEAD 405, GET 200
``/429/<k>?after=S&times=N`` 429 with ``Retry-After: S`` (``date`` for an HTTP date) for the
                            first N requests (default 1; ``always`` for ever), then 200
``/503/<k>?times=N``        503 for the first N requests (default 1), then 200
``/503``                    always 503
``/slow?delay=S``           headers after S seconds
``/trickle?interval=S``     HEAD 405; GET sends headers, then one body byte every S seconds
``/reset``, ``/reset/<k>?times=N``  the connection is reset (RST) without an answer
                            (always, or the first N requests)
``/loop/a`` <-> ``/loop/b`` redirect loop (302)
``/chain/<n>``              301 to ``/chain/<n-1>`` ... ``/chain/0`` answers 200
``/moved-home/<any>``       301 to ``/``
``/moved-login/<any>``      302 to ``/login?next=...``; ``/login`` is a 200 sign-in page
``/cookie-gate``            302 to itself setting a cookie; with the cookie, 200
``/status/<code>``          that status with a small HTML body (``/404``, ``/410``, ``/500``
                            are aliases); ``/gone`` 410, ``/missing`` 404
``/forbidden`` 403 plain, ``/unauthorized`` 401
``/cloudflare``             403 Cloudflare challenge (``cf-mitigated: challenge``); HEAD
                            too. ``/cloudflare-503`` the same with 503
``/captcha``                200 "Are you a robot?" captcha page
``/parked``                 200 parked-domain page ("This domain is for sale")
``/bomb?mb=N``              HEAD 405; GET 200 gzip body that inflates to N MiB (default 256)

Counters: :attr:`requests` (list of (method, path)), :attr:`headers_seen` (each request's
headers, lower-case names), :attr:`request_times` (``time.monotonic()`` at each request's
arrival), :meth:`count`, per-host
:attr:`max_in_flight` (most requests being answered at once), :attr:`max_connections`
(most open connections at once), :attr:`bytes_sent`.
"""

from __future__ import annotations

import asyncio
import email.utils
import html
import re
import socket
import ssl
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, urlsplit

_REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    410: "Gone",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@dataclass(slots=True)
class _Reply:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    reset: bool = False
    trickle: float | None = None  # seconds between body bytes
    bomb_mb: int = 0

    def header(self, name: str, value: str) -> _Reply:
        self.headers.append((name, value))
        return self


def _page(title: str, heading: str | None = None, text: str = "", status: int = 200) -> _Reply:
    h1 = f"<h1>{html.escape(heading)}</h1>" if heading else ""
    body = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
        f"<body>{h1}<p>{html.escape(text)}</p></body></html>"
    ).encode()
    return _Reply(status, [("Content-Type", "text/html; charset=utf-8")], body)


def _captcha() -> _Reply:
    reply = _page("Are you a robot?", "Please confirm you are human", "")
    reply.body += b"<div class='g-recaptcha' data-sitekey='x'></div>"
    return reply


_SITE_TEMPLATE = (
    "Welcome to the Example Library. Browse our catalogue of books, journals and maps. "
    "Opening hours are nine to five on weekdays. Contact the front desk for help with "
    "membership, interlibrary loans and reading room bookings."
)


_WORDS = [
    "river",
    "stone",
    "archive",
    "letter",
    "museum",
    "harbour",
    "winter",
    "census",
    "railway",
    "treaty",
    "garden",
    "council",
    "engine",
    "market",
    "chapel",
    "orchard",
    "bridge",
    "lantern",
    "meadow",
    "quarry",
    "tower",
    "valley",
    "ledger",
    "canal",
]
_DOC = re.compile(r"/doc/\d+\.html")


def _article_text(path: str) -> str:
    """Words that differ from one path to the next, as real articles do."""
    seed = zlib.crc32(path.encode())
    words = []
    for _ in range(60):
        seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF
        words.append(_WORDS[seed % len(_WORDS)])
    return " ".join(words)


@dataclass(slots=True)
class _HostStats:
    in_flight: int = 0
    max_in_flight: int = 0
    connections: int = 0
    max_connections: int = 0
    accepted: int = 0


class LocalServer:
    """A misbehaving HTTP(S) server on loopback; see the module docstring for its routes."""

    def __init__(
        self,
        *,
        addresses: Iterable[str] = ("127.0.0.1",),
        ports: int = 1,
        latency: float = 0.0,
        mode: str = "404",
        tls: ssl.SSLContext | None = None,
    ) -> None:
        if mode not in ("404", "soft404", "soft404-plain", "home", "botwall"):
            raise ValueError(f"unknown mode {mode!r}")
        self.addresses = tuple(addresses)
        self.ports_per_address = ports
        self.latency = latency
        self.mode = mode
        self._tls = tls
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._servers: list[asyncio.Server] = []
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._counters: Counter[str] = Counter()
        self.hosts: list[tuple[str, int]] = []
        self.requests: list[tuple[str, str]] = []
        self.headers_seen: list[dict[str, str]] = []
        self.request_times: list[float] = []
        self.stats: dict[str, _HostStats] = {}
        self.bytes_sent = 0
        self._startup_error: BaseException | None = None

    # Lifecycle ---------------------------------------------------------------------------------

    def start(self) -> LocalServer:
        self._thread = threading.Thread(target=self._run, name="LocalServer", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the local server did not start")
        if self._startup_error is not None:
            raise self._startup_error
        return self

    def stop(self) -> None:
        loop = self._loop
        if loop is None or self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(10)
        self._loop = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._listen())
        except BaseException as error:  # reported to start()
            self._startup_error = error
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        loop.run_forever()
        loop.close()

    async def _listen(self) -> None:
        for address in self.addresses:
            for _ in range(self.ports_per_address):
                server = await asyncio.start_server(
                    self._serve, address, 0, ssl=self._tls, backlog=1024, reuse_address=True
                )
                port = server.sockets[0].getsockname()[1]
                self._servers.append(server)
                self.hosts.append((address, port))
                self.stats[f"{address}:{port}"] = _HostStats()

    async def _shutdown(self) -> None:
        for server in self._servers:
            server.close()
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for server in self._servers:
            await server.wait_closed()

    # Addresses and counters -------------------------------------------------------------------

    @property
    def scheme(self) -> str:
        return "https" if self._tls is not None else "http"

    def base(self, host: int = 0) -> str:
        address, port = self.hosts[host]
        return f"{self.scheme}://{address}:{port}"

    def url(self, path: str = "/", host: int = 0) -> str:
        return self.base(host) + (path if path.startswith("/") else "/" + path)

    @property
    def max_in_flight(self) -> int:
        """The most requests answered at once on any one host."""
        return max((s.max_in_flight for s in self.stats.values()), default=0)

    @property
    def max_connections(self) -> int:
        return max((s.max_connections for s in self.stats.values()), default=0)

    @property
    def connections_accepted(self) -> int:
        return sum(s.accepted for s in self.stats.values())

    def count(self, path: str | None = None, method: str | None = None) -> int:
        with self._lock:
            return sum(
                1
                for m, p in self.requests
                if (path is None or p == path or p.split("?", 1)[0] == path) and (method in (None, m))
            )

    def _times(self, key: str) -> int:
        with self._lock:
            self._counters[key] += 1
            return self._counters[key]

    # Serving ------------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        local = writer.get_extra_info("sockname")
        stats = self.stats.get(f"{local[0]}:{local[1]}") or _HostStats()
        stats.connections += 1
        stats.accepted += 1
        stats.max_connections = max(stats.max_connections, stats.connections)
        try:
            while True:
                head = await self._read_head(reader)
                if head is None:
                    break
                method, target, headers = head
                with self._lock:
                    self.requests.append((method, target))
                    self.headers_seen.append(headers)
                    self.request_times.append(time.monotonic())
                stats.in_flight += 1
                stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
                try:
                    if self.latency:
                        await asyncio.sleep(self.latency)
                    reply = await self._route(method, target, headers)
                    keep = await self._send(writer, method, reply)
                finally:
                    stats.in_flight -= 1
                if not keep or headers.get("connection", "").lower() == "close":
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, OSError):
            pass
        except asyncio.CancelledError:
            # Only the shutdown cancels a connection: end it quietly, it is the top of its task.
            writer.transport.abort()
        finally:
            stats.connections -= 1
            if not writer.transport.is_closing():
                writer.close()

    @staticmethod
    async def _read_head(reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str]] | None:
        try:
            raw = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            return None
        lines = raw.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) < 2:
            return None
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0") or 0)
        if length:
            await reader.readexactly(length)
        return parts[0].upper(), parts[1], headers

    async def _send(self, writer: asyncio.StreamWriter, method: str, reply: _Reply) -> bool:
        if reply.reset:
            sock = writer.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
            return False
        body = reply.body
        headers = list(reply.headers)
        if reply.bomb_mb:
            headers += [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]
        elif reply.trickle is None:
            headers.append(("Content-Length", str(len(body))))
        else:
            headers.append(("Content-Length", "1000000"))
        lines = [f"HTTP/1.1 {reply.status} {_REASONS.get(reply.status, 'Status')}"]
        lines += [f"{name}: {value}" for name, value in headers]
        if reply.bomb_mb:
            lines.append("Connection: close")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        if method != "HEAD":
            if reply.trickle is not None:
                while True:
                    writer.write(b"x")
                    await writer.drain()
                    await asyncio.sleep(reply.trickle)
            if reply.bomb_mb:
                await self._send_bomb(writer, reply.bomb_mb)
                return False
            writer.write(body)
            self.bytes_sent += len(body)
        await writer.drain()
        return True

    async def _send_bomb(self, writer: asyncio.StreamWriter, megabytes: int) -> None:
        compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        writer.write(compressor.compress(b"<!doctype html><html><head><title>Bomb</title></head><body>"))
        zeros = b"\0" * (1 << 20)
        for _ in range(megabytes):
            chunk = compressor.compress(zeros)
            if chunk:
                writer.write(chunk)
                self.bytes_sent += len(chunk)
                await writer.drain()
        writer.write(compressor.flush())
        await writer.drain()
        writer.close()

    # Routes ---------------------------------------------------------------------------------------

    async def _route(self, method: str, target: str, headers: dict[str, str]) -> _Reply:
        parts = urlsplit(target)
        path = parts.path
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if method == "HEAD" and query.get("head") == "405":
            return _Reply(405, [("Allow", "GET")])
        if path == "/":
            return _page("Home", "Welcome", _SITE_TEMPLATE)
        if path == "/ok" or path.startswith("/ok/"):
            return _page(f"Page {path}", f"Article {path}", _article_text(path))
        if _DOC.fullmatch(path):
            return _page(f"Document {path}", f"Document {path}", _article_text(path))
        if path == "/html":
            return _page(query.get("title", ""), query.get("h1"), "Some text.", int(query.get("status", 200)))
        if path == "/pdf":
            return _Reply(
                200, [("Content-Type", "application/pdf")], b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
            )
        if path == "/no-type":
            return _Reply(200, [], b"something")
        if path == "/head-405":
            if method == "HEAD":
                return _Reply(405, [("Allow", "GET")])
            return _page("Works with GET", "Works with GET")
        if path.startswith("/429/"):
            return self._rate_limited(target, query)
        if path.startswith("/503/"):
            if self._times(target) <= int(query.get("times", 1)):
                return _page("Service Unavailable", None, "", 503)
            return _page("Back again", "Back again")
        if path == "/503":
            return _page("Service Unavailable", "Down for maintenance", "", 503)
        if path == "/slow":
            await asyncio.sleep(float(query.get("delay", 1)))
            return _page("Slow", "Slow")
        if path == "/trickle":
            if method == "HEAD":
                return _Reply(405)
            return _Reply(200, [("Content-Type", "text/html")], trickle=float(query.get("interval", 0.05)))
        if path == "/reset":
            return _Reply(0, reset=True)
        if path.startswith("/reset/"):
            if self._times(target) <= int(query.get("times", 1)):
                return _Reply(0, reset=True)
            return _page("Recovered", "Recovered")
        if path == "/loop/a":
            return _Reply(302, [("Location", "/loop/b")])
        if path == "/loop/b":
            return _Reply(302, [("Location", "/loop/a")])
        if path.startswith("/chain/"):
            left = int(path.rsplit("/", 1)[1])
            if left <= 0:
                return _page("End of the chain", "End of the chain")
            return _Reply(301, [("Location", f"/chain/{left - 1}")])
        if path.startswith("/moved-home/"):
            return _Reply(301, [("Location", "/")])
        if path.startswith("/moved-login/"):
            return _Reply(302, [("Location", f"/login?next={quote(path)}")])
        if path == "/login":
            return _page("Sign in", "Sign in to continue", "Username and password.")
        if path == "/cookie-gate":
            if "gate=open" in headers.get("cookie", ""):
                return _page("Behind the gate", "Behind the gate")
            return _Reply(302, [("Location", "/cookie-gate"), ("Set-Cookie", "gate=open; Path=/")])
        if path.startswith("/status/") or path in ("/404", "/410", "/500"):
            code = int(path.rsplit("/", 1)[1])
            return _page(f"Status {code}", None, "", code)
        if path == "/gone":
            return _page("Gone", None, "", 410)
        if path == "/missing":
            return _page("Not here", None, "", 404)
        if path == "/forbidden":
            return _Reply(403, [("Content-Type", "text/plain")], b"Forbidden")
        if path == "/unauthorized":
            return _Reply(401, [("WWW-Authenticate", 'Basic realm="x"')])
        if path in ("/cloudflare", "/cloudflare-503"):
            reply = _page("Just a moment...", None, "Checking your browser before accessing the site.")
            reply.status = 403 if path == "/cloudflare" else 503
            reply.body += b"<script src='/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1'></script>"
            return reply.header("Server", "cloudflare").header("cf-mitigated", "challenge")
        if path == "/captcha":
            return _captcha()
        if path == "/parked":
            return _page("example.org", "This domain is for sale!", "Buy this domain today.")
        if path == "/bomb":
            if method == "HEAD":
                return _Reply(405)
            return _Reply(200, bomb_mb=int(query.get("mb", 256)))
        return self._unknown(path)

    def _rate_limited(self, target: str, query: dict[str, str]) -> _Reply:
        times = query.get("times", "1")
        if times == "always" or self._times(target) <= int(times):
            after = query.get("after", "1")
            value = email.utils.formatdate(time.time() + 2, usegmt=True) if after == "date" else after
            return _page("Too Many Requests", None, "", 429).header("Retry-After", value)
        return _page("Thanks for waiting", "Thanks for waiting")

    def _unknown(self, path: str) -> _Reply:
        if self.mode == "soft404":
            return _page("Page not found – Example Library", "Sorry, that page does not exist", path)
        if self.mode == "soft404-plain":
            return _page("Example Library", "Example Library", f"You asked for {path}. " + _SITE_TEMPLATE)
        if self.mode == "botwall":
            return _captcha()
        if self.mode == "home":
            return _Reply(302, [("Location", "/")])
        return _page("Not Found", "Not Found", "", 404)


__all__ = ["LocalServer"]
