"""A site of many hosts for the check benchmark: every 127.0.0.N on one port, slow on purpose.

Each answer waits ``--latency`` seconds (50 ms by default), like a distant server. Paths:
``/ok/<n>`` answers 200 with a small HTML page of its own, ``/moved/<n>`` redirects (301) to
``/ok/<n>``; ``/missing/<n>`` and anything else (a made-up path too) answer 404.
HTTP/1.1 with keep-alive, HEAD and GET.

Run ``python benchmarks/check_server.py --hosts 100``; it prints ``READY <port>`` once every
address listens, and stops on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import socket
import sys

PAGE = (
    "<!doctype html><html><head><title>Article {n}</title></head><body><h1>Article {n}</h1>"
    + "<p>Paragraph {n}: some text of a page that exists and says something of its own.</p>" * 20
    + "</body></html>"
)
NOT_FOUND = b"<!doctype html><html><head><title>404 Not Found</title></head><body>Not Found</body></html>"


def host_address(index: int) -> str:
    """The loopback address of host ``index`` (0-based): 127.0.0.2, 127.0.0.3, ..."""
    number = index + 2
    return f"127.0.{number // 250}.{number % 250 + (1 if number >= 250 else 0)}"


def _reply(status: str, body: bytes, head_only: bool, extra: str = "") -> bytes:
    header = (
        f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n{extra}Connection: keep-alive\r\n\r\n"
    ).encode()
    return header if head_only else header + body


def answer(method: str, path: str, host: str) -> bytes:
    head_only = method == "HEAD"
    folder, _, name = path.rpartition("/")
    if name.isdigit() and folder == "/ok":
        return _reply("200 OK", PAGE.format(n=name).encode(), head_only)
    if name.isdigit() and folder == "/moved":
        return _reply("301 Moved Permanently", b"", head_only, f"Location: http://{host}/ok/{name}\r\n")
    return _reply("404 Not Found", NOT_FOUND, head_only)


class Connection(asyncio.Protocol):
    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.buffer = b""
        self.transport: asyncio.Transport | None = None
        self.queue: asyncio.Queue[tuple[str, str, str] | None] = asyncio.Queue()
        self.worker: asyncio.Task[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.worker = asyncio.get_running_loop().create_task(self.serve())

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            parts = lines[0].split(" ")
            if len(parts) < 2:
                self.queue.put_nowait(None)
                return
            host = next((line[5:].strip() for line in lines[1:] if line.lower().startswith("host:")), "")
            self.queue.put_nowait((parts[0], parts[1], host))

    def connection_lost(self, exc: Exception | None) -> None:
        if self.worker is not None:
            self.worker.cancel()

    async def serve(self) -> None:
        # Requests on one connection are answered in order, each after the latency.
        while True:
            request = await self.queue.get()
            if request is None or self.transport is None:
                if self.transport is not None:
                    self.transport.close()
                return
            await asyncio.sleep(self.latency)
            self.transport.write(answer(*request))


def _bind_all(hosts: int) -> tuple[int, list[socket.socket]]:
    """Listening sockets for every host address on one shared, free port."""
    for _ in range(50):
        probe = socket.socket()
        probe.bind((host_address(0), 0))
        port = probe.getsockname()[1]
        sockets = [probe]
        try:
            for index in range(1, hosts):
                sock = socket.socket()
                sockets.append(sock)
                sock.bind((host_address(index), port))
        except OSError:
            for sock in sockets:
                sock.close()
            continue
        for sock in sockets:
            sock.listen(1024)
            sock.setblocking(False)
        return port, sockets
    raise OSError("no port free on every host address")


async def main(hosts: int, latency: float) -> None:
    loop = asyncio.get_running_loop()
    port, sockets = _bind_all(hosts)
    servers = [await loop.create_server(lambda: Connection(latency), sock=sock) for sock in sockets]
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    print(f"READY {port}", flush=True)
    await stop.wait()
    for server in servers:
        server.close()
    with contextlib.suppress(Exception):
        await asyncio.wait_for(asyncio.gather(*(s.wait_closed() for s in servers)), 2)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.05)
    options = parser.parse_args()
    asyncio.run(main(options.hosts, options.latency))
    sys.exit(0)
