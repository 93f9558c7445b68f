"""Content drift: a live page whose title no longer matches the title its citation gives.

A link can answer 200 for years after the page it pointed to was replaced by something else
(a new article at a recycled address, a section front, a different product). The citation's
title is the best record of what was meant, so it is compared with what the page shows: its
``<title>``, ``og:title`` and first ``<h1>``, the best of them counting. Titles are compared
after NFKC, case folding and dropping punctuation, in every script, and without the site
names pages add around them ("Title - Example News", "Site | Title").

A warning must be rare to be read, so comparison is declined whenever it could only guess:
a cited "title" that is link text ("here", a URL, one word), or titles written in different
scripts (a translated citation of a Chinese page is not drift).

Pure and cheap: rapidfuzz is imported only when titles are compared.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: Below this similarity (0 to 1) the page is taken for another page than the one cited. The
#: same page under a site name, another case or punctuation scores 0.85 and up; an editor's
#: rewording of its title 0.55 to 0.65; unrelated pages (a new article, a section front, a
#: server's default page) 0.45 and under.
THRESHOLD = 0.5

# Link text that says nothing about the page it points to.
_GENERIC = frozenset(
    {
        "click here", "read more", "full text", "this link", "this page", "see here", "link here",
        "archived copy", "archive copy", "original url", "web page", "home page", "official website",
        "official site", "more info", "more information", "pdf file", "full article", "read online",
    }
)  # fmt: skip
_URLISH = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.)|^[\w-]+(?:\.[\w-]+)+(?:/\S*)?$", re.IGNORECASE)
# Separators between a page's own title and its site's name.
_SITE_SEPARATOR = re.compile(r"\s+[|\-–—:·•»«/]\s+|\s*[|–—·•»«]\s*|\s*::\s*")
_OG_TITLE = re.compile(
    r"""<meta\b(?=[^>]*\b(?:property|name)\s*=\s*["']?og:title["'\s>])[^>]*\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)')""",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Drift:
    """The cited title, the page's closest title and how alike they are (0 to 1)."""

    cited_title: str
    found_title: str
    similarity: float


def normalise(text: str) -> str:
    """Case, punctuation, symbols, spacing and compatibility forms (full-width, ligatures) evened out."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    kept = [" " if unicodedata.category(char)[0] in "PSZC" else char for char in folded]
    return " ".join("".join(kept).split())


@functools.cache
def _wide() -> re.Pattern[str]:
    # Compiled when first needed: these ranges take 3 ms to compile, paid by every run's
    # start when compiled on import.
    return re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\u3040-\u30ff]")


def usable_title(title: str | None) -> str | None:
    """The cited title when it can stand for the page, else None (link text, an address, one word)."""
    if not title:
        return None
    stripped = " ".join(title.split())
    if _URLISH.search(stripped):
        return None
    normal = normalise(stripped)
    if normal in _GENERIC:
        return None
    wide = len(_wide().findall(normal))
    if wide >= 4:
        return stripped
    words = [word for word in normal.split() if not word.isdigit()]
    if len(words) >= 2 and len(normal) >= 8:
        return stripped
    return None


def og_title(markup: str) -> str | None:
    """The page's ``og:title``, as plain text."""
    found = _OG_TITLE.search(markup)
    if found is None:
        return None
    value = " ".join(html.unescape(found.group(1) or found.group(2) or "").split())
    return value or None


def _variants(title: str) -> list[str]:
    """The title whole and without the site names around it, in every way its separators allow."""
    parts = [part for part in _SITE_SEPARATOR.split(title) if part.strip()]
    found = [title]
    if len(parts) > 1:
        for start in range(len(parts)):
            for end in range(start + 1, len(parts) + 1):
                if (start, end) != (0, len(parts)):
                    found.append(" ".join(parts[start:end]))
    return found


def _scripts(text: str) -> frozenset[str]:
    """The writing systems of a normalised text's letters: "LATIN", "CJK", "HANGUL", "CYRILLIC"…"""
    found: set[str] = set()
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        script = name.split(" ", 1)[0]
        if script in ("CJK", "HIRAGANA", "KATAKANA"):
            script = "CJK"  # Japanese mixes kana with kanji; Chinese titles share the kanji
        found.add(script)
    return frozenset(found)


def _score(cited: str, found: str) -> float:
    from rapidfuzz import fuzz

    # token_set_ratio forgives a subtitle or a byline added on one side; ratio reads CJK,
    # which has no spaces to split on, character by character.
    return max(fuzz.ratio(cited, found), fuzz.token_set_ratio(cited, found)) / 100.0


def compare(cited_titles: Sequence[str], page_titles: Iterable[str | None]) -> Drift | None:
    """The drift between what the citations call the page and what it calls itself, or None.

    None when any cited title matches any of the page's titles well enough, or when they
    cannot be compared (no page title, titles in different scripts).
    """
    pages = [" ".join(title.split()) for title in page_titles if title and title.strip()]
    if not cited_titles or not pages:
        return None
    best: Drift | None = None
    for cited in cited_titles:
        wanted = normalise(cited)
        if not wanted:
            continue
        scripts = _scripts(wanted)
        for page in pages:
            for variant in _variants(page):
                shown = normalise(variant)
                if not shown:
                    continue
                if not scripts & _scripts(shown):
                    continue  # another script: a translation or a transliteration, not a verdict
                score = _score(wanted, shown)
                if best is None or score > best.similarity:
                    best = Drift(cited, page, round(score, 2))
    if best is None or best.similarity >= THRESHOLD:
        return None
    return best
