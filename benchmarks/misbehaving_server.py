"""A web of badly behaved hosts for the misbehaving and hostile benchmarks: many 127.0.0.N, one port.

A host's kind (from the ``--spec`` JSON file: ``{"hosts": [{"address": ..., "kind": ...}]}``)
decides how it answers anything; on ``healthy`` and ``soft404`` hosts the first part of the
path decides the rest. Every answer comes after ``--latency`` seconds (20 ms by default).

Host kinds:

``healthy``   paths below; anything else 404
``soft404``   ``/ok/<n>`` and ``/`` are real pages; anything else 200 "Page not found"
``trickle``   the answer is sent one byte a second, for ever
``silent``    the request is read and never answered; the connection stays open
``endless``   HEAD answers 405; GET answers 200 with a chunked body that never ends
              (titled by its path); made-up (non-numeric) paths answer 404

Paths (healthy hosts): ``/ok/<n>`` 200; ``/missing/<n>`` 404; ``/gone/<n>`` 410;
``/r429/<n>`` 429 with Retry-After: 2 on the first request, then 200; ``/r503/<n>`` 503 with
Retry-After: 1 once, then 200; ``/reset/<n>`` a TCP reset instead of the first answer, then
200; ``/slow/<n>`` 200 after 3 s, every time; ``/loop/<n>`` 302 to ``/loop/<n>/b`` and back;
``/chain/<n>`` four 301s, then 200; ``/nohead/<n>`` HEAD 405, GET 200; ``/home/<n>`` 301 to ``/``;
``<n>`` is a number (anything else is a made-up path).
"Once" is per host and path, whatever the method, for the server's lifetime.

An address with no listener is left out of the spec: connecting to it is refused.

``--log FILE`` gets one tab-separated line per request: seconds since the epoch when it arrived,
when it was answered, address, method, path and what was done (a status or ``reset``,
``trickle``, ``silent``, ``endless``), so a benchmark can tell which requests each run made.

Run ``python benchmarks/misbehaving_server.py --spec hosts.json [--port N]``; it prints ``READY <port>``
once every address listens, and stops on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import socket
import struct
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TextIO

PAGE = (
    "<!doctype html><html><head><title>{title}</title></head><body><h1>{title}</h1>"
    + "<p>Paragraph of {title}: text of a page that exists and says something of its own.</p>" * 12
    + "</body></html>"
)
SOFT_404 = (
    "<!doctype html><html><head><title>Page not found</title></head><body>"
    "<h1>Sorry, we could not find that page</h1><p>It may have moved. Try the search box or go"
    ' back to the <a href="/">front page</a>.</p></body></html>'
)
NOT_FOUND = "<!doctype html><html><head><title>404 Not Found</title></head><body>Not Found</body></html>"
SLOW_SECONDS = 3.0
CHAIN_HOPS = 4
RETRY_AFTER = {"r429": ("429 Too Many Requests", 2), "r503": ("503 Service Unavailable", 1)}


class Server:
    def __init__(self, kinds: dict[str, str], latency: float, log: TextIO | None) -> None:
        self.kinds = kinds
        self.latency = latency
        self.log = log
        self.seen: Counter[tuple[str, str]] = Counter()

    def record(self, arrived: float, address: str, method: str, path: str, what: str) -> None:
        if self.log is not None:
            self.log.write(f"{arrived:.4f}\t{time.time():.4f}\t{address}\t{method}\t{path}\t{what}\n")

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        address = writer.get_extra_info("sockname")[0]
        kind = self.kinds.get(address, "healthy")
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                arrived = time.time()
                request_line = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
                if len(request_line) < 2:
                    return
                method, path = request_line[0], request_line[1]
                host = next(
                    (
                        line[5:].strip()
                        for line in head.decode("latin-1").split("\r\n")[1:]
                        if line.lower().startswith("host:")
                    ),
                    address,
                )
                if kind == "silent":
                    self.record(arrived, address, method, path, "silent")
                    await reader.read()  # until the client gives up
                    return
                if kind == "trickle":
                    self.record(arrived, address, method, path, "trickle")
                    await self.trickle(writer)
                    return
                if kind == "endless":
                    if not path.rstrip("/").rpartition("/")[2].isdigit():
                        # Made-up paths answer 404, so the body is not the site's answer to anything.
                        await self.reply(writer, arrived, address, method, path, "404 Not Found", NOT_FOUND)
                        continue
                    if method == "HEAD":
                        await self.reply(writer, arrived, address, method, path, "405 Method Not Allowed", "")
                        continue
                    self.record(arrived, address, method, path, "endless")
                    await self.endless(writer, path)
                    return
                if not await self.answer(writer, arrived, address, kind, method, path, host):
                    return
        except ConnectionError:
            return
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def answer(
        self,
        writer: asyncio.StreamWriter,
        arrived: float,
        address: str,
        kind: str,
        method: str,
        path: str,
        host: str,
    ) -> bool:
        """Answer one request on a healthy or soft-404 host; False once the connection is gone."""

        async def send(status: str, body: str = "", extra: str = "") -> bool:
            return await self.reply(writer, arrived, address, method, path, status, body, extra)

        async def moved(status: str, target: str) -> bool:
            return await send(status, "", f"Location: http://{host}{target}\r\n")

        parts = path.split("?", 1)[0].strip("/").split("/")
        family, number = parts[0], parts[1] if len(parts) > 1 else ""
        self.seen[address, path] += 1
        first = self.seen[address, path] == 1
        if path == "/":
            return await send("200 OK", PAGE.format(title=host))
        if not number.isdigit():
            # A made-up name (a soft-404 probe's random sibling) is not a page.
            return (
                await send("200 OK", SOFT_404)
                if kind == "soft404"
                else await send("404 Not Found", NOT_FOUND)
            )
        if family == "ok" and len(parts) == 2:
            title = f"Article {number} on {host}"
            return await send("200 OK", PAGE.format(title=title))
        if kind == "soft404":
            return await send("200 OK", SOFT_404)
        page = PAGE.format(title=f"Article {family} {number} on {host}")
        if family in RETRY_AFTER:
            if first:
                status, wait = RETRY_AFTER[family]
                extra = f"Retry-After: {wait}\r\n"
                return await send(status, "", extra)
            return await send("200 OK", page)
        if family == "reset":
            if first:
                # SO_LINGER 0 makes close send RST instead of FIN: a reset, not a clean end.
                sock = writer.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.record(arrived, address, method, path, "reset")
                writer.transport.abort()
                return False
            return await send("200 OK", page)
        if family == "nohead":
            if method == "HEAD":
                return await send("405 Method Not Allowed", "")
            return await send("200 OK", page)
        if family == "slow":
            await asyncio.sleep(SLOW_SECONDS - self.latency)
            return await send("200 OK", page)
        if family == "loop":
            target = f"/loop/{number}" if len(parts) > 2 else f"/loop/{number}/b"
            return await moved("302 Found", target)
        if family == "chain":
            hop = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 0
            if hop < CHAIN_HOPS:
                target = f"/chain/{number}/{hop + 1}"
                return await moved("301 Moved Permanently", target)
            return await send("200 OK", page)
        if family == "home":
            return await moved("301 Moved Permanently", "/")
        if family == "gone":
            return await send("410 Gone", NOT_FOUND)
        return await send("404 Not Found", NOT_FOUND)

    async def reply(
        self,
        writer: asyncio.StreamWriter,
        arrived: float,
        address: str,
        method: str,
        path: str,
        status: str,
        body_text: str,
        extra: str = "",
    ) -> bool:
        await asyncio.sleep(self.latency)
        body = body_text.encode()
        header = (
            f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\n{extra}Connection: keep-alive\r\n\r\n"
        ).encode()
        writer.write(header if method == "HEAD" else header + body)
        self.record(arrived, address, method, path, status.split(" ", 1)[0])
        try:
            await writer.drain()
        except ConnectionError:
            return False
        return True

    async def trickle(self, writer: asyncio.StreamWriter) -> None:
        answer = (
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 100000\r\n\r\n"
            + b"<html><body>" * 10_000
        )
        for byte in answer:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(1.0)

    async def endless(self, writer: asyncio.StreamWriter, path: str) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        first = f"<!doctype html><html><head><title>Feed {path}</title></head><body><h1>{path}</h1>".encode()
        writer.write(f"{len(first):x}\r\n".encode() + first + b"\r\n")
        chunk = b"<p>more and more and more</p>\n" * 512
        framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        while True:
            writer.write(framed)
            await writer.drain()
            # Paced, so a client that reads everything costs this machine little CPU.
            await asyncio.sleep(0.01)


def bind_all(addresses: list[str], port: int = 0) -> tuple[int, list[socket.socket]]:
    """Listening sockets for every address on one shared port (a free one when ``port`` is 0)."""
    for _ in range(50 if port == 0 else 1):
        probe = socket.socket()
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((addresses[0], port))
        chosen = probe.getsockname()[1]
        sockets = [probe]
        try:
            for address in addresses[1:]:
                sock = socket.socket()
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sockets.append(sock)
                sock.bind((address, chosen))
        except OSError:
            for sock in sockets:
                sock.close()
            continue
        for sock in sockets:
            sock.listen(1024)
            sock.setblocking(False)
        return chosen, sockets
    raise OSError("no port free on every address")


async def main(spec: Path, latency: float, log_path: Path | None, port: int) -> None:
    hosts = json.loads(spec.read_text())["hosts"]
    kinds = {host["address"]: host["kind"] for host in hosts}
    port, sockets = bind_all(list(kinds), port)
    # Line-buffered: the benchmark reads the log while the server still runs.
    log = log_path.open("w", buffering=1) if log_path else None
    server = Server(kinds, latency, log)
    servers = [await asyncio.start_server(server.serve, sock=sock, limit=1 << 16) for sock in sockets]
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    print(f"READY {port}", flush=True)
    await stop.wait()
    # Connections still trickling or silent are cancelled on the way out; that is no error.
    loop.set_exception_handler(lambda _loop, _context: None)
    for listening in servers:
        listening.close()
    if log is not None:
        log.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--spec", type=Path, required=True)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--log", type=Path)
    parser.add_argument("--port", type=int, default=0, help="the port on every address (0: a free one)")
    options = parser.parse_args()
    asyncio.run(main(options.spec, options.latency, options.log, options.port))
    sys.exit(0)
