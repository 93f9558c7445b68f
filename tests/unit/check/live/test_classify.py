"""classify.py rule by rule: a table of facts and the verdict each must get. No sockets."""

from __future__ import annotations

from dataclasses import replace

import pytest

from verifier.check.http.failures import FailureKind
from verifier.check.live.classify import ProbeFacts, classify
from verifier.model import Outcome

URL = "https://example.org/articles/2011/report.html"
HTML = "text/html; charset=utf-8"
CF = {"server": "cloudflare", "cf-mitigated": "challenge"}


def page(status: int, **more: object) -> ProbeFacts:
    return replace(ProbeFacts(url=URL, status=status, final_url=URL, content_type=HTML), **more)  # type: ignore[arg-type]


def failed(kind: FailureKind, **more: object) -> ProbeFacts:
    return replace(ProbeFacts(url=URL, failure=kind, failure_detail=kind.value), **more)  # type: ignore[arg-type]


def moved(target: str, **more: object) -> ProbeFacts:
    return page(200, final_url=target, redirects=(target,), **more)


CASES: list[tuple[str, ProbeFacts, Outcome, str]] = [
    # live
    ("200", page(200), Outcome.LIVE, "answered 200 OK"),
    ("204", page(204), Outcome.LIVE, "204"),
    (
        "redirect to another deep page",
        moved("https://example.org/reports/2011.html"),
        Outcome.LIVE,
        "1 redirect",
    ),
    ("http to https of the same page", moved(URL.replace("https", "http")), Outcome.LIVE, "redirect"),
    (
        "home page cited as home page",
        replace(moved("https://www.example.org/"), url="http://example.org/"),
        Outcome.LIVE,
        "redirect",
    ),
    (
        "shortener landing on a home page",
        replace(moved("https://example.org/"), url="https://bit.ly/abc", redirects=("https://example.org/",)),
        Outcome.LIVE,
        "redirect",
    ),
    ("a pdf", page(200, content_type="application/pdf"), Outcome.LIVE, "200"),
    (
        "page about captchas",
        page(200, title="How CAPTCHA works", markup="<p>a captcha is...</p>"),
        Outcome.LIVE,
        "200",
    ),
    (
        "article about a missing plane",
        page(200, title="Flight MH370 not found after years | News"),
        Outcome.LIVE,
        "200",
    ),
    # restricted
    ("401", page(401), Outcome.RESTRICTED, "401 Unauthorized"),
    ("402", page(402), Outcome.RESTRICTED, "402"),
    ("403", page(403), Outcome.RESTRICTED, "403 Forbidden"),
    ("407", page(407), Outcome.RESTRICTED, "407"),
    ("451", page(451), Outcome.RESTRICTED, "451"),
    ("cloudflare 503", page(503, headers=CF, title="Just a moment..."), Outcome.RESTRICTED, "Cloudflare"),
    ("cloudflare 403", page(403, headers=CF), Outcome.RESTRICTED, "Cloudflare"),
    ("captcha 200", page(200, title="Are you a robot?"), Outcome.RESTRICTED, "bot wall"),
    ("access denied 200", page(200, title="Access Denied"), Outcome.RESTRICTED, "bot wall"),
    ("captcha 503", page(503, markup="<div class='g-recaptcha'></div>"), Outcome.RESTRICTED, "captcha"),
    ("linkedin 999", page(999), Outcome.RESTRICTED, "999"),
    (
        "datadome 403",
        page(403, markup="<script src='https://ct.captcha-delivery.com/c.js'>"),
        Outcome.RESTRICTED,
        "captcha",
    ),
    # dead
    ("404", page(404), Outcome.DEAD, "404 Not Found"),
    ("410", page(410), Outcome.DEAD, "410 Gone"),
    ("400", page(400), Outcome.DEAD, "400"),
    ("500 after retries", page(500, attempts=4), Outcome.DEAD, "after 4 tries"),
    ("502", page(502, attempts=4), Outcome.DEAD, "502"),
    (
        "nxdomain, network fine",
        failed(FailureKind.DNS_NOT_FOUND, network_down=False),
        Outcome.DEAD,
        "does not exist",
    ),
    ("refused", failed(FailureKind.REFUSED), Outcome.DEAD, "nothing answers"),
    ("loop", failed(FailureKind.REDIRECT_LOOP), Outcome.DEAD, "redirect loop"),
    ("too many", failed(FailureKind.TOO_MANY_REDIRECTS), Outcome.DEAD, "too many redirects"),
    ("deep page to home", moved("https://example.org/"), Outcome.DEAD, "home page"),
    ("deep page to index.php", moved("https://example.org/index.php"), Outcome.DEAD, "home page"),
    ("deep page to language root", moved("https://example.org/en/"), Outcome.DEAD, "home page"),
    (
        "query page to home",
        replace(moved("https://example.org/"), url="https://example.org/?p=123"),
        Outcome.DEAD,
        "home page",
    ),
    ("deep page to login", moved("https://example.org/login?next=/articles"), Outcome.DEAD, "login page"),
    ("deep page to sign-in", moved("https://example.org/users/sign_in"), Outcome.DEAD, "login page"),
    (
        "shortener to a deep page that moved home",
        replace(
            moved("https://example.org/"),
            url="https://bit.ly/x",
            redirects=("https://example.org/old/page", "https://example.org/"),
        ),
        Outcome.DEAD,
        "home page",
    ),
    ("not found title", page(200, title="Page not found | Example"), Outcome.DEAD, "soft 404"),
    (
        "not found heading",
        page(200, title="Example", heading="404 - File not found"),
        Outcome.DEAD,
        "heading",
    ),
    ("probe matched", page(200, soft404="its text is 97% the same"), Outcome.DEAD, "soft 404"),
    ("parked", page(200, markup="<p>This domain is for sale! Buy this domain</p>"), Outcome.DEAD, "parked"),
    (
        "parked at sedo",
        moved("https://sedo.com/search/details/?domain=example.org"),
        Outcome.DEAD,
        "domain sale",
    ),
    # unknown
    ("429", page(429, attempts=4), Outcome.UNKNOWN, "rate limited"),
    ("503", page(503, attempts=4), Outcome.UNKNOWN, "temporarily unavailable"),
    ("408", page(408), Outcome.UNKNOWN, "408"),
    ("timeout", failed(FailureKind.TIMEOUT, attempts=4), Outcome.UNKNOWN, "after 4 tries"),
    ("connect timeout", failed(FailureKind.CONNECT_TIMEOUT), Outcome.UNKNOWN, "connect-timeout"),
    ("reset", failed(FailureKind.RESET), Outcome.UNKNOWN, "connection-reset"),
    ("dns temporary", failed(FailureKind.DNS_TEMPORARY, network_down=False), Outcome.UNKNOWN, "dns"),
    (
        "unreachable host",
        failed(FailureKind.UNREACHABLE, network_down=False),
        Outcome.UNKNOWN,
        "cannot be reached",
    ),
    ("tls expired", failed(FailureKind.TLS_EXPIRED), Outcome.UNKNOWN, "--insecure"),
    ("tls wrong host", failed(FailureKind.TLS_HOSTNAME), Outcome.UNKNOWN, "secure connection failed"),
    ("3xx without location", page(300), Outcome.UNKNOWN, "without a usable redirect"),
    ("odd status", page(799), Outcome.UNKNOWN, "unexpected status"),
    ("nothing recorded", ProbeFacts(url=URL), Outcome.UNKNOWN, "no answer"),
]


@pytest.mark.parametrize(("facts", "outcome", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule(facts: ProbeFacts, outcome: Outcome, words: str) -> None:
    verdict = classify(facts)
    assert verdict.outcome is outcome, verdict.reason
    assert words in verdict.reason


def test_accepted_codes_are_live() -> None:
    assert classify(page(403), accept=(403,)).outcome is Outcome.LIVE
    assert classify(page(999), accept=(999,)).outcome is Outcome.LIVE


@pytest.mark.parametrize(
    "kind", [FailureKind.DNS_NOT_FOUND, FailureKind.DNS_TEMPORARY, FailureKind.UNREACHABLE]
)
def test_our_network_down_is_never_dead(kind: FailureKind) -> None:
    verdict = classify(failed(kind, network_down=True))
    assert verdict.outcome is Outcome.UNKNOWN
    assert verdict.network_down
    assert verdict.reason.startswith("our own network seems down: ")


def test_every_verdict_has_a_reason() -> None:
    for _, facts, _, _ in CASES:
        assert classify(facts).reason.strip()
