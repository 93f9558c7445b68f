"""PostgreSQL going away under the store: connections dropped by the server, a short outage
that the store rides out, and a long one that ends in one clear StoreError."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from tests.postgres import ADMIN_URL, own_database
from verifier._exceptions import StoreError
from verifier.store.postgres import PostgresStore
from verifier.store.records import WorkItem


class Cable:
    """A TCP pass-through to PostgreSQL that can be cut (every connection reset, new ones
    refused) and mended on the same port, as a network outage or a server restart looks."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self._serve()

    def _serve(self) -> None:
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        # Closing alone would not wake the thread blocked in accept(), which would go on
        # accepting on the socket it holds.
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with self._lock:
            ends, self._open = self._open, []
        for end in ends:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()

    def mend(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        self._serve()


def _through(database: str, port: int) -> str:
    """The database's URL with its host and port replaced by the cable's end."""
    name = database.rsplit("/", 1)[1]
    return f"postgresql://postgres@127.0.0.1:{port}/{name}"


@pytest.fixture
def database() -> Iterator[str]:
    with own_database() as url:
        yield url


def test_connections_the_server_drops_are_replaced_unseen(database: str) -> None:
    import psycopg

    with PostgresStore(database) as store:
        store.add_work("job", [WorkItem("https://a.example/1", "a.example", b"{}")])
        name = database.rsplit("/", 1)[1]
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            dropped = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
            ).fetchall()
        assert dropped  # the store's pooled connection was there, and is gone
        assert store.work_progress("job") == (0, 1)
        assert store.take_host("a.example", "me", time.time() + 60, time.time())


def test_a_short_outage_is_ridden_out(database: str) -> None:
    cable = Cable(("127.0.0.1", 5432))
    with PostgresStore(_through(database, cable.port), retry_seconds=20) as store:
        store.add_work("job", [WorkItem("https://a.example/1", "a.example", b"{}")])
        store.work_done("job", "https://a.example/1")  # queued: written by the next flush
        cable.cut()
        threading.Timer(1.5, cable.mend).start()
        began = time.monotonic()
        assert store.work_progress("job") == (1, 1)  # flushes first, through the outage
        assert time.monotonic() - began >= 1.0
    cable.cut()


def test_a_long_outage_is_one_clear_error(database: str) -> None:
    cable = Cable(("127.0.0.1", 5432))
    store = PostgresStore(_through(database, cable.port), retry_seconds=1.5)
    try:
        cable.cut()
        began = time.monotonic()
        with pytest.raises(StoreError) as raised:
            store.work_hosts("job")
        assert 1.0 <= time.monotonic() - began < 15
        message = str(raised.value)
        assert "could not be reached for" in message and "check that the server is up" in message
        assert "\n" not in message
    finally:
        cable.cut()
        with contextlib.suppress(Exception):
            store.close()
