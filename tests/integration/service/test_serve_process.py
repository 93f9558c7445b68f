"""``verifier serve`` as a real process on a real port: a run end to end, and a kill -9 mid-run
followed by a restart that resumes the run under the same id with nothing lost or checked twice."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.check_run.conftest import Site

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Served:
    def __init__(self, data: Path, sources: Path) -> None:
        self.data = data
        self.sources = sources
        self.port = _free_port()
        self.process: subprocess.Popen[str] | None = None
        self.token = ""

    def start(self) -> None:
        args = [
            sys.executable, "-m", "verifier", "serve", "--data-dir", str(self.data), "--port", str(self.port),
            "--source-root", str(self.sources), "--no-archive", "--network-canaries", "localhost",
            "--retries", "0", "--host-concurrency", "4", "--timeout", "30", "--no-soft404-probe",
            "--allow-private-addresses", "127.0.0.0/8",
        ]  # fmt: skip
        self.launch(args)

    def launch(self, args: list[str]) -> None:
        """Start ``args`` as the service and wait until it serves, keeping the token it prints."""
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(args, stderr=subprocess.PIPE, text=True, env=env)
        assert self.process.stderr is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            found = re.search(r"(vfr_[A-Za-z0-9_-]+)", line)
            if found:
                self.token = found.group(1)
            if "serving on" in line:
                break
        else:
            raise AssertionError("the service did not start")
        for _ in range(100):
            try:
                httpx.get(self.url("/healthz"), timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.05)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def call(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        return httpx.request(method, self.url(path), headers=headers, timeout=10, **kwargs)  # type: ignore[arg-type]

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    sources = tmp_path / "sources"
    sources.mkdir()
    server = Served(tmp_path / "data", sources)
    try:
        yield server
    finally:
        server.stop()
        server.kill()


def _wait_for(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)


def test_a_run_end_to_end_then_a_kill_and_a_resume(served: Served, site: Site) -> None:
    fast = [site.set(f"/fast/{n}") for n in range(6)]
    slow = [site.set(f"/slow/{n}", delay=6) for n in range(2)]
    (served.sources / "doc.md").write_text(
        "".join(f"[x]({url})\n\n" for url in fast + slow), encoding="utf-8"
    )
    served.start()
    assert served.token.startswith("vfr_")
    source = served.call("POST", "/api/v1/sources", json={"name": "docs", "paths": ["*.md"]}).json()["id"]
    run_id = served.call("POST", f"/api/v1/sources/{source}/runs").json()["id"]
    _wait_for(lambda: all(site.count(path) >= 1 for path in ("/fast/5", "/slow/0", "/slow/1")))
    _wait_for(lambda: served.call("GET", f"/api/v1/runs/{run_id}").json()["progress"]["checked"] >= 6)
    assert served.call("GET", f"/api/v1/runs/{run_id}").json()["status"] == "running"
    served.kill()  # mid-run: the slow links are still waiting on their answers
    fast_counts = [site.count(f"/fast/{n}") for n in range(6)]
    slow_counts = [site.count(f"/slow/{n}") for n in range(2)]
    served.start()  # a new token was not needed: the first admin token still stands
    _wait_for(lambda: served.call("GET", f"/api/v1/runs/{run_id}").json()["status"] == "complete")
    run = served.call("GET", f"/api/v1/runs/{run_id}").json()
    assert run["summary"]["live"] == 8
    # Stored before the kill: not asked again. In flight at the kill: asked once more.
    assert [site.count(f"/fast/{n}") for n in range(6)] == fast_counts
    assert all(site.count(f"/slow/{n}") > before for n, before in enumerate(slow_counts))
    report = served.call("GET", f"/api/v1/runs/{run_id}/report").json()
    assert len(report["links"]) == 8
    served.stop()
    assert served.process is not None and served.process.returncode is not None


def _verifier(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "verifier", *args], capture_output=True, text=True, env=env)


def test_token_commands(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    made = _verifier("token", "create", "--role", "editor", "--name", "ci", "--data-dir", data)
    assert made.returncode == 0, made.stderr
    assert re.fullmatch(r"vfr_[A-Za-z0-9_-]{43,}\n", made.stdout)
    assert "not shown again" in made.stderr
    again = _verifier("token", "create", "--role", "viewer", "--name", "ci", "--data-dir", data)
    assert again.returncode == 2 and "exists" in again.stderr and "Traceback" not in again.stderr
    listed = _verifier("token", "list", "--data-dir", data)
    assert listed.stdout.startswith("ci\teditor\tactive\t")
    assert _verifier("token", "revoke", "ci", "--data-dir", data).returncode == 0
    assert "\trevoked\t" in _verifier("token", "list", "--data-dir", data).stdout
    assert _verifier("token", "revoke", "ci", "--data-dir", data).returncode == 2
