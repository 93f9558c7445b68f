"""From what the probe saw to a verdict with a reason in plain words. Pure: no I/O.

The rules, in order of precedence:

* a failed request: NXDOMAIN, refused, redirect loops and too many redirects are ``dead``
  (NXDOMAIN only once we know our own network works); our network down, timeouts, resets,
  TLS trouble are ``unknown``;
* statuses listed in ``accept`` are ``live``;
* 401, 402, 403, 407, 451 and bot walls are ``restricted``, never dead;
* 429 and 503 are ``unknown`` (they outlived the retries);
* 404, 410, other 4xx, and 5xx that outlived the retries are ``dead``;
* a 2xx is ``live`` unless it is a parked domain, a soft-404 (wording, or it looks like
  the host's answer to a made-up address), or a deep URL that now lands on the site's
  home page or a login page: those are ``dead``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import urlsplit

from verifier.check.http.failures import FailureKind
from verifier.check.live.soft404 import not_found_phrase
from verifier.model import Outcome

#: How a link that is unknown only because our own network was down explains itself.
NETWORK_DOWN_REASON = "our own network seems down"
RESTRICTED_STATUSES = frozenset({401, 402, 403, 407, 451})
GONE_STATUSES = frozenset({404, 410})
# LinkedIn answers 999 to automated visitors; some proxies invent codes of their own.
BOT_WALL_STATUSES = frozenset({999})


@dataclass(frozen=True, slots=True)
class ProbeFacts:
    """Everything the probe learnt about one URL, ready for judgement.

    ``markup`` is the start of the body (at most the body limit), ``headers`` holds
    lower-case names. ``network_down`` is None unless the canaries were asked. ``soft404``
    is why the page looks like the host's answer to a made-up address, when it does.
    """

    url: str
    status: int | None = None
    final_url: str | None = None
    redirects: tuple[str, ...] = ()
    failure: FailureKind | None = None
    failure_detail: str = ""
    content_type: str | None = None
    title: str | None = None
    heading: str | None = None
    markup: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    attempts: int = 1
    network_down: bool | None = None
    soft404: str | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    outcome: Outcome
    reason: str
    network_down: bool = False


def _status_words(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _tries(facts: ProbeFacts) -> str:
    return "" if facts.attempts <= 1 else f" after {facts.attempts} tries"


# Bot walls ---------------------------------------------------------------------------------

_WALL_TITLE = re.compile(
    r"^\s*(just a moment|attention required|access denied|access to this page has been denied|"
    r"security check|are you a (robot|human)|verify(ing)? you are (a )?human|captcha|robot check|"
    r"pardon our interruption|request blocked|one more step|ddos-guard|checking your browser|"
    r"human verification|bot verification|please wait while we verify|you have been blocked|"
    r"sorry, you have been blocked|403 forbidden|forbidden)\b",
    re.IGNORECASE,
)
_CHALLENGE_MARKERS = re.compile(
    r"challenge-platform|cf-chl-|cf_chl_opt|__cf_chl|cf-turnstile|captcha-delivery\.com|px-captcha|"
    r"_incapsula_resource|distil_r_captcha|awswaf|verify you are human|checking your browser before",
    re.IGNORECASE,
)
_CAPTCHA_MARKERS = re.compile(
    r"g-recaptcha|recaptcha/api|h-captcha|hcaptcha\.com|captcha|access denied|unusual traffic",
    re.IGNORECASE,
)


def bot_wall(facts: ProbeFacts) -> str | None:
    """What kind of bot wall answered, or None. Strict for 200s, loose for 403/429/503."""
    status = facts.status
    if status is None:
        return None
    if status in BOT_WALL_STATUSES:
        return f"the site answers automated visitors with status {status}"
    if facts.headers.get("cf-mitigated", "").lower() == "challenge":
        return "a Cloudflare challenge page"
    title = facts.title or ""
    server = facts.headers.get("server", "").lower()
    if _CHALLENGE_MARKERS.search(facts.markup):
        return "a Cloudflare challenge page" if "cloudflare" in server else "a bot-check (captcha) page"
    if _WALL_TITLE.search(title):
        return f'a bot wall ("{title}")'
    if status in (403, 429, 503) and _CAPTCHA_MARKERS.search(facts.markup):
        return "a bot-check (captcha) page"
    return None


# Parked domains -----------------------------------------------------------------------------

_PARKED = re.compile(
    r"sedoparking|parkingcrew|bodis\.com|parklogic|above\.com/marketplace|"
    r"this domain (name )?(is|may be) for sale|domain is for sale|buy this domain|"
    r"this domain has been registered|is parked free|parked free, courtesy of|"
    r"domain (name )?is parked|hugedomains\.com|afternic\.com|(?<![\w.-])dan\.com/",
    re.IGNORECASE,
)
_PARKING_HOSTS = ("sedo.com", "hugedomains.com", "dan.com", "afternic.com", "parkingcrew.net", "bodis.com")


def parked(facts: ProbeFacts) -> str | None:
    host = (urlsplit(facts.final_url or facts.url).hostname or "").lower()
    if any(host == h or host.endswith("." + h) for h in _PARKING_HOSTS):
        return f"it now lands on a domain sale page ({host})"
    found = _PARKED.search(facts.markup[:32_768])
    if found:
        return f'the domain is parked ("{found.group(0)}")'
    return None


# Redirects to the home page or a login page ------------------------------------------------

# "/", "/index.html", "/home", "/en/", "/pt-br/": what a site's home page is called.
_ROOTLIKE = re.compile(
    r"/?((index|default|home|start|main)(\.\w+)?|[a-z]{2}([-_][a-z]{2})?/?)?", re.IGNORECASE
)
_LOGIN = re.compile(
    r"(^|/)(login|log-in|log_in|logon|signin|sign-in|sign_in|sso|auth|authenticate|"
    r"session/new|sessions/new|wp-login\.php|login\.php|login\.aspx|idp)(/|\.|$|\?)",
    re.IGNORECASE,
)
# Hosts whose whole job is to redirect: landing on a home page through them is no sign of death.
REDIRECTORS = frozenset(
    {
        "bit.ly", "t.co", "goo.gl", "tinyurl.com", "ow.ly", "buff.ly", "is.gd", "rebrand.ly", "lnkd.in",
        "doi.org", "dx.doi.org", "hdl.handle.net", "purl.org", "w3id.org", "youtu.be", "amzn.to",
    }
)  # fmt: skip


def _is_root(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.query and bool(_ROOTLIKE.fullmatch(parts.path))


def _is_login(url: str) -> bool:
    return bool(_LOGIN.search(urlsplit(url).path.lower()))


def _cited(facts: ProbeFacts) -> str:
    """The URL that was really cited: past a shortener or resolver, its first target."""
    host = (urlsplit(facts.url).hostname or "").lower()
    if host in REDIRECTORS and facts.redirects:
        return facts.redirects[0]
    return facts.url


def lost_redirect(facts: ProbeFacts) -> str | None:
    """Why a redirect chain means the cited page is gone (home page or login), or None."""
    if not facts.redirects or not facts.final_url:
        return None
    cited = _cited(facts)
    if cited == facts.final_url:
        return None
    if not _is_root(cited) and _is_root(facts.final_url):
        return f"it now redirects to the site's home page ({facts.final_url})"
    if not _is_login(cited) and _is_login(facts.final_url):
        return f"it now redirects to a login page ({facts.final_url})"
    return None


# Failures ---------------------------------------------------------------------------------

_TLS = frozenset(
    {
        FailureKind.TLS_EXPIRED,
        FailureKind.TLS_NOT_YET_VALID,
        FailureKind.TLS_HOSTNAME,
        FailureKind.TLS_UNTRUSTED,
        FailureKind.TLS_OTHER,
    }
)


def _classify_failure(facts: ProbeFacts, kind: FailureKind) -> Verdict:
    detail = facts.failure_detail or kind.value
    if facts.network_down:
        return Verdict(Outcome.UNKNOWN, f"{NETWORK_DOWN_REASON}: {detail}", network_down=True)
    if kind is FailureKind.DNS_NOT_FOUND:
        return Verdict(Outcome.DEAD, f"the domain does not exist: {detail}")
    if kind is FailureKind.REFUSED:
        return Verdict(Outcome.DEAD, f"nothing answers at this address: {detail}{_tries(facts)}")
    if kind is FailureKind.REDIRECT_LOOP:
        return Verdict(Outcome.DEAD, f"redirect loop: {detail}")
    if kind is FailureKind.TOO_MANY_REDIRECTS:
        return Verdict(Outcome.DEAD, f"too many redirects: {detail}")
    if kind is FailureKind.INVALID_URL:
        return Verdict(Outcome.DEAD, detail)
    if kind in _TLS:
        return Verdict(Outcome.UNKNOWN, f"secure connection failed: {detail} (--insecure checks it anyway)")
    if kind is FailureKind.UNREACHABLE:
        return Verdict(Outcome.UNKNOWN, f"the host cannot be reached: {detail}{_tries(facts)}")
    return Verdict(Outcome.UNKNOWN, f"{detail}{_tries(facts)}")


# Statuses ---------------------------------------------------------------------------------


def _classify_success(facts: ProbeFacts, status: int) -> Verdict:
    words = _status_words(status)
    why = parked(facts)
    if why:
        return Verdict(Outcome.DEAD, why)
    wall = bot_wall(facts)
    if wall:
        return Verdict(Outcome.RESTRICTED, f"answered {words} with {wall}")
    for label, text in (("title", facts.title), ("heading", facts.heading)):
        phrase = not_found_phrase(text)
        if phrase:
            return Verdict(Outcome.DEAD, f'soft 404: answers {words} but its {label} says "{text}"')
    why = lost_redirect(facts)
    if why:
        return Verdict(Outcome.DEAD, why)
    if facts.soft404:
        return Verdict(Outcome.DEAD, f"soft 404: answers {words} but {facts.soft404}")
    if facts.redirects:
        hops = len(facts.redirects)
        return Verdict(
            Outcome.LIVE, f"answered {words} after {hops} redirect{'s' * (hops > 1)} (to {facts.final_url})"
        )
    return Verdict(Outcome.LIVE, f"answered {words}")


def classify(facts: ProbeFacts, accept: tuple[int, ...] = ()) -> Verdict:
    """The verdict on one URL from what the probe saw."""
    if facts.failure is not None:
        return _classify_failure(facts, facts.failure)
    status = facts.status
    if status is None:
        return Verdict(Outcome.UNKNOWN, "no answer was recorded")
    words = _status_words(status)
    if status in accept:
        return Verdict(Outcome.LIVE, f"answered {words}, an accepted status")
    if 200 <= status < 300:
        return _classify_success(facts, status)
    wall = bot_wall(facts)
    if status in RESTRICTED_STATUSES:
        what = wall or "access is restricted"
        return Verdict(Outcome.RESTRICTED, f"answered {words}: {what}")
    if wall:
        return Verdict(Outcome.RESTRICTED, f"answered {words} with {wall}")
    if status in GONE_STATUSES:
        return Verdict(Outcome.DEAD, f"answered {words}")
    if status == 429:
        return Verdict(Outcome.UNKNOWN, f"rate limited: answered {words}{_tries(facts)}")
    if status == 503:
        return Verdict(Outcome.UNKNOWN, f"temporarily unavailable: answered {words}{_tries(facts)}")
    if 300 <= status < 400:
        return Verdict(Outcome.UNKNOWN, f"answered {words} without a usable redirect")
    if status in (408, 425):
        return Verdict(Outcome.UNKNOWN, f"answered {words}{_tries(facts)}")
    if 400 <= status < 500:
        return Verdict(Outcome.DEAD, f"answered {words}")
    if 500 <= status < 600:
        return Verdict(Outcome.DEAD, f"server error that persisted: answered {words}{_tries(facts)}")
    return Verdict(Outcome.UNKNOWN, f"answered an unexpected status {status}")
