"""Workers on separate machines: ``verifier serve --no-worker`` on this machine, and three
``verifier worker`` processes, each in a network namespace of its own behind a bridge, as
machines on one network would be, checking one source together.

Each namespace has its own address (10.77.N.11, .12, .13) and host name, and reaches this
machine only at the bridge's address (10.77.N.1) like any other host on the network: the
check queue (a Redis server of the test's own), PostgreSQL (through a forwarder, since the
machine's server listens on 127.0.0.1 alone) and the simulated web all listen there. The web
server sees which worker asks what, so the test can tell that every worker took part, that a
host was never asked more than ``--host-concurrency`` requests at once, and that it was never
asked by two workers at once (one host's URLs are checked by one worker at a time). For that
rule to be put to the test, every host's batch is sent a second time while the first ones are
being checked, so that two machines want the same host at once.

Needs root and iproute2 (``ip netns``); skipped without them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.integration.check_run.conftest import PAGE
from tests.integration.service.test_serve_process import ROOT, Served
from tests.postgres import own_database

MACHINES = 3
#: ``--queue-workers`` of each worker: each machine takes this many host batches at once.
THREADS = 2
#: ``--host-concurrency``: the most requests one host may be asked at once.
CONCURRENCY = 2
LEASE = "5"
#: Host names the workers reach through ``--resolve``; one more host is named by its address,
#: which only ``--allow-private-addresses`` lets the service connect to.
NAMED_HOSTS = tuple(f"site-{n}.test" for n in range(8))
LINKS_PER_HOST = 8
#: Each answer is held back this long: a host's batch lasts a second or more, so the six batch
#: threads each take one of the first batches and every worker takes part, and the requests
#: of one batch overlap, so that the per-host limit is actually reached.
DELAY = 0.25


def _wait_for(condition: Callable[[], bool], timeout: float, explain: Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met in {timeout:.0f} s\n{explain()}")
        time.sleep(0.1)


def _ip(*args: str) -> None:
    done = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")


class Network:
    """A bridge on this machine with the host-side address, and one namespace per machine
    joined to it by a veth pair. Names carry a tag of this run and the /24 is one this machine
    does not use yet, so that a leftover of a killed run, or a run beside this one, never
    collides with it."""

    def __init__(self, machines: int) -> None:
        tag = uuid.uuid4().hex[:6]
        self.tag = tag
        self.base = _unused_base()
        self.bridge = f"vbr{tag}"  # interface names have at most 15 characters
        self.namespaces = [f"verifier-{tag}-{n}" for n in range(machines)]
        self.hostside = f"{self.base}.1"
        self.cidr = f"{self.base}.0/24"
        self.addresses = [f"{self.base}.{11 + n}" for n in range(machines)]

    def create(self) -> None:
        _ip("link", "add", self.bridge, "type", "bridge")
        _ip("addr", "add", f"{self.hostside}/24", "dev", self.bridge)
        _ip("link", "set", self.bridge, "up")
        for n, (namespace, address) in enumerate(zip(self.namespaces, self.addresses, strict=True)):
            outside, inside = f"vh{self.tag}{n}", f"vn{self.tag}{n}"
            _ip("netns", "add", namespace)
            _ip("link", "add", outside, "type", "veth", "peer", "name", inside)
            _ip("link", "set", inside, "netns", namespace)
            _ip("link", "set", outside, "master", self.bridge, "up")
            _ip("-n", namespace, "addr", "add", f"{address}/24", "dev", inside)
            _ip("-n", namespace, "link", "set", inside, "up")
            # Without its loopback up a namespace cannot even reach itself (localhost, the
            # network canary, resolves to it).
            _ip("-n", namespace, "link", "set", "lo", "up")

    def destroy(self) -> None:
        """Remove everything made, whatever was made: each step on its own, errors ignored."""
        for n, namespace in enumerate(self.namespaces):
            # Deleting the host end removes the pair; deleting the namespace would too, but
            # only once no process is left in it.
            with contextlib.suppress(RuntimeError):
                _ip("link", "del", f"vh{self.tag}{n}")
            with contextlib.suppress(RuntimeError):
                _ip("netns", "del", namespace)
        with contextlib.suppress(RuntimeError):
            _ip("link", "del", self.bridge)


def _unused_base() -> str:
    """``10.77.N`` for an N that no address or route of this machine uses."""
    shown = subprocess.run(
        ["ip", "-4", "-o", "addr", "show"], capture_output=True, text=True, check=True
    ).stdout
    shown += subprocess.run(["ip", "-4", "route", "show"], capture_output=True, text=True, check=True).stdout
    for third in random.sample(range(256), 256):
        if f"10.77.{third}." not in shown:
            return f"10.77.{third}"
    raise AssertionError("every 10.77.N.0/24 is in use on this machine")


class Forwarder:
    """TCP from ``listen`` (a free port on that address) passed through to ``target``, on an
    event loop in a thread. PostgreSQL listens on 127.0.0.1 alone, which no namespace reaches;
    the machine's configuration is not ours to change."""

    def __init__(self, listen: str, target: tuple[str, int]) -> None:
        self.listen = listen
        self.target = target
        self.port = 0
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._connections: set[asyncio.Task[Any]] = set()
        self._thread = threading.Thread(target=asyncio.run, args=(self._serve(),), daemon=True)

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(10) or not self.port:
            raise AssertionError(f"the forwarder to {self.target} did not start")

    def stop(self) -> None:
        if self._loop is not None and self._stopping is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended
                self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(timeout=10)

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        try:
            server = await asyncio.start_server(self._connect, self.listen, 0)
            self.port = server.sockets[0].getsockname()[1]
        finally:
            self._ready.set()  # started or not: start() stops waiting
        await self._stopping.wait()
        server.close()
        for connection in list(self._connections):
            connection.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        await server.wait_closed()

    async def _connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            self._connections.discard(task)
            return
        try:
            await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))
        except OSError:
            pass  # one side reset the connection: both are closed below
        finally:
            writer.close()
            upstream_writer.close()
            self._connections.discard(task)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()
    with contextlib.suppress(OSError):
        writer.write_eof()  # the other direction may still have something to say


