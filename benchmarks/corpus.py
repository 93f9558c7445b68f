"""Generated documents shaped like the real ones: deterministic, any size, every construct.

Each generator returns text of at least ``size`` UTF-8 bytes built from whole paragraphs
(or pages), so every document is well formed however large it is. The same seed gives the
same document, so figures from two runs compare.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

_HOSTS = (
    "www.nytimes.com",
    "www.cfr.org",
    "www.fmprc.gov.cn",
    "www.iaea.org",
    "english.chosun.com",
    "www.un.org",
    "www.keia.org",
    "example.org",
)
_ZH_WORDS = (
    "核安全",
    "国际社会",
    "防止核扩散",
    "核材料",
    "峰会",
    "合作机制",
    "恐怖主义",
    "和平利用核能",
    "治理平台",
    "国际原子能机构",
)
_EN_WORDS = (
    "summit",
    "nuclear",
    "security",
    "materials",
    "leaders",
    "agreement",
    "cooperation",
    "reactor",
    "communiqué",
    "safeguards",
    "policy",
    "international",
)
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"


def _url(rng: random.Random) -> str:
    host = rng.choice(_HOSTS)
    year = rng.randint(2005, 2014)
    month, day, story = rng.randint(1, 12), rng.randint(1, 28), rng.randint(1, 99999)
    return f"http://{host}/{year}/{month:02d}/{day:02d}/story-{story}.html"


def _english(rng: random.Random, words: int) -> str:
    sentence = " ".join(rng.choice(_EN_WORDS) for _ in range(words))
    return sentence[0].upper() + sentence[1:] + "."


def _chinese(rng: random.Random, phrases: int) -> str:
    return "，".join(rng.choice(_ZH_WORDS) + rng.choice(_ZH_WORDS) for _ in range(phrases)) + "。"


def _grow(size: int, head: str, pieces: Iterator[str], tail: Callable[[], str]) -> str:
    parts = [head]
    total = len(head.encode("utf-8"))
    for piece in pieces:
        parts.append(piece)
        total += len(piece.encode("utf-8"))
        if total >= size:
            break
    parts.append(tail())
    return "".join(parts)


def markdown_document(size: int, seed: int = 1) -> str:
    """A Wikipedia page exported to Markdown: wikilinks, escaped markers, a numbered source list."""
    rng = random.Random(seed)
    sources: list[str] = []

    def paragraphs() -> Iterator[str]:
        section = 0
        while True:
            section += 1
            lines = [f"## Section {section}\n\n"]
            for paragraph in range(rng.randint(2, 5)):
                words: list[str] = [f"[^n{section}]"] if paragraph == 1 else []
                for _ in range(rng.randint(4, 9)):
                    words.append(_chinese(rng, 2))
                    roll = rng.random()
                    if roll < 0.35:
                        term = rng.choice(_ZH_WORDS)
                        words.append(f'[{term}](https://zh.wikipedia.org/wiki/{term} "wikilink")')
                    elif roll < 0.45:
                        term = rng.choice(_ZH_WORDS)
                        words.append(f'[{term}](../Page/{term}.md "wikilink")')
                    elif roll < 0.6:
                        sources.append(_url(rng))
                        words.append(f"\\[{len(sources)}\\]")
                lines.append("".join(words) + "\n\n")
            lines.append(f"[^n{section}]: {_english(rng, 8)} <{_url(rng)}>\n\n")
            lines.append(
                f"  - [{_english(rng, 5)}]({_url(rng)}) by A. Author ({rng.randint(2009, 2013)})\n\n"
            )
            if section % 7 == 0:
                lines.append(f"```\nhttp://not-a-link.example/{section}\n```\n\n")
            yield "".join(lines)

    def numbered_sources() -> str:
        lines = ["\n## 參考來源\n\n"]
        for number, url in enumerate(sources, start=1):
            title = _english(rng, 6)
            lines.append(f'{number}.  ["{title}"]({url}) *Publisher*. 26 March 2012. Retrieved 2012-03-26.\n')
        return "".join(lines)

    return _grow(size, "**Generated page**（）\n\n", paragraphs(), numbered_sources)


def pdf_text_document(size: int, seed: int = 2) -> str:
    """Text from a PDF: pages of prose with ①-style markers, each ending in its footnote block."""
    rng = random.Random(seed)

    def pages() -> Iterator[str]:
        page = 0
        while True:
            page += 1
            notes = rng.randint(2, 6)
            body: list[str] = []
            for note in range(notes):
                for _ in range(rng.randint(3, 8)):
                    body.append(_chinese(rng, 4) + "\n\n")
                body.append(_chinese(rng, 2) + "\n" + _CIRCLED[note] + "\n" + _chinese(rng, 2) + "\n\n")
            block = [" " * 56 + "\n"]
            for note in range(notes):
                roll = rng.random()
                marker = _CIRCLED[note]
                if roll < 0.4:
                    block.append(f"{marker} {_url(rng)}. \n")
                elif roll < 0.55:
                    url = _url(rng)
                    cut = url.index("/", 10) + 1
                    block.append(f'{marker} "{_english(rng, 6)}", {url[:cut]} \n{url[cut:]}. \n')
                else:
                    title, journal = _chinese(rng, 1), rng.choice(_ZH_WORDS)
                    block.append(f"{marker} 作者：《{title}》，载《{journal}》，2012年第 3期。 \n")
            yield "".join(body) + "".join(block) + f"\n· {page} ·\n\n"

    return _grow(size, " 摘    要：" + _chinese(rng, 6) + "\n\n", pages(), lambda: "")


def html_document(size: int, seed: int = 3) -> str:
    """An article page: anchors, images, quotations, a reference list."""
    rng = random.Random(seed)

    def blocks() -> Iterator[str]:
        number = 0
        while True:
            number += 1
            yield (
                f'<h2 id="s{number}">{_english(rng, 3)}</h2>\n'
                f'<p>{_english(rng, 12)} <a href="{_url(rng)}">{_english(rng, 3)}</a> '
                f'{_english(rng, 9)}<sup><a href="#cite-{number}">[{number}]</a></sup></p>\n'
                f'<p><img src="/images/figure-{number}.png" alt="figure"> {_english(rng, 10)}</p>\n'
                f'<blockquote cite="{_url(rng)}"><p>{_english(rng, 8)}</p></blockquote>\n'
                f'<ul><li id="cite-{number}"><a href="{_url(rng)}">{_english(rng, 5)}</a>. '
                f"Retrieved 2012-03-26.</li></ul>\n"
            )

    head = (
        '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Generated</title>\n'
        '<base href="https://example.org/articles/">\n'
        '<link rel="stylesheet" href="/style.css"></head>\n<body>\n'
    )
    return _grow(size, head, blocks(), lambda: "</body>\n</html>\n")


def wikitext_document(size: int, seed: int = 4) -> str:
    """A wiki article: [[links]], <ref> with {{cite web}}, named references reused."""
    rng = random.Random(seed)

    def sections() -> Iterator[str]:
        number = 0
        while True:
            number += 1
            url = _url(rng)
            yield (
                f"== {_english(rng, 2)} ==\n"
                f"'''{_english(rng, 2)}''' {_english(rng, 10)} [[{rng.choice(_EN_WORDS)}]] {_english(rng, 6)}"
                f'<ref name="r{number}">{{{{cite web |url={url} |title={_english(rng, 4)} '
                f"|access-date=26 March 2012}}}}</ref> {_english(rng, 8)}"
                f'<ref name="r{number}" /> [{_url(rng)} {_english(rng, 2)}]\n\n'
            )

    return _grow(size, "", sections(), lambda: "== References ==\n{{reflist}}\n")


def plain_text_document(size: int, seed: int = 5) -> str:
    """Plain prose in English with bare URLs and no footnotes: the fastest path, for the big-file test."""
    rng = random.Random(seed)

    def paragraphs() -> Iterator[str]:
        while True:
            lines = [_english(rng, rng.randint(8, 14)) for _ in range(rng.randint(2, 6))]
            if rng.random() < 0.5:
                lines[rng.randrange(len(lines))] += f" See {_url(rng)} for details."
            yield "\n".join(lines) + "\n\n"

    return _grow(size, "", paragraphs(), lambda: "")


GENERATORS: dict[str, Callable[[int], str]] = {
    "markdown": markdown_document,
    "pdf-text": pdf_text_document,
    "html": html_document,
    "wikitext": wikitext_document,
    "plain-text": plain_text_document,
}
