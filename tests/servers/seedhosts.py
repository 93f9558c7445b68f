"""Stand-ins for many named web hosts on loopback, for runs that route real names here (``resolve``).

``NamedHosts(sites, ca)`` serves every site on one HTTP port and one HTTPS port (one
certificate from ``ca`` naming every host), picking the site by the Host header. A site is a
function ``(method, path) -> Reply``. ``TLSFront`` puts TLS (certificate for given names) in
front of a plain HTTP server, such as the fake Wayback Machine.

:attr:`NamedHosts.requests` logs (host, method, path) of every request.
"""

from __future__ import annotations

import select
import socket
import socketserver
import ssl
import threading
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import trustme


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)


Site = Callable[[str, str], Reply]


def html(title: str, text: str = "", status: int = 200) -> Reply:
    body = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1><p>{text}</p></body></html>"
    ).encode()
    return Reply(status, body, {"Content-Type": "text/html; charset=utf-8"})


def server_context(ca: trustme.CA, names: Iterable[str]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    return context


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    tls: ssl.SSLContext | None = None

    def get_request(self) -> tuple[Any, Any]:
        connection, address = self.socket.accept()
        if self.tls is not None:
            # The handshake happens in the connection's own thread, on its first read.
            connection = self.tls.wrap_socket(connection, server_side=True, do_handshake_on_connect=False)
        return connection, address


class NamedHosts:
    """Many sites behind two loopback ports; start with ``with NamedHosts(...) as hosts:``."""

    def __init__(self, sites: Mapping[str, Site], ca: trustme.CA) -> None:
        self.sites = {name.lower(): site for name, site in sites.items()}
        self.requests: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()
        self._http = _Server(("127.0.0.1", 0), self._handler())
        self._https = _Server(("127.0.0.1", 0), self._handler())
        self._https.tls = server_context(ca, self.sites)
        self._threads: list[threading.Thread] = []

    @property
    def http_port(self) -> int:
        return int(self._http.server_address[1])

    @property
    def https_port(self) -> int:
        return int(self._https.server_address[1])

    def count(self, host: str, path: str | None = None, method: str | None = None) -> int:
        with self._lock:
            return sum(
                1 for h, m, p in self.requests if h == host and path in (None, p) and method in (None, m)
            )

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        hosts = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_HEAD(self) -> None:
                self._serve("HEAD")

            def do_GET(self) -> None:
                self._serve("GET")

            def _serve(self, method: str) -> None:
                host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()
                with hosts._lock:
                    hosts.requests.append((host, method, self.path))
                site = hosts.sites.get(host)
                reply = site(method, self.path) if site else Reply(421, b"no such host here")
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                if method != "HEAD":
                    self.wfile.write(reply.body)

        return Handler

    def __enter__(self) -> NamedHosts:
        for server in (self._http, self._https):
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
            )
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        for server in (self._http, self._https):
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(5)


class TLSFront:
    """Terminates TLS for ``names`` on a loopback port and passes the bytes to ``backend``."""

    def __init__(self, backend: tuple[str, int], ca: trustme.CA, names: Iterable[str]) -> None:
        context = server_context(ca, names)
        front = self

        class Pipe(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                with (
                    suppress(OSError),
                    context.wrap_socket(self.request, server_side=True) as outer,
                    socket.create_connection(backend, timeout=10) as inner,
                ):
                    front._pipe(outer, inner)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Pipe)
        self._server.daemon_threads = True
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def _pipe(self, outer: ssl.SSLSocket, inner: socket.socket) -> None:
        while not self._stopping.is_set():
            # Decrypted bytes may wait inside the TLS object, where select cannot see them.
            ready = [outer] if outer.pending() else select.select([outer, inner], [], [], 0.1)[0]
            for source in ready:
                data = source.recv(65536)
                if not data:
                    return
                (inner if source is outer else outer).sendall(data)

    def __enter__(self) -> TLSFront:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)
