"""A warm re-run: every link answered from the store, with nothing written twice and no network stack."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.integration.check_run.conftest import Site, Workspace


def _rows(cache: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(cache) as db:
        return list(db.execute(sql))


def test_reused_results_are_not_written_again(workspace: Workspace, site: Site) -> None:
    ok, gone = site.set("/ok/a"), site.set("/gone/a", 404)
    workspace.write("a.md", f"# Doc\n\n[a]({ok}) [b]({gone})\n")
    assert workspace.check("--no-archive") == 1
    results_before = _rows(workspace.cache, "SELECT run, url FROM results ORDER BY url")
    history_before = _rows(workspace.cache, "SELECT * FROM history ORDER BY url")
    assert len(results_before) == 2

    assert workspace.check("--no-archive") == 1
    report = workspace.report()
    assert report["run"]["reused"] == 2 and report["run"]["requests"] == {"live": 0, "archive": 0}
    assert _rows(workspace.cache, "SELECT run, url FROM results ORDER BY url") == results_before
    assert _rows(workspace.cache, "SELECT * FROM history ORDER BY url") == history_before
    assert _rows(workspace.cache, "SELECT status FROM runs ORDER BY id") == [("complete",), ("complete",)]
    # The reused results keep the time of the check they came from, and their history.
    links = {link["url"]: link for link in report["links"]}
    assert links[gone]["history"]["previous_outcome"] == "dead"
    assert links[gone]["history"]["consecutive_failures"] == 1


def test_a_reused_result_whose_outcome_changes_updates_the_history(workspace: Workspace, site: Site) -> None:
    gone = site.set("/gone/a", 404)
    workspace.wayback.add(gone, ("20120326000000", 200, "text/html", b"then"))
    workspace.write("a.md", f"# Doc\n\n[a]({gone})\n")
    assert workspace.check("--no-archive") == 1
    assert workspace.check() == 0  # the same live verdict, now with the archive's copy
    assert _rows(workspace.cache, "SELECT last_outcome FROM history") == [("archived",)]
    assert workspace.report()["changes"] == [
        {"url": gone, "before": "dead", "after": "archived", "change": "newly-archived"}
    ]
    assert workspace.check() == 0
    assert workspace.report()["changes"] == []


_PROBE = """
import sys
from verifier import cli
code = cli.main(sys.argv[1:])
# The network stack, and modules whose import alone costs a warm run's start milliseconds.
heavy = ("httpx", "httpcore", "anyio", "asyncio", "rich", "tempfile", "shutil", "secrets", "idna")
loaded = sorted(name for name in heavy if name in sys.modules)
print("LOADED", ",".join(loaded))
sys.exit(code)
"""


def test_a_warm_run_loads_no_network_stack(workspace: Workspace, site: Site) -> None:
    ok = site.set("/ok/a")
    workspace.write("a.md", f"# Doc\n\n[a]({ok})\n")

    def run() -> str:
        done = subprocess.run(
            [sys.executable, "-c", _PROBE, *workspace.args("--no-archive")],
            capture_output=True,
            text=True,
            timeout=120,
            env={"CI": "true", "PATH": "/usr/bin:/bin"},
        )
        assert done.returncode == 0, done.stderr
        return next(line for line in done.stdout.splitlines() if line.startswith("LOADED"))

    assert "httpx" in run()
    assert run() == "LOADED "
