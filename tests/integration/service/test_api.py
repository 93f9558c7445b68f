"""The service's API in process, against real local servers: sources, runs, reports, roles."""

from __future__ import annotations

import pytest

from tests.integration.check_run.conftest import Site
from tests.integration.service.conftest import Service


def _page(*links: str) -> bytes:
    items = "".join(f'<li><a href="{url}">source {n}</a></li>' for n, url in enumerate(links))
    return (
        f"<!doctype html><html><head><title>Cited</title></head><body><ul>{items}</ul></body></html>".encode()
    )


def test_health_needs_no_token_and_everything_else_does(service: Service) -> None:
    assert service.client.get("/healthz").json()["status"] == "ok"
    assert service.client.get("/openapi.json").status_code == 200
    answer = service.client.get("/api/v1/sources")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    bad = service.client.get("/api/v1/sources", headers=service.headers("vfr_not-a-token"))
    assert bad.status_code == 401


def test_roles_are_enforced(service: Service) -> None:
    body = {"name": "x", "url": {"href": "https://example.org/"}}
    viewer = service.headers(service.viewer)
    assert service.client.post("/api/v1/sources", json=body, headers=viewer).status_code == 403
    assert service.client.get("/api/v1/tokens", headers=service.as_editor()).status_code == 403
    assert service.client.get("/api/v1/tokens", headers=service.headers(service.admin)).status_code == 200
    assert service.client.post("/api/v1/sources", json=body, headers=service.as_editor()).status_code == 201


def test_a_url_source_is_checked_and_its_report_served(service: Service, site: Site) -> None:
    live, gone = site.set("/live"), site.set("/gone", 404)
    page = site.set("/article", body=_page(live, gone))
    editor = service.as_editor()
    created = service.client.post(
        "/api/v1/sources", json={"name": "article", "url": {"href": page}}, headers=editor
    )
    assert created.status_code == 201
    source = created.json()["id"]
    queued = service.client.post(f"/api/v1/sources/{source}/runs", headers=editor)
    assert queued.status_code == 202
    run = service.client.get(f"/api/v1/runs/{queued.json()['id']}", headers=editor).json()
    assert run["status"] == "complete", run
    assert run["summary"]["live"] == 1 and run["summary"]["dead"] == 1
    assert run["exit_code"] == 1 and run["network_down"] is False
    assert run["progress"]["checked"] == run["progress"]["total"] == 2
    report = service.client.get(f"/api/v1/runs/{run['id']}/report", headers=editor).json()
    assert {link["url"]: link["outcome"] for link in report["links"]} == {live: "live", gone: "dead"}
    html = service.client.get(f"/api/v1/runs/{run['id']}/report.html", headers=editor)
    assert html.status_code == 200 and "<html" in html.text
    status = service.client.get(f"/api/v1/sources/{source}/status", headers=editor).json()
    assert status["id"] == run["id"] and status["exit_code"] == 1


def test_a_run_reuses_stored_results_unless_forced(service: Service, site: Site) -> None:
    live = site.set("/again")
    page = site.set("/a2", body=_page(live))
    editor = service.as_editor()
    source = service.client.post(
        "/api/v1/sources", json={"name": "a2", "url": {"href": page}}, headers=editor
    )
    path = f"/api/v1/sources/{source.json()['id']}/runs"
    service.client.post(path, headers=editor)
    service.client.post(path, headers=editor)
    assert site.count("/again") == 1
    service.client.post(f"{path}?force=true", headers=editor)
    assert site.count("/again") == 2


def test_a_mediawiki_source_is_fetched_raw(service: Service, site: Site) -> None:
    live = site.set("/cited")
    wikitext = (
        f"Text.<ref>{{{{cite web |url={live} |title=Cited}}}}</ref>\n\n== References ==\n<references/>\n"
    )
    site.set("/w/index.php", body=wikitext.encode())
    editor = service.as_editor()
    body = {"name": "wiki", "url": {"href": site.url("/wiki/Some_page"), "kind": "mediawiki"}}
    source = service.client.post("/api/v1/sources", json=body, headers=editor).json()["id"]
    run_id = service.client.post(f"/api/v1/sources/{source}/runs", headers=editor).json()["id"]
    report = service.client.get(f"/api/v1/runs/{run_id}/report", headers=editor).json()
    assert [link["url"] for link in report["links"]] == [live]
    assert report["documents"][0]["format"] == "wikitext"


def test_path_sources_stay_inside_the_root(service: Service, site: Site) -> None:
    (service.root / "a.md").write_text(f"[a]({site.set('/p')})\n", encoding="utf-8")
    editor = service.as_editor()
    for paths in (["../*.md"], ["/etc/passwd"]):
        answer = service.client.post("/api/v1/sources", json={"name": "bad", "paths": paths}, headers=editor)
        assert answer.status_code == 422
    (service.root / "escape.md").symlink_to("/etc/hostname")
    good = service.client.post("/api/v1/sources", json={"name": "docs", "paths": ["*.md"]}, headers=editor)
    run_id = service.client.post(f"/api/v1/sources/{good.json()['id']}/runs", headers=editor).json()["id"]
    report = service.client.get(f"/api/v1/runs/{run_id}/report", headers=editor).json()
    assert [document["path"] for document in report["documents"]] == [str(service.root / "a.md")]


