"""The editors' desk: flags across runs, decisions that stick, overrides that travel to CI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.integration.check_run.conftest import Site
from tests.integration.service.conftest import Service
from verifier import cli

ROOT = Path(__file__).resolve().parents[3]


def _source(service: Service, site: Site, name: str, *urls: str) -> int:
    items = "".join(f'<p><a href="{url}">s</a></p>' for url in urls)
    page = site.set(
        f"/{name}", body=f"<html><head><title>T</title></head><body>{items}</body></html>".encode()
    )
    body = {"name": name, "url": {"href": page}}
    source: int = service.client.post("/api/v1/sources", json=body, headers=service.as_editor()).json()["id"]
    return source


def _run(service: Service, source: int) -> dict[str, object]:
    editor = service.as_editor()
    run_id = service.client.post(f"/api/v1/sources/{source}/runs?force=true", headers=editor).json()["id"]
    report: dict[str, object] = service.client.get(f"/api/v1/runs/{run_id}/report", headers=editor).json()
    return report


def _flags(service: Service, **query: object) -> list[dict[str, object]]:
    items: list[dict[str, object]] = service.client.get(
        "/api/v1/flags", params=query, headers=service.as_editor()
    ).json()["items"]
    return items


def test_one_flag_per_source_and_url_updated_by_later_runs(service: Service, site: Site) -> None:
    gone = site.set("/gone", 404)
    source = _source(service, site, "page", gone, site.set("/ok"))
    _run(service, source)
    _run(service, source)
    flags = _flags(service)
    assert len(flags) == 1
    flag = flags[0]
    assert flag["url"] == gone and flag["state"] == "open" and flag["outcome"] == "dead"
    assert flag["occurrences"] and flag["occurrences"][0]["path"] == site.url("/page")  # type: ignore[index]
    assert _flags(service, state="open", source=source, document=site.url("/page"))
    assert not _flags(service, state="ignored")


def test_a_false_positive_needs_a_note_and_is_honoured_by_the_next_run(service: Service, site: Site) -> None:
    gone = site.set("/fp", 404)
    source = _source(service, site, "fp-page", gone)
    _run(service, source)
    flag = _flags(service)[0]
    editor = service.as_editor()
    no_note = service.client.post(
        f"/api/v1/flags/{flag['id']}",
        json={"state": "false-positive", "version": flag["version"]},
        headers=editor,
    )
    assert no_note.status_code == 422
    moved = service.client.post(
        f"/api/v1/flags/{flag['id']}",
        json={"state": "false-positive", "note": "behind a login for bots only", "version": flag["version"]},
        headers=editor,
    )
    assert moved.status_code == 200 and moved.json()["version"] == flag["version"] + 1  # type: ignore[operator]
    stale = service.client.post(
        f"/api/v1/flags/{flag['id']}", json={"state": "confirmed", "version": flag["version"]}, headers=editor
    )
    assert stale.status_code == 409
    report = _run(service, source)
    link = report["links"][0]  # type: ignore[index]
    assert link["outcome"] == "live"
    assert link["override"]["checked"] == "dead" and link["override"]["by"] == "editor"
    run = service.client.get(f"/api/v1/sources/{source}/status", headers=editor).json()
    assert run["exit_code"] == 0  # an editor's decision never fails the run by itself
    overrides = service.client.get("/api/v1/overrides", headers=editor).json()["items"]
    assert [(o["url"], o["outcome"]) for o in overrides] == [(gone, "live")]


def test_fixed_rechecks_at_once_and_reopens_when_the_fix_did_not_hold(service: Service, site: Site) -> None:
    gone = site.set("/still", 404)
    source = _source(service, site, "fix-page", gone)
    _run(service, source)
    flag = _flags(service)[0]
    answer = service.client.post(
        f"/api/v1/flags/{flag['id']}",
        json={"state": "fixed", "version": flag["version"]},
        headers=service.as_editor(),
    )
    assert answer.status_code == 200
    # The recheck ran at once (the test queue is immediate): the citation is still dead.
    assert _flags(service)[0]["state"] == "open"
    audit = service.client.get("/api/v1/audit?limit=500", headers=service.as_editor()).json()["items"]
    assert any(item["action"] == "flag.reopen" and item["actor"] == "system" for item in audit)


def test_a_link_that_recovers_by_itself_is_fixed_by_system(service: Service, site: Site) -> None:
    flaky = site.set("/back", 404)
    source = _source(service, site, "back-page", flaky)
    _run(service, source)
    site.set("/back")
    _run(service, source)
    assert _flags(service)[0]["state"] == "fixed"


def test_ignored_reopens_only_when_the_outcome_worsens(service: Service, site: Site) -> None:
    gone = site.set("/ign", 404)
    source = _source(service, site, "ign-page", gone)
    _run(service, source)
    flag = _flags(service)[0]
    bulk = service.client.post(
        "/api/v1/flags", json={"ids": [flag["id"]], "state": "ignored"}, headers=service.as_editor()
    )
    assert bulk.status_code == 200 and bulk.json()["items"][0]["state"] == "ignored"
    _run(service, source)
    assert _flags(service)[0]["state"] == "ignored"  # still dead: not worse


def test_domain_overrides_and_the_url_history(service: Service, site: Site) -> None:
    gone = site.set("/dom", 404)
    source = _source(service, site, "dom-page", gone)
    editor = service.as_editor()
    made = service.client.post(
        "/api/v1/overrides",
        json={"domain": "127.0.0.1", "outcome": "restricted", "note": "intranet"},
        headers=editor,
    )
    assert made.status_code == 201
    report = _run(service, source)
    assert report["links"][0]["outcome"] == "restricted"  # type: ignore[index]
    history = service.client.get("/api/v1/urls", params={"url": gone}, headers=editor).json()
    assert history["checks"][0]["outcome"] == "dead" and history["first_seen"]
    # Due again once the dead outcome's TTL has passed since the check.
    assert history["next_check"] > history["checks"][0]["checked_at"]
    assert service.client.delete(f"/api/v1/overrides/{made.json()['id']}", headers=editor).status_code == 204
    bad = service.client.post(
        "/api/v1/overrides", json={"url": gone, "domain": "x.org", "outcome": "live"}, headers=editor
    )
    assert bad.status_code == 422


def test_overrides_travel_to_ci(service: Service, site: Site, tmp_path: Path) -> None:
    gone = site.set("/ci", 404)
    editor = service.as_editor()
    service.client.post(
        "/api/v1/overrides", json={"url": gone, "outcome": "live", "note": 'a "quoted" note'}, headers=editor
    )
    toml = service.client.get("/api/v1/overrides?format=toml", headers=editor)
    assert toml.headers["content-type"].startswith("application/toml")
    data = str(service.context.paths.root)
    exported = subprocess.run(
        [sys.executable, "-m", "verifier", "overrides", "export", "--data-dir", data],
        capture_output=True, text=True, check=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert exported.stdout == toml.text
    file = tmp_path / "overrides.toml"
    file.write_text(exported.stdout, encoding="utf-8")
    (tmp_path / "doc.md").write_text(f"[x]({gone})\n", encoding="utf-8")
    args = [
        "check", str(tmp_path / "doc.md"), "--output-dir", str(tmp_path / "out"), "--cache-path",
        str(tmp_path / "c.sqlite"), "--no-archive", "--network-canaries", "localhost", "--no-progress",
    ]  # fmt: skip
    assert cli.main(args) == 1
    assert cli.main([*args, "--overrides", str(file)]) == 0
