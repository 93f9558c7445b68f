"""A run stopped by SIGINT or SIGTERM still leaves a valid report and keeps what it finished."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from tests.integration.check_run.conftest import Site, Workspace, wait_for
from verifier.check.runner import INTERRUPTED_REASON

ROOT = Path(__file__).parents[3]
SCHEMA = json.loads((ROOT / "verifier" / "report" / "schema.json").read_text())


def stored_results(path: Path) -> int:
    try:
        with sqlite3.connect(path) as db:
            return int(db.execute("SELECT count(*) FROM results").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_run_writes_a_valid_partial_report(workspace: Workspace, site: Site, signum: int) -> None:
    fast = [site.set(f"/fast/{n}") for n in range(3)]
    slow = [site.set(f"/slow/{n}", delay=60) for n in range(2)]
    workspace.write(
        "a.md", "# Doc\n\n" + "\n".join(f"- [{n}]({url})" for n, url in enumerate(fast + slow)) + "\n"
    )
    env = {**os.environ, "CI": "true", "PYTHONPATH": str(ROOT)}
    args = workspace.args(
        "--timeout", "120", "--url-budget", "300", "--host-concurrency", "8", "--no-archive"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "verifier", *args],
        cwd=workspace.root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: stored_results(workspace.cache) >= 3 and site.count("/slow/1") >= 1, timeout=20)
        process.send_signal(signum)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, err
    assert "interrupted" in err
    report = json.loads((workspace.reports / "link-health.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, SCHEMA)
    links = {link["url"]: link for link in report["links"]}
    assert all(links[url]["outcome"] == "live" for url in fast)
    assert all(links[url]["outcome"] == "unknown" for url in slow)
    assert all(links[url]["reason"] == INTERRUPTED_REASON for url in slow)
    assert all(links[url]["checked"] is False for url in slow)
    assert all("checked" not in links[url] for url in fast)
    assert report["run"]["status"] == "interrupted"
    assert report["run"]["unchecked"] == 2
    assert "2 not checked (interrupted)" in out
    db = sqlite3.connect(workspace.cache)
    assert {row[0] for row in db.execute("SELECT url FROM results")} == set(fast)
    assert db.execute("SELECT status FROM runs").fetchall() == [("interrupted",)]