def test_uploaded_documents_are_checked(service: Service, site: Site) -> None:
    editor = service.as_editor()
    source = service.client.post(
        "/api/v1/sources",
        json={"name": "up", "url": {"href": site.set("/none", body=_page())}},
        headers=editor,
    ).json()["id"]
    files = {"file": ("notes.md", f"[u]({site.set('/uploaded')})\n".encode(), "text/markdown")}
    assert (
        service.client.post(f"/api/v1/sources/{source}/documents", files=files, headers=editor).status_code
        == 201
    )
    run_id = service.client.post(f"/api/v1/sources/{source}/runs", headers=editor).json()["id"]
    report = service.client.get(f"/api/v1/runs/{run_id}/report", headers=editor).json()
    assert [link["url"] for link in report["links"]] == [site.url("/uploaded")]


@pytest.mark.parametrize(
    "body",
    [
        {"name": "n"},
        {"name": "n", "paths": ["*.md"], "url": {"href": "https://example.org/"}},
        {"name": "n", "url": {"href": "ftp://example.org/"}},
        {"name": "n", "url": {"href": "https://example.org/"}, "schedule": "every day"},
        {"name": "n", "url": {"href": "https://example.org/"}, "settings": {"timeout": 1}},
        {"name": "n", "url": {"href": "https://example.org/"}, "settings": {"fail-on": "gone"}},
    ],
)
def test_bad_sources_are_refused(service: Service, body: dict[str, object]) -> None:
    assert service.client.post("/api/v1/sources", json=body, headers=service.as_editor()).status_code == 422


def test_names_are_unique_and_lists_page(service: Service) -> None:
    editor = service.as_editor()
    for n in range(5):
        body = {"name": f"s{n}", "url": {"href": f"https://example.org/{n}"}, "schedule": "0 3 * * *"}
        assert service.client.post("/api/v1/sources", json=body, headers=editor).status_code == 201
    again = {"name": "s0", "url": {"href": "https://example.org/"}}
    assert service.client.post("/api/v1/sources", json=again, headers=editor).status_code == 409
    first = service.client.get("/api/v1/sources?limit=3", headers=editor).json()
    assert [s["name"] for s in first["items"]] == ["s0", "s1", "s2"] and first["next"]
    rest = service.client.get(f"/api/v1/sources?limit=3&cursor={first['next']}", headers=editor).json()
    assert [s["name"] for s in rest["items"]] == ["s3", "s4"] and rest["next"] is None
    patched = service.client.patch("/api/v1/sources/1", json={"schedule": None}, headers=editor).json()
    assert patched["schedule"] is None and patched["url"]["href"] == "https://example.org/0"
    assert service.client.delete("/api/v1/sources/1", headers=editor).status_code == 204
    assert service.client.get("/api/v1/sources/1", headers=editor).status_code == 404
    actions = [item["action"] for item in service.client.get("/api/v1/audit", headers=editor).json()["items"]]
    assert actions.count("source.create") == 5 and "source.delete" in actions


def test_a_second_run_while_one_is_active_answers_409_with_its_id(service: Service) -> None:
    source = service.context.db.create_source("s", {"url": {"href": "https://example.org/"}}, None, "test")
    active = service.context.db.create_run(source, force=False, actor="test")
    answer = service.client.post(f"/api/v1/sources/{source}/runs", headers=service.as_editor())
    assert answer.status_code == 409 and answer.json() == {"id": active}
    assert service.client.get(f"/api/v1/runs/{active}/report", headers=service.as_editor()).status_code == 409
    cancelled = service.client.post(f"/api/v1/runs/{active}/cancel", headers=service.as_editor()).json()
    assert cancelled["status"] == "interrupted"


def test_tokens_through_the_api(service: Service) -> None:
    admin = service.headers(service.admin)
    made = service.client.post("/api/v1/tokens", json={"name": "bot", "role": "viewer"}, headers=admin).json()
    assert made["token"].startswith("vfr_")
    assert service.client.get("/api/v1/sources", headers=service.headers(made["token"])).status_code == 200
    assert service.client.delete("/api/v1/tokens/bot", headers=admin).status_code == 204
    assert service.client.get("/api/v1/sources", headers=service.headers(made["token"])).status_code == 401


def test_a_429_cools_its_host_down_for_every_worker_through_the_store(service: Service, site: Site) -> None:
    import time

    from verifier.service.runs import check_store

    busy = site.set("/busy", 429, headers={"Retry-After": "30"})
    (service.root / "doc.md").write_text(f"[busy]({busy})\n", encoding="utf-8")
    editor = service.as_editor()
    source = service.client.post(
        "/api/v1/sources", json={"name": "docs", "paths": ["*.md"]}, headers=editor
    ).json()["id"]
    queued = service.client.post(f"/api/v1/sources/{source}/runs", headers=editor)
    run = service.client.get(f"/api/v1/runs/{queued.json()['id']}", headers=editor).json()
    assert run["status"] == "complete", run
    # What a worker on another machine reads before it asks this host anything.
    cooled = check_store(service.context).host_cool_until("127.0.0.1") - time.time()
    assert 20 < cooled <= 30
