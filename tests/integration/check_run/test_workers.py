"""A run big enough to share its live checks between worker processes, end to end."""

from __future__ import annotations

import sqlite3

from tests.integration.check_run.conftest import Site, Workspace
from verifier.check.live.shards import MIN_LINKS_PER_RUN


def test_a_big_run_in_two_workers_checks_every_link_once(workspace: Workspace, site: Site) -> None:
    live = [site.set(f"/ok/{n}") for n in range(MIN_LINKS_PER_RUN)]
    dead = [site.url(f"/gone/{n}") for n in range(10)]
    lines = [f"- [{n}]({url})" for n, url in enumerate(live + dead)]
    workspace.write("big.md", "# Big\n\n" + "\n".join(lines) + "\n")
    assert workspace.check("--workers", "2", "--no-archive") == 1
    report = workspace.report()
    assert report["summary"]["live"] == len(live)
    assert report["summary"]["dead"] == len(dead)
    assert all(site.count(f"/ok/{n}") == 1 for n in range(len(live)))
    # One request per link (HEAD answered well) and the 404s asked again with GET.
    assert report["run"]["requests"]["live"] == len(live) + 2 * len(dead)
    with sqlite3.connect(workspace.cache) as db:
        (stored,) = db.execute("SELECT COUNT(*) FROM results").fetchone()
    assert stored == len(live) + len(dead)
    # The re-run reuses every result and starts no worker at all.
    assert workspace.check("--workers", "2", "--no-archive") == 1
    again = workspace.report()
    assert again["run"]["reused"] == len(live) + len(dead)
    assert again["run"]["requests"]["live"] == 0
