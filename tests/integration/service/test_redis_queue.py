"""The check queue on Redis: the host batches of a run coordinated in this process are checked by
a worker process."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from tests.integration.check_run.conftest import Site
from tests.integration.service.conftest import quiet_settings
from verifier.service.queue import make_queue, run_on_worker_loop
from verifier.service.runs import execute_run
from verifier.service.server import open_context

ROOT = Path(__file__).resolve().parents[3]
REDIS = os.environ.get("VERIFIER_TEST_REDIS", "redis://127.0.0.1:6379/0")


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no Redis at {REDIS}: {error}")


def test_a_worker_takes_host_batches_from_redis(tmp_path: Path, site: Site) -> None:
    _redis_or_skip()
    prefix = f"verifier-test-{uuid.uuid4().hex[:10]}"
    queue_url = f"{REDIS}?prefix={prefix}"
    (tmp_path / "sources").mkdir()
    url = site.set("/via-redis")
    (tmp_path / "sources" / "a.md").write_text(f"[r]({url})\n", encoding="utf-8")
    settings = quiet_settings(queue_url=queue_url)
    context = open_context(tmp_path / "data", settings, tmp_path / "sources")
    queue = make_queue(context)
    worker = subprocess.Popen(
        [
            sys.executable, "-m", "verifier", "worker", "--data-dir", str(tmp_path / "data"),
            "--queue", queue_url, "--no-archive",
            "--network-canaries", "localhost", "--no-soft404-probe",
            "--allow-private-addresses", "127.0.0.0/8",
        ],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        source = context.db.create_source("docs", {"paths": ["*.md"], "settings": {}}, None, "test")
        run_id = context.db.create_run(source, force=False, actor="test")
        coordinator = threading.Thread(
            target=run_on_worker_loop, args=(execute_run(context, run_id, queue.send_batch, queue),)
        )
        coordinator.start()
        deadline = time.monotonic() + 30
        while (run := context.db.run(run_id)) is not None and run.status != "complete":
            assert time.monotonic() < deadline, run
            assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
            time.sleep(0.1)
        assert run is not None and run.summary is not None and run.summary["live"] == 1
        assert site.count("/via-redis") >= 1
        coordinator.join(timeout=10)
    finally:
        context.stopping.set()
        worker.terminate()
        worker.wait(timeout=20)
        queue.checks.flush()
