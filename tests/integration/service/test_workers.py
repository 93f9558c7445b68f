"""Workers as real processes sharing one run: host batches spread over them, a worker killed
with -9 mid-batch whose hosts another worker finishes, and a queue (Redis) restarted mid-run.

Each URL must be checked and recorded exactly once, except those in flight at a kill, which
are checked once more but still recorded once: the store is the truth of what is done.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.integration.check_run.conftest import Site
from tests.integration.service.test_serve_process import ROOT, Served, _free_port
from tests.postgres import own_database

HOSTS = ("alpha.test", "beta.test", "gamma.test", "delta.test")
LEASE = "3"


def _wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)


class Cluster(Served):
    """``verifier serve --no-worker`` plus worker processes on the same settings."""

    def __init__(self, data: Path, sources: Path, site: Site, extra: list[str]) -> None:
        super().__init__(data, sources)
        port = site.url("/").split(":")[2].split("/")[0]
        self.extra = [*extra, "--lease-seconds", LEASE]
        for host in HOSTS:
            self.extra += ["--resolve", f"{host}:{port}=127.0.0.1:{port}"]
        self.workers: list[subprocess.Popen[str]] = []

    def common(self) -> list[str]:
        return [
            "--data-dir", str(self.data), "--no-archive", "--network-canaries", "localhost",
            "--retries", "0", "--host-concurrency", "2", "--timeout", "30", "--no-soft404-probe",
            "--allow-private-addresses", "127.0.0.0/8", *self.extra,
        ]  # fmt: skip

    def start(self) -> None:
        port = str(self.port)
        self.start_with(["serve", "--port", port, "--source-root", str(self.sources), "--no-worker"])

    def start_with(self, command: list[str]) -> None:
        self.launch([sys.executable, "-m", "verifier", *command, *self.common()])

    def add_worker(self) -> subprocess.Popen[str]:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        worker = subprocess.Popen(
            [sys.executable, "-m", "verifier", "worker", "--queue-workers", "2", *self.common()],
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert worker.stderr is not None
        assert "taking host batches" in worker.stderr.readline()
        self.workers.append(worker)
        return worker

    def close(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGKILL)
                worker.wait(timeout=10)
        self.stop()
        self.kill()


def _corpus(site: Site, sources: Path) -> list[str]:
    """Four hosts, each with quick pages and two slow ones (a batch is still going when killed)."""
    port = site.url("/").split(":")[2].split("/")[0]
    urls = []
    for host in HOSTS:
        for n in range(5):
            site.set(f"/{host}/quick/{n}")
            urls.append(f"http://{host}:{port}/{host}/quick/{n}")
        for n in range(2):
            site.set(f"/{host}/slow/{n}", delay=3)
            urls.append(f"http://{host}:{port}/{host}/slow/{n}")
    (sources / "doc.md").write_text("".join(f"[x]({url})\n\n" for url in urls), encoding="utf-8")
    return urls


def _start_run(cluster: Cluster) -> int:
    source = cluster.call("POST", "/api/v1/sources", json={"name": "docs", "paths": ["*.md"]}).json()["id"]
    run_id: int = cluster.call("POST", f"/api/v1/sources/{source}/runs").json()["id"]
    return run_id


def _paths(urls: list[str]) -> list[str]:
    return ["/" + url.split("/", 3)[3] for url in urls]


@pytest.fixture
def cluster_for(tmp_path: Path, site: Site) -> Iterator[Callable[[list[str]], Cluster]]:
    made: list[Cluster] = []

    def make(extra: list[str]) -> Cluster:
        sources = tmp_path / "sources"
        sources.mkdir(exist_ok=True)
        cluster = Cluster(tmp_path / "data", sources, site, extra)
        made.append(cluster)
        return cluster

    yield make
    for cluster in made:
        cluster.close()


def _real_checks(store: Path) -> dict[str, int]:
    with sqlite3.connect(store) as db:
        rows = db.execute("SELECT url, COUNT(*) FROM results WHERE from_cache = 0 GROUP BY url").fetchall()
    return dict(rows)


def test_two_workers_share_a_run_and_a_killed_workers_hosts_are_finished(
    cluster_for: Callable[[list[str]], Cluster], site: Site
) -> None:
    cluster = cluster_for([])
    urls = _corpus(site, cluster.sources)
    cluster.start()
    first = cluster.add_worker()
    cluster.add_worker()
    run_id = _start_run(cluster)
    slow = [path for path in _paths(urls) if "/slow/" in path]
    # Every worker thread is in the middle of a slow page: kill one worker there.
    _wait_for(lambda: sum(site.count(path) for path in slow) >= 3)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    _wait_for(lambda: cluster.call("GET", f"/api/v1/runs/{run_id}").json()["status"] == "complete")
    run = cluster.call("GET", f"/api/v1/runs/{run_id}").json()
    assert run["summary"]["live"] == len(urls), run
    # Recorded once each, whoever checked it and however often it was asked.
    checks = _real_checks(cluster.data / "service.sqlite")
    assert sorted(checks) == sorted(urls)
    assert set(checks.values()) == {1}
    quick = [path for path in _paths(urls) if "/quick/" in path]
    assert all(site.count(path) >= 1 for path in quick)
    report = cluster.call("GET", f"/api/v1/runs/{run_id}/report").json()
    assert {link["url"] for link in report["links"]} == set(urls)


def test_a_second_run_checks_nothing_that_is_not_due(
    cluster_for: Callable[[list[str]], Cluster], site: Site
) -> None:
    cluster = cluster_for([])
    urls = _corpus(site, cluster.sources)
    cluster.start()
    cluster.add_worker()
    first = _start_run(cluster)
    _wait_for(lambda: cluster.call("GET", f"/api/v1/runs/{first}").json()["status"] == "complete")
    asked = site.total()
    source = cluster.call("GET", f"/api/v1/runs/{first}").json()["source_id"]
    again = cluster.call("POST", f"/api/v1/sources/{source}/runs").json()["id"]
    _wait_for(lambda: cluster.call("GET", f"/api/v1/runs/{again}").json()["status"] == "complete")
    assert site.total() == asked
    run = cluster.call("GET", f"/api/v1/runs/{again}").json()
    assert run["summary"]["live"] == len(urls) and run["progress"]["checked"] == len(urls)


class OwnRedis:
    """A Redis server of the test's own on a free port, keeping nothing on disk, restartable."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        server = shutil.which("redis-server")
        if server is None:
            pytest.skip("redis-server is not installed")
        self.process = subprocess.Popen(
            [server, "--port", str(self.port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"],
            stdout=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(port=self.port)
        _wait_for(lambda: _pings(client), timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def _pings(client: object) -> bool:
    import redis

    try:
        return bool(client.ping())  # type: ignore[attr-defined]
    except redis.ConnectionError:
        return False


def test_postgres_and_redis_a_redis_restart_mid_run_loses_nothing(
    cluster_for: Callable[[list[str]], Cluster], site: Site
) -> None:
    redis_server = OwnRedis()
    redis_server.start()
    try:
        with own_database() as database:
            queue = f"redis://127.0.0.1:{redis_server.port}/0?prefix=test-{uuid.uuid4().hex[:8]}"
            cluster = cluster_for(["--store", database, "--queue", queue])
            urls = _corpus(site, cluster.sources)
            cluster.start()
            cluster.add_worker()
            cluster.add_worker()
            run_id = _start_run(cluster)
            slow = [path for path in _paths(urls) if "/slow/" in path]
            _wait_for(lambda: sum(site.count(path) for path in slow) >= 2)
            # Redis keeps nothing on disk: every batch still waiting on the queue is lost.
            redis_server.stop()
            time.sleep(1)
            redis_server.start()
            _wait_for(lambda: cluster.call("GET", f"/api/v1/runs/{run_id}").json()["status"] != "running", 90)
            run = cluster.call("GET", f"/api/v1/runs/{run_id}").json()
            assert run["summary"]["live"] == len(urls), run
            import psycopg

            with psycopg.connect(database) as db:
                rows = db.execute(
                    "SELECT url, COUNT(*) FROM results WHERE from_cache = 0 GROUP BY url"
                ).fetchall()
            assert sorted(url for url, _ in rows) == sorted(urls)
            assert {count for _, count in rows} == {1}
            cluster.close()
    finally:
        redis_server.stop()


def test_sigterm_hands_a_workers_batches_back_and_another_worker_finishes_them(
    cluster_for: Callable[[list[str]], Cluster], site: Site
) -> None:
    cluster = cluster_for([])
    urls = _corpus(site, cluster.sources)
    cluster.start()
    leaving = cluster.add_worker()
    run_id = _start_run(cluster)
    slow = [path for path in _paths(urls) if "/slow/" in path]
    _wait_for(lambda: sum(site.count(path) for path in slow) >= 2)
    began = time.monotonic()
    leaving.send_signal(signal.SIGTERM)
    leaving.wait(timeout=20)
    # Handed back, not finished: it left without waiting for its slow pages.
    assert time.monotonic() - began < 2.5 and leaving.returncode == 0
    assert cluster.call("GET", f"/api/v1/runs/{run_id}").json()["status"] == "running"
    cluster.add_worker()
    _wait_for(lambda: cluster.call("GET", f"/api/v1/runs/{run_id}").json()["status"] == "complete")
    run = cluster.call("GET", f"/api/v1/runs/{run_id}").json()
    assert run["summary"]["live"] == len(urls), run
    checks = _real_checks(cluster.data / "service.sqlite")
    assert sorted(checks) == sorted(urls) and set(checks.values()) == {1}
