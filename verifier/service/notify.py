"""After a run: a digest of what newly died or became archive-only, by webhook and by e-mail.

"Newly" is what the editors' desk says a run changed: the flags it opened, and those it
reopened (a fix that did not hold, an ignored link that got worse). A flag a run merely
updated was reported before, so an unchanged dead link is announced once, not every night,
and nothing is sent when nothing newly died. The digest groups the links by document.

The webhook gets the digest as a JSON POST signed like Stripe's and GitHub's: the header
``X-Verifier-Signature: sha256=<hex>`` is the HMAC-SHA256 of ``"<timestamp>.<body>"`` under
the shared secret, with the timestamp in ``X-Verifier-Timestamp`` so a receiver can refuse
replays. It is retried with backoff (tenacity) on network failures, 429 and 5xx, and goes
through the service's address guard like every other request. The e-mail goes over SMTP
(optionally STARTTLS and a login); the SMTP server is the operator's own, so it is exempt.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import logging
import smtplib
import ssl
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import orjson

from verifier._exceptions import ConfigError
from verifier.config import Settings
from verifier.service.db import ServiceDB
from verifier.service.desk import Desk, Flag

_log = logging.getLogger("verifier.service")

SIGNATURE_HEADER = "X-Verifier-Signature"
TIMESTAMP_HEADER = "X-Verifier-Timestamp"
PASSWORD_VARIABLE = "VERIFIER_SMTP_PASSWORD"


@dataclass(frozen=True, slots=True)
class NotifySettings:
    webhook_url: str | None = None
    webhook_secret: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str | None = None
    notify_email: tuple[str, ...] = ()
    webhook_attempts: int = 5
    #: The first wait before a webhook is sent again; doubled each time, up to a minute.
    webhook_backoff: float = 2.0
    smtp_timeout: float = 30.0

    @property
    def enabled(self) -> bool:
        return bool(self.webhook_url or self.notify_email)

    def validate(self) -> None:
        """ConfigError when the flags cannot make a working notification."""
        if self.webhook_url:
            from urllib.parse import urlsplit

            parts = urlsplit(self.webhook_url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ConfigError(f"--webhook-url {self.webhook_url}: an http or https address")
            if not self.webhook_secret:
                raise ConfigError("--webhook-url needs --webhook-secret, so the receiver can trust it")
        if self.notify_email:
            if not self.smtp_host:
                raise ConfigError("--notify-email needs --smtp-host")
            if not self.smtp_from:
                raise ConfigError("--notify-email needs --smtp-from")
            if any("@" not in address for address in self.notify_email):
                raise ConfigError("--notify-email: e-mail addresses")
        if self.smtp_user and not self.smtp_password:
            raise ConfigError(f"--smtp-user needs a password (${PASSWORD_VARIABLE})")
        if not 0 < self.smtp_port < 65536:
            raise ConfigError(f"--smtp-port {self.smtp_port}: a port number")


# What a run changed --------------------------------------------------------------------------


def audit_mark(db: ServiceDB) -> int:
    """The newest audit entry: what a run records after it is what the run changed."""
    row = db.connection.execute("SELECT COALESCE(MAX(id), 0) FROM audit").fetchone()
    return int(row[0])


def newly_flagged(db: ServiceDB, source_id: int, since: int) -> list[tuple[Flag, bool]]:
    """The flags of ``source_id`` a run opened or reopened after audit entry ``since``, each
    with whether it was reopened, and still open."""
    rows = db.connection.execute(
        "SELECT subject, action FROM audit WHERE id > ? AND actor = 'system'"
        " AND action IN ('flag.open', 'flag.reopen') ORDER BY id",
        (since,),
    ).fetchall()
    desk = Desk(db)
    found: dict[int, tuple[Flag, bool]] = {}
    for subject, action in rows:
        flag = desk.flag(int(str(subject).partition(":")[2]))
        if flag is not None and flag.source_id == source_id and flag.state == "open":
            found[flag.id] = (flag, action == "flag.reopen")
    return list(found.values())


def make_digest(
    source: Mapping[str, Any], run_id: int, flagged: Sequence[tuple[Flag, bool]], report: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The digest of a run's newly flagged links by document; None when there are none."""
    if not flagged:
        return None
    reasons = {link["url"]: link.get("reason", "") for link in report.get("links", [])}
    documents: dict[str, list[dict[str, Any]]] = {}
    counts = {"dead": 0, "archived": 0}
    for flag, reopened in sorted(flagged, key=lambda item: item[0].url):
        counts[flag.outcome] = counts.get(flag.outcome, 0) + 1
        lines: dict[str, list[int]] = {}
        for place in flag.occurrences:
            if place.get("line") is not None:
                lines.setdefault(place["path"], []).append(int(place["line"]))
        for path in flag.documents or ["(no document)"]:
            documents.setdefault(path, []).append(
                {
                    "url": flag.url,
                    "outcome": flag.outcome,
                    "reason": reasons.get(flag.url, ""),
                    "archive": dict(flag.archive) if flag.archive else None,
                    "lines": sorted(set(lines.get(path, []))),
                    "flag": flag.id,
                    "reopened": reopened,
                }
            )
    return {
        "event": "run.newly_flagged",
        "source": {"id": source["id"], "name": source["name"]},
        "run": {"id": run_id, "report": f"/api/v1/runs/{run_id}/report.html"},
        "counts": counts,
        "documents": [{"path": path, "links": links} for path, links in sorted(documents.items())],
    }


