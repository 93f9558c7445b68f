"""The dashboard in process: sessions, CSRF, what each role is offered, hostile text kept inert."""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi.testclient import TestClient

from tests.integration.check_run.conftest import Site
from tests.integration.service.conftest import Service
from verifier.service.app import create_app
from verifier.service.dashboard.sessions import COOKIE
from verifier.service.desk import Desk

HOSTILE = "<script>alert(1)</script>"


def _csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, "the page has no CSRF field"
    return found.group(1)


def _sign_in(client: TestClient, token: str) -> str:
    """Signs ``client`` in; its CSRF value for later forms."""
    form = client.get("/login")
    answer = client.post("/login", data={"token": token, "csrf": _csrf(form)}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return _csrf(client.get("/sources"))


def _browser(service: Service) -> TestClient:
    """A second browser on the same service, with a cookie jar of its own."""
    return TestClient(create_app(service.context, service.queue))


def _post_forms(html: str) -> list[str]:
    forms = re.findall(r"<form\b[^>]*>", html)
    return [re.search(r'action="([^"]*)"', form).group(1) for form in forms if 'method="post"' in form]  # type: ignore[union-attr]


def test_login_page_is_public_and_a_session_starts_and_ends(service: Service) -> None:
    client = service.client
    page = client.get("/")
    assert page.status_code == 200 and 'name="token"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    assert client.get("/flags", follow_redirects=False).headers["location"] == "/login?next=%2Fflags"

    wrong = client.post("/login", data={"token": "vfr_nope", "csrf": _csrf(client.get("/login"))})
    assert wrong.status_code == 401 and "not valid" in wrong.text

    form = client.get("/login?next=/flags?state=open")
    answer = client.post(
        "/login",
        data={"token": service.editor, "csrf": _csrf(form), "next": "/flags?state=open"},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/flags?state=open"
    cookie = next(value for value in answer.headers.get_list("set-cookie") if value.startswith(COOKIE + "="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    value = client.cookies[COOKIE]
    row = service.context.db.connection.execute("SELECT id FROM dashboard_sessions").fetchone()
    assert row[0] != value  # only its digest is kept

    overview = client.get("/")
    assert overview.status_code == 200 and "editor · editor" in overview.text
    out = client.post("/logout", data={"csrf": _csrf(overview)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    client.cookies.set(COOKIE, value)  # the old cookie, replayed
    assert client.get("/flags", follow_redirects=False).status_code == 303


def test_over_https_the_cookie_is_secure(service: Service) -> None:
    client = TestClient(create_app(service.context, service.queue), base_url="https://testserver")
    form = client.get("/login")
    answer = client.post(
        "/login", data={"token": service.viewer, "csrf": _csrf(form)}, follow_redirects=False
    )
    cookie = next(value for value in answer.headers.get_list("set-cookie") if value.startswith(COOKIE + "="))
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_sign_in_goes_nowhere_but_this_site(service: Service) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        client = _browser(service)
        form = client.get("/login")
        answer = client.post(
            "/login",
            data={"token": service.viewer, "csrf": _csrf(form), "next": target},
            follow_redirects=False,
        )
        assert answer.headers["location"] == "/"


def test_every_post_without_its_csrf_value_is_refused(service: Service) -> None:
    client = service.client
    # The sign-in form itself: a value that does not match the form's cookie.
    assert client.post("/login", data={"token": service.editor, "csrf": "guess"}).status_code == 403
    assert client.post("/login", data={"token": service.editor}).status_code == 403
    csrf = _sign_in(client, service.editor)
    other = _browser(service)
    other_csrf = _sign_in(other, service.admin)
    posts: list[tuple[str, dict[str, Any]]] = [
        ("/sources", {"name": "docs", "paths": "*.md"}),
        ("/flags", {"ids": "1", "state": "ignored"}),
        ("/flags/1", {"state": "ignored", "version": "1"}),
        ("/sources/1/run", {}),
        ("/runs/1/cancel", {}),
        ("/tokens", {"name": "x", "role": "admin"}),
        ("/tokens/revoke", {"name": "admin"}),
        ("/logout", {}),
    ]
    for path, data in posts:
        for offered in ({}, {"csrf": ""}, {"csrf": "forged"}, {"csrf": other_csrf}):
            answer = client.post(path, data={**data, **offered}, follow_redirects=False)
            assert answer.status_code == 403, (path, offered)
    assert service.context.db.sources() == []
    assert all(token.revoked is None for token in service.context.db.tokens())
    # Without any session a POST is refused the same way.
    assert (
        TestClient(create_app(service.context, service.queue))
        .post("/sources", data={"csrf": csrf, "name": "docs", "paths": "*.md"})
        .status_code
        == 403
    )
    assert client.get("/flags").status_code == 200  # still signed in: logout was refused too


def test_a_viewer_sees_everything_and_is_offered_no_change(service: Service, site: Site) -> None:
    (service.root / "doc.md").write_text(f"[gone]({site.set('/gone', 404)})\n", encoding="utf-8")
    editor = _browser(service)
    editor_csrf = _sign_in(editor, service.editor)
    assert (
        editor.post("/sources", data={"csrf": editor_csrf, "name": "docs", "paths": "*.md"}).status_code
        == 200
    )
    ran = editor.post("/sources/1/run", data={"csrf": editor_csrf})
    assert ran.status_code == 200 and "Run 1" in ran.text

    viewer = service.client
    csrf = _sign_in(viewer, service.viewer)
    for path in ("/", "/sources", "/runs", "/runs/1", "/flags", "/flags/1", "/audit"):
        page = viewer.get(path)
        assert page.status_code == 200, path
        assert _post_forms(page.text) == ["/logout"], path
    assert "Tokens" not in viewer.get("/").text
    assert viewer.get("/tokens").status_code == 403
    assert viewer.get("/runs/1/report.html").status_code == 200
    # Forms withheld are refused too, even with a valid CSRF value.
    assert viewer.post("/flags/1", data={"csrf": csrf, "state": "ignored", "version": "1"}).status_code == 403
    assert viewer.post("/sources/1/run", data={"csrf": csrf}).status_code == 403
    assert Desk(service.context.db).flag(1).state == "open"  # type: ignore[union-attr]

    assert set(_post_forms(editor.get("/flags").text)) == {"/logout", "/flags"}
    assert "/flags/1" in _post_forms(editor.get("/flags/1").text)
    assert editor.get("/tokens").status_code == 403
    admin = _browser(service)
    _sign_in(admin, service.admin)
    tokens = admin.get("/tokens")
    assert tokens.status_code == 200 and "viewer" in tokens.text and "/tokens/revoke" in tokens.text


def test_an_editor_decides_and_the_next_run_honours_it(service: Service, site: Site) -> None:
    gone = site.set("/gone", 404)
    (service.root / "doc.md").write_text(f"[gone]({gone})\n\n[ok]({site.set('/ok')})\n", encoding="utf-8")
    client = service.client
    csrf = _sign_in(client, service.editor)
    bad = client.post(
        "/sources", data={"csrf": csrf, "name": "docs", "paths": "*.md", "url": "https://x.org/"}
    )
    assert bad.status_code == 422 and "either paths or a page" in bad.text and 'value="docs"' in bad.text
    client.post("/sources", data={"csrf": csrf, "name": "docs", "paths": "*.md"})
    run = client.post("/sources/1/run", data={"csrf": csrf})
    assert "Needing attention" in run.text and gone in run.text
    flags = client.get("/flags?state=open&outcome=dead&source=1")
    assert 'id="flag-1"' in flags.text and "doc.md" in flags.text
    assert 'id="flag-1"' not in client.get("/flags?state=ignored").text
    no_note = client.post("/flags/1", data={"csrf": csrf, "state": "false-positive", "version": "1"})
    assert no_note.status_code == 422 and "needs a note" in no_note.text
    moved = client.post(
        "/flags/1", data={"csrf": csrf, "state": "false-positive", "note": "fine for readers", "version": "1"}
    )
    assert moved.status_code == 200 and "by your override" in moved.text
    stale = client.post("/flags/1", data={"csrf": csrf, "state": "open", "version": "1"})
    assert stale.status_code == 422 and "changed meanwhile" in stale.text
    again = client.post("/sources/1/run", data={"csrf": csrf, "force": "1"})
    assert "Decided by editors" in again.text and "fine for readers" in again.text
    history = client.get("/urls", params={"url": gone})
    assert "Failures in a row" in history.text and "fine for readers" in history.text
    assert "Next check" in history.text
    assert "flag.move" in client.get("/audit").text


def test_bulk_moves_need_a_selection_and_keep_the_filters(service: Service, site: Site) -> None:
    links = "".join(f"[{n}]({site.set(f'/gone/{n}', 404)})\n\n" for n in range(3))
    (service.root / "doc.md").write_text(links, encoding="utf-8")
    client = service.client
    csrf = _sign_in(client, service.editor)
    client.post("/sources", data={"csrf": csrf, "name": "docs", "paths": "*.md"})
    client.post("/sources/1/run", data={"csrf": csrf})
    back = "?state=open"
    none = client.post(
        "/flags", data={"csrf": csrf, "state": "ignored", "back": back}, follow_redirects=False
    )
    assert none.headers["location"] == "/flags?state=open"
    assert "Select at least one" in client.get("/flags").text
    fp = client.post(
        "/flags", data={"csrf": csrf, "ids": ["1", "2"], "state": "false-positive", "back": back}
    )
    assert "Nothing changed" in fp.text and "needs a note" in fp.text
    done = client.post(
        "/flags", data={"csrf": csrf, "ids": ["1", "2"], "state": "confirmed", "note": "gone", "back": back}
    )
    assert "2 flags marked confirmed." in done.text
    states = [flag.state for flag in Desk(service.context.db).flags()]
    assert states == ["confirmed", "confirmed", "open"]


def test_a_revoked_token_ends_its_sessions(service: Service) -> None:
    client = service.client
    csrf = _sign_in(client, service.editor)
    assert client.get("/flags").status_code == 200
    revoked = service.client.delete("/api/v1/tokens/editor", headers=service.headers(service.admin))
    assert revoked.status_code == 204
    assert client.get("/flags", follow_redirects=False).status_code == 303
    assert client.post("/sources", data={"csrf": csrf, "name": "x", "paths": "*.md"}).status_code == 403
    again = client.post("/login", data={"token": service.editor, "csrf": _csrf(client.get("/login"))})
    assert again.status_code == 401

    # Revoked from the dashboard: the viewer's other browser is signed out at once.
    viewer = _browser(service)
    _sign_in(viewer, service.viewer)
    admin = _browser(service)
    admin_csrf = _sign_in(admin, service.admin)
    answer = admin.post("/tokens/revoke", data={"csrf": admin_csrf, "name": "viewer"})
    assert answer.status_code == 200 and "revoked" in answer.text
    assert viewer.get("/", follow_redirects=False).text.count('name="token"') == 1
    count = service.context.db.connection.execute(
        "SELECT COUNT(*) FROM dashboard_sessions s JOIN tokens t ON t.digest = s.token_digest"
        " WHERE t.name = 'viewer'"
    ).fetchone()[0]
    assert count == 0


def test_an_admin_makes_a_token_shown_once(service: Service) -> None:
    client = service.client
    csrf = _sign_in(client, service.admin)
    made = client.post("/tokens", data={"csrf": csrf, "name": "ci", "role": "viewer"})
    token = re.search(r"vfr_[A-Za-z0-9_-]+", made.text)
    assert made.status_code == 200 and token
    assert token.group(0) not in client.get("/tokens").text
    other = _browser(service)
    _sign_in(other, token.group(0))
    assert "ci · viewer" in other.get("/").text


def test_hostile_text_stays_text(service: Service) -> None:
    db = service.context.db
    source = db.create_source(HOSTILE, {"paths": ["*.md"], "settings": {}}, None, "test")
    run = db.create_run(source, force=False, actor="test")
    report = {
        "links": [
            {
                "url": "javascript:alert(1)//<script>alert(2)</script>",
                "outcome": "dead",
                "reason": "<img src=x onerror=alert(3)>",
                "http_status": 404,
                "checked_at": "2026-01-01T00:00:00Z",
                "archive": {"url": "javascript:alert(4)", "timestamp": "20200101000000"},
                "occurrences": [
                    {"path": "<b>doc</b>.md", "line": 1, "column": 1, "text": '"><svg onload=alert(5)>'}
                ],
            },
            {
                "url": 'https://example.org/"><script>alert(6)</script>',
                "outcome": "dead",
                "reason": "HTTP 404",
                "http_status": 404,
                "checked_at": "2026-01-01T00:00:00Z",
                "archive": None,
                "occurrences": [{"path": "doc.md", "line": 2, "column": 1, "text": HOSTILE}],
            },
        ]
    }
    Desk(db).record_run(source, run, report)
    client = service.client
    csrf = _sign_in(client, service.editor)
    client.post("/flags/2", data={"csrf": csrf, "state": "ignored", "note": HOSTILE, "version": "1"})
    pages = [
        client.get(path)
        for path in (
            "/",
            "/sources",
            "/runs",
            "/flags",
            "/flags/1",
            "/flags/2",
            "/audit",
            "/urls?url=javascript:alert(1)//<script>alert(2)</script>",
        )
    ]
    pages.append(client.post("/sources", data={"csrf": csrf, "name": HOSTILE, "url": "javascript:alert(7)"}))
    for page in pages:
        html = page.text
        assert "<script>alert" not in html and "<img src=x" not in html and "<svg onload" not in html
        assert "<b>doc" not in html
        hrefs = re.findall(r'href="([^"]*)"', html)
        assert not any(href.lower().lstrip().startswith(("javascript:", "data:text")) for href in hrefs)
        assert "'unsafe-inline'" not in page.headers["content-security-policy"]
        assert len(re.findall(r"<script", html)) == 1  # the dashboard's own file, nothing inline
    flags = pages[3].text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in flags  # the source's name, shown as text
    assert 'class="url inert"' in flags  # the javascript: URL, not a link
    assert 'href="https://example.org/&#34;&gt;&lt;script&gt;alert(6)&lt;/script&gt;"' in flags
