"""Soft-404 detection: "not found" wording in many languages, and the per-host nonsense probe.

A soft-404 is a page that says "not found" while answering 200. Two signals:

* its title or first heading says so (English, Chinese, Japanese, Korean, Spanish, French,
  German, Portuguese, Russian, Italian, Arabic);
* the Bar-Yossef probe: ask the host for a random sibling path that cannot exist. If it
  answers that nonsense with 200 (or a redirect), a cited page whose answer looks like the
  nonsense answer (same final URL, same title, or nearly the same text) is gone too.

Everything here but :class:`HostProbes` is pure.
"""

from __future__ import annotations

import asyncio
import html
import re
import secrets
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

_SEPARATORS = re.compile(r"\s[|\-–—:·•»«/]\s|[|–—·•»«]|\s-\s|::")

# Whole segments of a title or heading (compared after lowercasing and trimming punctuation).
_ARTICLE = r"(?:the\ |this\ |that\ )?"
_THING = r"(?:page|file|document|article|post|content)"
_WANTED = r"(?:\ you\ (?:are|were|'re)\ looking\ for|\ you\ requested)?"
_SEGMENT = re.compile(
    rf"""
    (?:(?:oops|whoops|sorry|error|erreur|fehler|errore|erro|ошибка|lo\ sentimos|désolé|uh\ oh)[\s,!.:]*)*
    (?:(?:http\ )?404[\s:.\-]*)?
    (?:
        (?:error\s*)?404(?:\s*error)?
      | {_ARTICLE}(?:page|file|document|resource|article|post|content|url|site)?\s*not\ found
      | {_ARTICLE}{_THING}{_WANTED}\ (?:could\ not|couldn['’]t|cannot|can\ ?not|can['’]t|was\ not|wasn['’]t)
        \ be\ found
      | {_ARTICLE}{_THING}{_WANTED}\ (?:does\ not|doesn['’]t|no\ longer)\ exists?
      | {_ARTICLE}{_THING}{_WANTED}\ (?:is\ )?no\ longer\ available
      | nothing\ (?:was\ )?found
      | no\ encontrad[oa]|no\ se\ (?:ha\ )?encontr[óo]\ (?:la\ página)?|no\ existe
      | introuvable|non\ trouvée?|n['’]existe\ (?:pas|plus)
      | nicht\ gefunden|existiert\ nicht|nicht\ mehr\ verfügbar
      | não\ encontrad[oa]|inexistente
      | не\ найден[аоы]?|не\ существует
      | non\ trovat[oa]|inesistente|non\ esiste
      | غير\ موجود[ةه]?|لم\ يتم\ العثور(?:\ على\ الصفحة)?
      | 未找到|找不到|見つかりません|찾을\ 수\ 없습니다
    )
    (?:[\s(:\-]*(?:error\ )?404\)?)?
    """,
    re.VERBOSE,
)

# Phrases distinctive enough to count anywhere in a title or heading.
_PHRASE = re.compile(
    "|".join(
        [
            r"page not found",
            r"\b404 not found\b",
            r"\berror 404\b",
            # Chinese, simplified and traditional
            r"页面不存在|页面未找到|找不到页面|找不到网页|网页不存在|页面找不到|您访问的页面不存在|页面已删除",
            r"頁面不存在|頁面未找到|找不到頁面|找不到網頁|網頁不存在|頁面找不到|您訪問的頁面不存在",
            # Japanese
            r"ページが見つかりません|ページは見つかりませんでした|ページが見つかりませんでした|ページが存在しません|お探しのページ",
            # Korean
            r"페이지를 찾을 수 없|존재하지 않는 페이지|페이지가 존재하지 않|요청하신 페이지를 찾을 수 없",
            # Spanish, French, German, Portuguese, Russian, Italian, Arabic
            r"página no encontrada|la página no existe|página no existe",
            r"page non trouvée|page introuvable|cette page n['’]existe pas",
            r"seite nicht gefunden|seite existiert nicht|seite wurde nicht gefunden",
            r"página não encontrada|página não existe",
            r"страница не найдена|страница не существует|страницы не существует",
            r"pagina non trovata|pagina non esiste|pagina inesistente",
            r"الصفحة غير موجودة|الصفحة المطلوبة غير موجودة|لم يتم العثور على الصفحة",
        ]
    )
)

_TRIM = " \t\r\n.!?¡¿,;:()[]{}\"'“”«»…。！？、·-–—"


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


def not_found_phrase(text: str | None) -> str | None:
    """The "not found" wording in a title or heading, or None when it says no such thing."""
    if not text:
        return None
    normal = _normalise(text)
    if not normal:
        return None
    phrase = _PHRASE.search(normal)
    if phrase:
        return phrase.group(0)
    for segment in [normal, *_SEPARATORS.split(normal)]:
        piece = segment.strip(_TRIM)
        if piece and _SEGMENT.fullmatch(piece):
            return piece
    return None