# The webhook ----------------------------------------------------------------------------------


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The value of the signature header for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


class _TryAgain(Exception):
    """A failure a later attempt may not meet: the network, 429, a 5xx."""


async def send_webhook(notify: NotifySettings, digest: Mapping[str, Any], settings: Settings) -> int:
    """POST the digest; the receiver's final status. Raises when it never took it."""
    import httpx
    from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

    from verifier.check.http.h11transport import AddressNotAllowed, H11Transport
    from verifier.check.http.transport import parse_resolve, tls_context
    from verifier.service.netguard import address_policy

    assert notify.webhook_url is not None and notify.webhook_secret is not None
    body = orjson.dumps(digest)
    policy = address_policy(settings)
    transport = H11Transport(
        ssl_context=tls_context(settings),
        resolve=parse_resolve(settings.resolve),
        address_policy=policy.allows if policy is not None else None,
    )
    async with httpx.AsyncClient(transport=transport, timeout=settings.timeout) as client:

        async def attempt() -> int:
            # Signed anew each time: a receiver may refuse an old timestamp.
            timestamp = str(int(time.time()))
            headers = {
                "Content-Type": "application/json",
                "User-Agent": settings.user_agent,
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: sign(notify.webhook_secret or "", timestamp, body),
            }
            try:
                response = await client.post(notify.webhook_url or "", content=body, headers=headers)
            except AddressNotAllowed:
                raise
            except httpx.HTTPError as error:
                raise _TryAgain(f"{type(error).__name__}: {error}") from error
            if response.status_code == 429 or response.status_code >= 500:
                raise _TryAgain(f"the receiver answered {response.status_code}")
            if response.status_code >= 300:
                raise ConfigError(f"the webhook receiver refused the digest: {response.status_code}")
            return response.status_code

        retrying = AsyncRetrying(
            stop=stop_after_attempt(max(1, notify.webhook_attempts)),
            wait=wait_exponential(multiplier=notify.webhook_backoff, max=60),
            retry=retry_if_exception_type(_TryAgain),
            before_sleep=lambda call: (
                _log.warning(
                    "webhook: attempt %d failed (%s); trying again",
                    call.attempt_number,
                    call.outcome.exception(),
                )
                if call.outcome
                else None
            ),
            reraise=True,
        )
        status: int = await retrying(attempt)
        return status


# E-mail -------------------------------------------------------------------------------------------


def email_text(digest: Mapping[str, Any]) -> tuple[str, str]:
    """The subject and plain-text body of the digest's e-mail."""
    counts = digest["counts"]
    total = sum(counts.values())
    source = digest["source"]["name"]
    subject = f"verifier: {total} link{'s' * (total != 1)} newly dead or archive-only in {source}"
    lines = [
        f"Run {digest['run']['id']} of {source}: {counts.get('dead', 0)} newly dead,"
        f" {counts.get('archived', 0)} newly archive-only.",
        "",
    ]
    for document in digest["documents"]:
        lines.append(document["path"])
        for link in document["links"]:
            where = f" (line {', '.join(map(str, link['lines']))})" if link["lines"] else ""
            again = " again" if link["reopened"] else ""
            lines.append(f"  {link['outcome']}{again}: {link['url']}{where}")
            if link["reason"]:
                lines.append(f"    {link['reason']}")
            if link["archive"] and link["archive"].get("url"):
                lines.append(f"    archived copy: {link['archive']['url']}")
        lines.append("")
    lines.append(f"The report: {digest['run']['report']}")
    return subject, "\n".join(lines) + "\n"


def send_email(notify: NotifySettings, digest: Mapping[str, Any], tls: ssl.SSLContext) -> None:
    """Send the digest's e-mail to every recipient (blocking: run it in a thread)."""
    assert notify.smtp_host is not None and notify.smtp_from is not None
    subject, text = email_text(digest)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = notify.smtp_from
    message["To"] = ", ".join(notify.notify_email)
    message["Date"] = dt.datetime.now(dt.UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    message.set_content(text)
    with smtplib.SMTP(notify.smtp_host, notify.smtp_port, timeout=notify.smtp_timeout) as smtp:
        smtp.ehlo()
        if notify.smtp_starttls:
            smtp.starttls(context=tls)
            smtp.ehlo()
        if notify.smtp_user:
            smtp.login(notify.smtp_user, notify.smtp_password or "")
        smtp.send_message(message)


async def notify_run(
    notify: NotifySettings,
    settings: Settings,
    db: ServiceDB,
    source: Mapping[str, Any],
    run_id: int,
    report: Mapping[str, Any],
    since: int,
) -> dict[str, Any] | None:
    """Send the run's digest wherever configured; the digest, or None when nothing newly died.

    Never raises: a receiver that is down must not turn a finished run into a failed one.
    """
    digest = make_digest(source, run_id, newly_flagged(db, int(source["id"]), since), report)
    if digest is None or not notify.enabled:
        return digest
    if notify.webhook_url:
        try:
            await send_webhook(notify, digest, settings)
        except Exception as error:
            _log.error("run %s: the webhook was not delivered: %s", run_id, error)
    if notify.notify_email:
        from verifier.check.http.transport import tls_context

        try:
            await asyncio.to_thread(send_email, notify, digest, tls_context(settings))
        except (OSError, smtplib.SMTPException, ConfigError) as error:
            _log.error("run %s: the e-mail was not sent: %s", run_id, error)
    return digest
