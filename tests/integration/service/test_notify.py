"""Digests of newly dead links after a run, delivered to a local webhook receiver that checks the
signature and to a local SMTP server (aiosmtpd) over STARTTLS with a login."""

from __future__ import annotations

import asyncio
import email
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.check_run.conftest import Site
from tests.integration.service.conftest import quiet_settings
from tests.servers.tls import LocalCA
from verifier.check.http.h11transport import AddressNotAllowed
from verifier.service.app import create_app
from verifier.service.netguard import guarded
from verifier.service.notify import NotifySettings, send_webhook, sign
from verifier.service.queue import make_queue
from verifier.service.runs import ServiceContext
from verifier.service.server import first_admin, open_context
from verifier.service.tokens import Role, create_token

aiosmtpd = pytest.importorskip("aiosmtpd")

SECRET = "s3cret-for-tests"


class Receiver:
    """A webhook receiver that accepts only correctly signed, recent digests."""

    def __init__(self, *, failures: int = 0) -> None:
        self.digests: list[dict[str, Any]] = []
        self.refused: list[str] = []
        self.attempts = 0
        self.failures = failures
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.attempts += 1
                status = receiver.receive(body, self.headers.get("X-Verifier-Timestamp", ""),
                                          self.headers.get("X-Verifier-Signature", ""))  # fmt: skip
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def receive(self, body: bytes, timestamp: str, signature: str) -> int:
        if self.failures > 0:
            self.failures -= 1
            return 503
        expected = (
            "sha256=" + hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        )
        if not hmac.compare_digest(expected, signature) or abs(time.time() - int(timestamp)) > 300:
            self.refused.append(signature)
            return 401
        self.digests.append(json.loads(body))
        return 204

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    try:
        yield server
    finally:
        server.close()


@dataclass
class Smtp:
    mailbox: Mailbox
    port: int
    ca: LocalCA


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[Smtp]:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ca = LocalCA(tmp_path)
    mailbox = Mailbox()

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        good = isinstance(data, LoginPassword) and (data.login, data.password) == (b"notifier", b"pw")
        return AuthResult(success=good)

    port = _free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=ca.context("valid"),
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
        auth_require_tls=True,
    )
    controller.start()
    try:
        yield Smtp(mailbox, port, ca)
    finally:
        controller.stop()


@dataclass
class Notified:
    context: ServiceContext
    client: TestClient
    editor: dict[str, str]
    root: Path

    def run(self, source: int, *, force: bool = False) -> dict[str, Any]:
        path = f"/api/v1/sources/{source}/runs" + ("?force=true" if force else "")
        run_id = self.client.post(path, headers=self.editor).json()["id"]
        run: dict[str, Any] = self.client.get(f"/api/v1/runs/{run_id}", headers=self.editor).json()
        assert run["status"] == "complete", run
        return run


@pytest.fixture
def notified(
    tmp_path: Path, receiver: Receiver, smtp: Smtp, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Notified]:
    root = tmp_path / "sources"
    root.mkdir()
    notify = NotifySettings(
        webhook_url=receiver.url,
        webhook_secret=SECRET,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_starttls=True,
        smtp_user="notifier",
        smtp_password="pw",
        smtp_from="verifier@example.org",
        notify_email=("editors@example.org", "desk@example.org"),
        webhook_backoff=0.01,
    )
    notify.validate()
    settings = quiet_settings(ca_bundle=str(smtp.ca.ca_file))
    context = open_context(tmp_path / "data", settings, root, notify=notify)
    queue = make_queue(context, immediate=True)
    assert first_admin(context) is not None
    editor = {"Authorization": f"Bearer {create_token(context.db, 'editor', Role.EDITOR, actor='test')}"}
    with TestClient(create_app(context, queue)) as client:
        yield Notified(context, client, editor, root)
    context.db.close()


