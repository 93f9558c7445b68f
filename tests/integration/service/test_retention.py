"""``--keep-runs``: old runs and their reports go, each URL's history stays, and the scheduler
prunes once a day and as the service starts."""

from __future__ import annotations

import time

import pytest

from tests.integration.check_run.conftest import Site
from tests.integration.service.conftest import Service
from verifier._exceptions import ConfigError
from verifier.service.queue import make_queue
from verifier.service.retention import parse_age, prune_runs
from verifier.service.runs import read_history

DAY = 86_400.0


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90d", 90 * DAY),
        ("2w", 14 * DAY),
        ("36h", 36 * 3600.0),
        ("30m", 1800.0),
        ("45s", 45.0),
        ("7", 7 * DAY),
    ],
)
def test_ages(text: str, seconds: float) -> None:
    assert parse_age(text) == seconds


@pytest.mark.parametrize("text", ["", "d", "90 days", "-1d", "0d", "1y"])
def test_ages_that_are_not(text: str) -> None:
    with pytest.raises(ConfigError, match="keep-runs"):
        parse_age(text)


def _age(service: Service, run_id: int, days: float) -> None:
    then = time.time() - days * DAY
    service.context.db.connection.execute(
        "UPDATE service_runs SET queued_at = ?, started_at = ?, finished_at = ? WHERE id = ?",
        (then, then, then, run_id),
    )


def test_old_runs_and_their_reports_go_and_histories_stay(service: Service, site: Site) -> None:
    gone = site.set("/gone", 404)
    (service.root / "a.md").write_text(f"[g]({gone})\n", encoding="utf-8")
    editor = service.as_editor()
    source = service.client.post(
        "/api/v1/sources", json={"name": "a", "paths": ["*.md"]}, headers=editor
    ).json()
    runs = []
    for _ in range(3):
        runs.append(
            service.client.post(f"/api/v1/sources/{source['id']}/runs?force=true", headers=editor).json()[
                "id"
            ]
        )
    other = service.client.post(
        "/api/v1/sources", json={"name": "b", "paths": ["*.md"]}, headers=editor
    ).json()
    lone = service.client.post(f"/api/v1/sources/{other['id']}/runs", headers=editor).json()["id"]
    _age(service, runs[0], 200)
    _age(service, runs[1], 100)
    _age(service, runs[2], 95)  # the source's newest run: kept however old
    _age(service, lone, 300)  # the only run of its source: kept too
    reports = service.context.paths
    assert all(reports.report(run_id).is_file() for run_id in runs)
    checks_before = len(
        service.client.get("/api/v1/urls", params={"url": gone}, headers=editor).json()["checks"]
    )

    assert prune_runs(service.context, parse_age("90d")) == runs[:2]
    assert [r["id"] for r in service.client.get("/api/v1/runs", headers=editor).json()["items"]] == [
        runs[2],
        lone,
    ]
    assert service.client.get(f"/api/v1/runs/{runs[0]}", headers=editor).status_code == 404
    assert not reports.report(runs[0]).exists() and not reports.report(runs[1]).exists()
    assert reports.report(runs[2]).is_file()
    # What the URL went through is the URL's, not the runs'.
    history = service.client.get("/api/v1/urls", params={"url": gone}, headers=editor).json()
    assert len(history["checks"]) == checks_before and history["first_seen"] is not None
    assert read_history(service.context, gone) is not None
    assert service.client.get("/api/v1/flags", headers=editor).json()["items"][0]["url"] == gone
    audit = service.client.get("/api/v1/audit", params={"limit": 500}, headers=editor).json()["items"]
    assert any(entry["action"] == "runs.prune" and entry["detail"]["count"] == 2 for entry in audit)
    assert prune_runs(service.context, parse_age("90d")) == []


def test_runs_still_going_are_never_pruned(service: Service) -> None:
    editor = service.as_editor()
    source = service.client.post(
        "/api/v1/sources", json={"name": "q", "paths": ["*.md"]}, headers=editor
    ).json()
    run_id = service.context.db.create_run(source["id"], force=False, actor="test")  # queued, never taken
    _age(service, run_id, 365)
    assert prune_runs(service.context, parse_age("1d")) == []


def test_the_scheduler_prunes_once_a_day(service: Service) -> None:
    import dataclasses
    import datetime as dt

    editor = service.as_editor()
    source = service.client.post(
        "/api/v1/sources", json={"name": "p", "paths": ["*.md"]}, headers=editor
    ).json()
    (service.root / "p.md").write_text("nothing to check\n", encoding="utf-8")
    first = service.client.post(f"/api/v1/sources/{source['id']}/runs", headers=editor).json()["id"]
    service.client.post(f"/api/v1/sources/{source['id']}/runs", headers=editor)
    _age(service, first, 3)
    queue = make_queue(dataclasses.replace(service.context, keep_runs=DAY))
    assert queue.prune is not None
    minutes = [dt.datetime(2026, 1, 1) + dt.timedelta(minutes=m) for m in range(24 * 60)]
    due = [
        minute
        for minute in minutes
        if any(task.name == "prune_runs" for task in queue.control.read_periodic(minute))
    ]
    assert len(due) == 1
    queue.prune.call_local()
    assert service.context.db.run(first) is None


def test_serve_prunes_as_it_starts(service: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    from verifier.service import server

    editor = service.as_editor()
    source = service.client.post(
        "/api/v1/sources", json={"name": "s", "paths": ["*.md"]}, headers=editor
    ).json()
    (service.root / "x.md").write_text("nothing to check\n", encoding="utf-8")
    first = service.client.post(f"/api/v1/sources/{source['id']}/runs", headers=editor).json()["id"]
    second = service.client.post(f"/api/v1/sources/{source['id']}/runs", headers=editor).json()["id"]
    _age(service, first, 40)
    _age(service, second, 40)
    context = dataclasses.replace(service.context, keep_runs=30 * DAY)
    monkeypatch.setattr(server, "resume_interrupted", lambda *args: (_ for _ in ()).throw(SystemExit))
    with pytest.raises(SystemExit):
        server.serve(context, host="127.0.0.1", port=0)
    assert service.context.db.run(first) is None
    assert service.context.db.run(second) is not None  # the source's newest