_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_SCRIPT = re.compile(r"<(script|style|noscript)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def _text_of(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())


def title_and_heading(markup: str) -> tuple[str | None, str | None]:
    """The <title> and the first <h1> of an HTML page, as plain text."""
    title = _TITLE.search(markup)
    heading = _H1.search(markup)
    return (
        _text_of(title.group(1)) or None if title else None,
        _text_of(heading.group(1)) or None if heading else None,
    )


def visible_text(markup: str) -> str:
    return _text_of(_SCRIPT.sub(" ", markup))


_WORD = re.compile(r"\w+")
_DIGITS = re.compile(r"\d+")
SHINGLE = 3
APP_SHELL_WORDS = 30


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """How a host answered (or how a page looks) for soft-404 comparison."""

    status: int | None
    final_url: str | None
    redirected: bool
    title: str | None
    shingles: frozenset[int]
    # A page with scripts and next to no text is an app shell that renders in the browser:
    # every address gets the same shell, dead or alive, so likeness proves nothing.
    app_shell: bool = False


def shingles(text: str, *, ignore: tuple[str, ...] = ()) -> frozenset[int]:
    """Hashed word 3-grams of a page's text, numbers and the requested path's words left out.

    Pages often echo the requested path or show a date, which must not make two copies of
    the same "not found" page look different.
    """
    lowered = _DIGITS.sub(" ", text.lower())
    skip = {word for part in ignore for word in _WORD.findall(_DIGITS.sub(" ", part.lower()))}
    words = [w for w in _WORD.findall(lowered) if w not in skip]
    if len(words) < SHINGLE:
        return frozenset({zlib.crc32(" ".join(words).encode())}) if words else frozenset()
    return frozenset(
        zlib.crc32(" ".join(words[i : i + SHINGLE]).encode()) for i in range(len(words) - SHINGLE + 1)
    )


def fingerprint(
    *,
    status: int | None,
    url: str,
    final_url: str | None,
    title: str | None,
    markup: str,
) -> Fingerprint:
    path_words = (urlsplit(url).path, urlsplit(final_url or url).path)
    text = visible_text(markup) if markup else ""
    return Fingerprint(
        status=status,
        final_url=final_url,
        redirected=bool(final_url and final_url != url),
        title=title,
        shingles=shingles(text, ignore=path_words) if text else frozenset(),
        app_shell=len(_WORD.findall(text)) < APP_SHELL_WORDS and "<script" in markup.lower(),
    )


def similarity(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


NEAR_IDENTICAL = 0.9


def host_soft404s(probe: Fingerprint | None) -> bool:
    """Whether the host answered nonsense as if it were a page (2xx, after any redirects)."""
    return probe is not None and probe.status is not None and 200 <= probe.status < 300


def matches_probe(probe: Fingerprint | None, page: Fingerprint) -> str | None:
    """Why ``page`` looks like the host's answer to nonsense, or None when it does not."""
    if not host_soft404s(probe) or page.status is None or not 200 <= page.status < 300:
        return None
    assert probe is not None
    if probe.redirected and page.redirected and probe.final_url == page.final_url:
        return f"it redirects to {page.final_url}, where this site sends any made-up address"
    if probe.app_shell:
        return None
    if probe.title and page.title and _normalise(probe.title) == _normalise(page.title):
        return f'it shows the same page ("{page.title}") that this site shows for any made-up address'
    score = similarity(probe.shingles, page.shingles)
    if score >= NEAR_IDENTICAL:
        return f"its text is {score:.0%} the same as the page this site shows for any made-up address"
    return None


def sibling_url(url: str, token: str | None = None) -> str:
    """A made-up address in the same directory as ``url`` (query and fragment dropped)."""
    parts = urlsplit(url)
    directory = parts.path.rsplit("/", 1)[0] if "/" in parts.path else ""
    name = token or secrets.token_hex(12)
    return urlunsplit((parts.scheme, parts.netloc, f"{directory}/{name}", "", ""))


class HostProbes:
    """One nonsense probe per host for the whole run, shared by every concurrent check.

    ``fetch`` requests a URL and returns its fingerprint (None when the request failed).
    """

    def __init__(self, fetch: Callable[[str], Awaitable[Fingerprint | None]]) -> None:
        self._fetch = fetch
        self._probes: dict[str, asyncio.Task[Fingerprint | None]] = {}

    async def for_host(self, key: str, url: str) -> Fingerprint | None:
        task = self._probes.get(key)
        if task is None:
            task = self._probes[key] = asyncio.ensure_future(self._fetch(sibling_url(url)))
        # Shielded: one caller giving up must not cancel the probe the others wait on.
        return await asyncio.shield(task)

    def known(self, key: str) -> Fingerprint | None:
        task = self._probes.get(key)
        if task is None or not task.done() or task.cancelled() or task.exception() is not None:
            return None
        return task.result()

    async def aclose(self) -> None:
        pending = [task for task in self._probes.values() if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