def test_a_digest_of_what_newly_died_then_nothing_until_it_dies_again(
    notified: Notified, receiver: Receiver, smtp: Smtp, site: Site
) -> None:
    live, gone, also = site.set("/live"), site.set("/gone", 404), site.set("/also-gone", 410)
    (notified.root / "a.md").write_text(f"[l]({live})\n\n[g]({gone})\n", encoding="utf-8")
    (notified.root / "b.md").write_text(f"[g]({gone})\n\n[x]({also})\n", encoding="utf-8")
    body = {"name": "docs", "paths": ["*.md"]}
    source = notified.client.post("/api/v1/sources", json=body, headers=notified.editor).json()["id"]
    notified.run(source)
    (digest,) = receiver.digests
    assert receiver.refused == []
    assert digest["source"] == {"id": source, "name": "docs"} and digest["counts"] == {
        "dead": 2,
        "archived": 0,
    }
    by_document = {Path(doc["path"]).name: doc["links"] for doc in digest["documents"]}
    assert sorted(by_document) == ["a.md", "b.md"]
    assert [link["url"] for link in by_document["a.md"]] == [gone]
    assert [link["url"] for link in by_document["b.md"]] == [also, gone]
    assert by_document["a.md"][0]["lines"] == [3] and by_document["a.md"][0]["outcome"] == "dead"
    assert "404" in by_document["a.md"][0]["reason"] and by_document["a.md"][0]["reopened"] is False
    (message,) = smtp.mailbox.messages
    assert smtp.mailbox.envelopes == [("verifier@example.org", ["editors@example.org", "desk@example.org"])]
    assert message["Subject"] == "verifier: 2 links newly dead or archive-only in docs"
    text = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert gone in text and also in text and "a.md" in text and "(line 3)" in text
    # The same dead links again: already announced, nothing sent.
    notified.run(source, force=True)
    assert len(receiver.digests) == 1 and len(smtp.mailbox.messages) == 1
    # Marked fixed, yet still dead: the flag reopens, and that is news again.
    flags = notified.client.get("/api/v1/flags", headers=notified.editor).json()["items"]
    flag = next(f for f in flags if f["url"] == also)
    moved = notified.client.post(
        f"/api/v1/flags/{flag['id']}",
        json={"state": "fixed", "version": flag["version"]},
        headers=notified.editor,
    )
    assert moved.status_code == 200
    assert len(receiver.digests) == 2 and len(smtp.mailbox.messages) == 2
    again = receiver.digests[1]
    assert again["counts"] == {"dead": 1, "archived": 0}
    assert [link["url"] for doc in again["documents"] for link in doc["links"]] == [also]
    assert again["documents"][0]["links"][0]["reopened"] is True


def test_nothing_is_sent_when_nothing_newly_died(
    notified: Notified, receiver: Receiver, smtp: Smtp, site: Site
) -> None:
    (notified.root / "ok.md").write_text(f"[l]({site.set('/fine')})\n", encoding="utf-8")
    source = notified.client.post(
        "/api/v1/sources", json={"name": "fine", "paths": ["*.md"]}, headers=notified.editor
    ).json()["id"]
    notified.run(source)
    assert receiver.attempts == 0 and smtp.mailbox.messages == []


def _digest() -> dict[str, Any]:
    return {"event": "run.newly_flagged", "counts": {"dead": 1, "archived": 0}, "documents": []}


def test_the_webhook_is_retried_with_backoff() -> None:
    receiver = Receiver(failures=2)
    try:
        notify = NotifySettings(webhook_url=receiver.url, webhook_secret=SECRET, webhook_backoff=0.01)
        settings = guarded(quiet_settings())
        assert asyncio.run(send_webhook(notify, _digest(), settings)) == 204
        assert receiver.attempts == 3 and len(receiver.digests) == 1
    finally:
        receiver.close()


def test_a_wrong_secret_is_refused_by_the_receiver(receiver: Receiver) -> None:
    notify = NotifySettings(webhook_url=receiver.url, webhook_secret="not the secret", webhook_backoff=0.01)
    with pytest.raises(Exception, match="refused the digest: 401"):
        asyncio.run(send_webhook(notify, _digest(), guarded(quiet_settings())))
    assert receiver.digests == [] and len(receiver.refused) == 1


def test_the_webhook_is_under_the_address_guard(receiver: Receiver) -> None:
    notify = NotifySettings(webhook_url=receiver.url, webhook_secret=SECRET, webhook_backoff=0.01)
    with pytest.raises(AddressNotAllowed):
        asyncio.run(send_webhook(notify, _digest(), guarded(quiet_settings(allow_private_addresses=()))))
    assert receiver.attempts == 0


def test_the_signature_is_an_hmac_of_timestamp_and_body() -> None:
    body = b'{"a":1}'
    expected = hmac.new(b"k", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert sign("k", "1700000000", body) == f"sha256={expected}"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"webhook_url": "ftp://x/"}, "http or https"),
        ({"webhook_url": "https://hooks.example.org/x"}, "--webhook-secret"),
        ({"notify_email": ("a@example.org",)}, "--smtp-host"),
        ({"notify_email": ("a@example.org",), "smtp_host": "mail"}, "--smtp-from"),
        ({"smtp_user": "u", "smtp_host": "mail"}, "VERIFIER_SMTP_PASSWORD"),
    ],
)
def test_flags_that_cannot_work_are_refused(changes: dict[str, Any], words: str) -> None:
    from verifier._exceptions import ConfigError

    with pytest.raises(ConfigError, match=words):
        NotifySettings(**changes).validate()


def test_the_serve_flags_and_the_password_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    from verifier.commands import serve as serve_command

    parser = argparse.ArgumentParser()
    serve_command.add_arguments(parser)
    monkeypatch.setenv("VERIFIER_SMTP_PASSWORD", "from-env")
    args = parser.parse_args(
        ["--smtp-host", "mail.example.org", "--smtp-starttls", "--smtp-user", "u",
         "--smtp-from", "v@example.org", "--notify-email", "a@example.org,b@example.org",
         "--notify-email", "c@example.org"]
    )  # fmt: skip
    notify = serve_command.notify_from(args)
    assert notify is not None and notify.smtp_password == "from-env" and notify.smtp_port == 587
    assert notify.notify_email == ("a@example.org", "b@example.org", "c@example.org")
    assert serve_command.notify_from(parser.parse_args([])) is None