class Web:
    """The simulated web: one HTTP server on the host-side address answering for every host
    (the Host header says which) after ``DELAY``, recording who asked.

    Per host it keeps the requests in flight by client address, and from that the most ever
    in flight at once and every moment two clients had requests in flight together. A request
    counts as in flight from the moment it is read until just before its answer is written:
    within the time the client waits for it, so that what the server sees at once was at once
    for the clients too (no request is still counted when its client already has the answer
    and another worker may rightly take the host)."""

    def __init__(self, address: str) -> None:
        self.paths: set[str] = set()
        self.clients: Counter[str] = Counter()
        self.hits: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.shared: list[tuple[str, list[str]]] = []
        self._in_flight: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._lock = threading.Lock()
        self._closing = threading.Event()

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 64  # every batch thread's connections at once, never a SYN retry

        self._server = Server((address, 0), self._handler())
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _enter(self, host: str, client: str, path: str) -> None:
        with self._lock:
            self.clients[client] += 1
            self.hits[path] += 1
            flying = self._in_flight[host]
            flying[client] += 1
            self.peak[host] = max(self.peak[host], flying.total())
            if len(flying) > 1:
                self.shared.append((host, sorted(flying)))

    def _leave(self, host: str, client: str) -> None:
        with self._lock:
            flying = self._in_flight[host]
            flying[client] -= 1
            if flying[client] <= 0:
                del flying[client]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        web = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _answer(self, with_body: bool) -> None:
                host = self.headers.get("Host", "").rsplit(":", 1)[0].lower()
                client = self.client_address[0]
                path = self.path.split("?", 1)[0]
                web._enter(host, client, path)
                try:
                    web._closing.wait(DELAY)
                finally:
                    web._leave(host, client)
                known = f"{host}{path}" in web.paths
                body = PAGE if known else b"<html><title>Not Found</title></html>"
                self.send_response(200 if known else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if with_body:
                    self.wfile.write(body)

            def do_GET(self) -> None:
                self._answer(True)

            def do_HEAD(self) -> None:
                self._answer(False)

        return Handler


class BoundRedis:
    """A Redis server of the test's own, keeping nothing on disk, listening on 127.0.0.1 and on
    the host-side address, where the namespaces reach it."""

    def __init__(self, address: str, logs: Path, *, prefix: str) -> None:
        self.address = address
        self.prefix = prefix
        self.port = _port_free_on("127.0.0.1", address)
        self.log = logs / "redis.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        import redis

        server = shutil.which("redis-server")
        if server is None:
            pytest.skip("redis-server is not installed")
        # Without a password Redis answers only loopback clients unless protected mode is off;
        # this server is the test's own and listens on the test's own network alone.
        command = [
            server, "--port", str(self.port), "--bind", "127.0.0.1", self.address, "--protected-mode", "no",
            "--save", "", "--appendonly", "no", "--logfile", str(self.log),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        client = redis.Redis(host=self.address, port=self.port)

        def pings() -> bool:
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

        _wait_for(pings, 10, lambda: _tail(self.log))

    def url(self, address: str) -> str:
        """The check queue's URL for a client that reaches this server at ``address``."""
        return f"redis://{address}:{self.port}/0?prefix={self.prefix}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def _port_free_on(*addresses: str) -> int:
    """A port nothing listens on at any of ``addresses``."""
    for _ in range(50):
        with contextlib.ExitStack() as probes:
            first = probes.enter_context(socket.socket())
            first.bind((addresses[0], 0))
            port: int = first.getsockname()[1]
            try:
                for address in addresses[1:]:
                    probes.enter_context(socket.socket()).bind((address, port))
            except OSError:
                continue
            return port
    raise AssertionError(f"no port free on all of {addresses}")


def _tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return f"({path.name}: nothing written)"
    return f"--- {path.name}\n" + "\n".join(text.splitlines()[-lines:])


def _wait_for_line(process: subprocess.Popen[str], log: Path, wanted: str, timeout: float = 30) -> str:
    """The log once it has a line with ``wanted``; fails at once when the process ends."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        if wanted in text:
            return text
        if process.poll() is not None:
            raise AssertionError(f"{log.stem} exited ({process.returncode}) before {wanted!r}\n{_tail(log)}")
        time.sleep(0.05)
    raise AssertionError(f"no {wanted!r} in {timeout:.0f} s\n{_tail(log)}")


class Coordinator(Served):
    """``verifier serve --no-worker`` on this machine: the API and the runs' coordinators, which
    only send batches; its log goes to a file, a pipe nobody reads would stall it."""

    def start_with(self, command: list[str], log: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        with log.open("w", encoding="utf-8") as stderr:
            self.process = subprocess.Popen(command, stderr=stderr, text=True, env=env)
        text = _wait_for_line(self.process, log, "serving on")
        found = re.search(r"(vfr_[A-Za-z0-9_-]+)", text)
        assert found is not None, text
        self.token = found.group(1)


#: Run in the namespace: a host name of the machine's own (a UTS namespace from ``unshare``, so
#: that leases name separate machines), then the worker itself.
_AS_MACHINE = (
    "import os, socket, sys; socket.sethostname(sys.argv[1]); "
    "os.execv(sys.executable, [sys.executable, '-m', 'verifier', *sys.argv[2:]])"
)


def _start_worker(namespace: str, name: str, args: list[str], log: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = ["ip", "netns", "exec", namespace, "unshare", "--uts", "--", sys.executable, "-c", _AS_MACHINE]
    with log.open("w", encoding="utf-8") as stderr:
        return subprocess.Popen(
            [*command, name, "worker", *args], stdout=subprocess.DEVNULL, stderr=stderr, text=True, env=env
        )


def _end(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _blocked_takers(address: str, port: int) -> Counter[str]:
    """Per client address, the connections waiting on the check queue (a batch thread's BRPOP)."""
    import redis

    with redis.Redis(host=address, port=port) as client:
        listed: list[dict[str, str]] = client.client_list()
    return Counter(entry["addr"].rsplit(":", 1)[0] for entry in listed if entry.get("cmd") == "brpop")


def _send_again(data: Path, queue_url: str, run_id: int, hosts: list[str]) -> None:
    """Every host's batch sent a second time, through the service's own queue code.

    Within one run each host's batch is sent once, unless the coordinator takes it for lost
    (a stalled worker, a restarted queue), so without this no two workers would ever want one
    host and the rule that one worker at a time has it would go untested: now a second
    batch of a host reaches a worker while the first is still being checked elsewhere."""
    from tests.integration.service.conftest import quiet_settings
    from verifier.service.queue import make_queue
    from verifier.service.server import open_context

    context = open_context(data, quiet_settings(queue_url=queue_url), None)
    try:
        queue = make_queue(context)
        for host in hosts:
            queue.send_batch(run_id, host, {}, False)
        queue.checks.storage.pool.disconnect()
    finally:
        context.db.close()


def _with_host(url: str, host: str, port: int) -> str:
    """``url`` to the same database at ``host:port`` (user and password kept)."""
    parts = urlsplit(url)
    user = parts.netloc.rpartition("@")[0]
    return urlunsplit(parts._replace(netloc=f"{user}@{host}:{port}" if user else f"{host}:{port}"))


def _require_a_machine_to_split() -> None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("network namespaces (ip netns add) need root")
    for tool in ("ip", "unshare"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed: no network namespaces for the workers")


@pytest.fixture
def stack() -> Iterator[contextlib.ExitStack]:
    """Everything the test starts, undone in reverse order whatever happens."""
    with contextlib.ExitStack() as undo:
        yield undo


def test_workers_on_three_machines_share_one_run(tmp_path: Path, stack: contextlib.ExitStack) -> None:
    _require_a_machine_to_split()
    net = Network(MACHINES)
    stack.callback(net.destroy)
    net.create()
    queue_server = BoundRedis(net.hostside, tmp_path, prefix=f"verifier-machines-{net.tag}")
    stack.callback(queue_server.stop)
    queue_server.start()
    database = stack.enter_context(own_database())
    parts = urlsplit(database)
    postgres = Forwarder(net.hostside, (parts.hostname or "127.0.0.1", parts.port or 5432))
    stack.callback(postgres.stop)
    postgres.start()
    web = Web(net.hostside)
    stack.callback(web.close)
    web.start()

    # The source: LINKS_PER_HOST pages on each named host and on the host named by its address.
    hosts = [*NAMED_HOSTS, net.hostside]
    urls = [f"http://{host}:{web.port}/page/{n}" for host in hosts for n in range(LINKS_PER_HOST)]
    web.paths = {f"{host}/page/{n}" for host in hosts for n in range(LINKS_PER_HOST)}
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "doc.md").write_text("".join(f"[x]({url})\n\n" for url in urls), encoding="utf-8")

    settings = [
        "--no-archive", "--no-soft404-probe", "--retries", "0", "--network-canaries", "localhost",
        "--host-concurrency", str(CONCURRENCY), "--timeout", "30", "--lease-seconds", LEASE,
        "--allow-private-addresses", net.cidr,
    ]  # fmt: skip
    for host in NAMED_HOSTS:
        settings += ["--resolve", f"{host}:{web.port}={net.hostside}:{web.port}"]

    logs: list[Path] = []

    def explain() -> str:
        return "\n".join(_tail(log) for log in logs)

    coordinator = Coordinator(tmp_path / "serve", sources)
    serve_log = tmp_path / "serve.log"
    logs.append(serve_log)
    stack.callback(coordinator.kill)
    stack.callback(coordinator.stop)
    # The coordinator runs where PostgreSQL and Redis are, and reaches both on 127.0.0.1.
    serve = [
        sys.executable, "-m", "verifier", "serve", "--no-worker", "--port", str(coordinator.port),
        "--source-root", str(sources), "--data-dir", str(coordinator.data), "--store", database,
        "--queue", queue_server.url("127.0.0.1"), *settings,
    ]  # fmt: skip
    coordinator.start_with(serve, serve_log)

    store = _with_host(database, net.hostside, postgres.port)
    queue = queue_server.url(net.hostside)
    workers: list[subprocess.Popen[str]] = []
    for n, namespace in enumerate(net.namespaces):
        log = tmp_path / f"worker-{n}.log"
        logs.append(log)
        args = [
            "--data-dir", str(tmp_path / f"worker-{n}"), "--store", store, "--queue", queue,
            "--queue-workers", str(THREADS), *settings,
        ]  # fmt: skip
        worker = _start_worker(namespace, f"machine-{net.tag}-{n}", args, log)
        stack.callback(_end, worker)
        workers.append(worker)
    for worker, log in zip(workers, logs[1:], strict=True):
        _wait_for_line(worker, log, "taking host batches")
    # Every batch thread of every machine waits on the queue before the run sends anything:
    # the first batches then go one to each thread.
    _wait_for(
        lambda: all(_blocked_takers("127.0.0.1", queue_server.port)[a] >= THREADS for a in net.addresses),
        20,
        lambda: f"{_blocked_takers('127.0.0.1', queue_server.port)}\n{explain()}",
    )

    source = coordinator.call("POST", "/api/v1/sources", json={"name": "docs", "paths": ["*.md"]}).json()
    run_id = coordinator.call("POST", f"/api/v1/sources/{source['id']}/runs").json()["id"]

    # Once every machine is checking its first batches, the second batches follow them.
    _wait_for(lambda: set(web.clients) >= set(net.addresses), 20, explain)
    _send_again(tmp_path / "sender", queue_server.url("127.0.0.1"), run_id, hosts)

    def status() -> str:
        value: str = coordinator.call("GET", f"/api/v1/runs/{run_id}").json()["status"]
        return value

    _wait_for(lambda: status() not in ("queued", "running"), 40, explain)
    run = coordinator.call("GET", f"/api/v1/runs/{run_id}").json()
    assert run["status"] == "complete", f"{run}\n{explain()}"
    assert run["summary"]["live"] == len(urls), run
    # No worker died along the way.
    assert all(worker.poll() is None for worker in workers), explain()

    # Recorded once each in the shared store, whichever machine checked it.
    import psycopg

    with psycopg.connect(database) as db:
        rows = db.execute("SELECT url, COUNT(*) FROM results WHERE from_cache = 0 GROUP BY url").fetchall()
    assert sorted(url for url, _ in rows) == sorted(urls)
    assert {count for _, count in rows} == {1}

    # Every machine took part, and only they asked: the coordinator checked nothing itself.
    assert set(web.clients) == set(net.addresses), web.clients
    assert set(web.peak) == set(hosts)
    # The per-host limit held on the wire, and was reached (else the bound proves nothing).
    assert max(web.peak.values()) <= CONCURRENCY, web.peak
    assert CONCURRENCY in web.peak.values(), web.peak
    # One host's URLs are checked by one worker at a time: never two clients in flight at once.
    assert web.shared == [], web.shared[:10]
