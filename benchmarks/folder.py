# ruff: noqa: E501  (markup literals stay whole, as pages write them)
"""A folder shaped like third-party documents: saved Wikipedia pages, wiki articles, long READMEs.

Real saved pages carry far more markup per reference than the article generators in
``corpus.py``: navigation, infoboxes, navboxes, scripts and styles, a rendered ``<cite>`` per
note and backlinks from every note to its markers. The extraction benchmark times verifier
and lychee side by side on such a folder. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

_TOPICS = (
    "Nuclear_Security_Summit",
    "International_Atomic_Energy_Agency",
    "Nuclear_proliferation",
    "Treaty_on_the_Non-Proliferation_of_Nuclear_Weapons",
    "Highly_enriched_uranium",
    "Plutonium",
    "Nuclear_terrorism",
    "Seoul",
    "Washington,_D.C.",
    "The_Hague",
    "Barack_Obama",
    "Hu_Jintao",
    "Lee_Myung-bak",
    "Radiological_weapon",
    "Fissile_material",
    "Nuclear_safety_and_security",
)
_WORDS = (
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
    "the",
    "of",
    "and",
    "in",
    "was",
    "states",
    "government",
    "treaty",
)
_HOSTS = (
    "www.nytimes.com",
    "www.cfr.org",
    "www.fmprc.gov.cn",
    "www.iaea.org",
    "english.chosun.com",
    "www.un.org",
    "www.keia.org",
    "www.reuters.com",
    "www.bbc.co.uk",
    "www.theguardian.com",
    "www.whitehouse.gov",
    "www.state.gov",
    "www.armscontrol.org",
    "www.nti.org",
    "thebulletin.org",
)
_PUBLISHERS = ("The New York Times", "Reuters", "BBC News", "IAEA", "The Guardian", "Xinhua", "Yonhap")


def _words(rng: random.Random, count: int) -> str:
    text = " ".join(rng.choice(_WORDS) for _ in range(count))
    return text[0].upper() + text[1:]


def _url(rng: random.Random) -> str:
    host = rng.choice(_HOSTS)
    year, month, day = rng.randint(2003, 2016), rng.randint(1, 12), rng.randint(1, 28)
    return f"https://{host}/{year}/{month:02d}/{day:02d}/{rng.choice(_WORDS)}-{rng.randint(1, 99999)}.html"


def _date(rng: random.Random) -> str:
    months = ("January", "February", "March", "April", "May", "June", "July", "August", "September")
    return f"{rng.randint(1, 28)} {rng.choice(months)} {rng.randint(2008, 2016)}"


# -- Saved Wikipedia pages -------------------------------------------------------------------


def _html_head(title: str) -> str:
    style = "".join(f".mw-c{n}{{margin:0 {n}px;padding:{n}px}}" for n in range(60))
    script = "".join(f'mw.config.set("wg{n}",{n});' for n in range(40))
    return (
        "<!DOCTYPE html>\n"
        '<html class="client-nojs" lang="en" dir="ltr">\n<head>\n<meta charset="UTF-8">\n'
        f"<title>{title.replace('_', ' ')} - Wikipedia</title>\n"
        f"<script>document.documentElement.className='client-js';{script}</script>\n"
        f"<style>{style}</style>\n"
        '<link rel="stylesheet" href="/w/load.php?lang=en&amp;modules=site.styles&amp;only=styles&amp;skin=vector">\n'
        '<meta name="generator" content="MediaWiki 1.42.0-wmf.5">\n'
        '<link rel="icon" href="/static/favicon/wikipedia.ico">\n'
        f'<link rel="canonical" href="https://en.wikipedia.org/wiki/{title}">\n'
        '<link rel="preconnect" href="//upload.wikimedia.org">\n'
        "</head>\n"
    )


def _html_nav(rng: random.Random) -> str:
    items = "".join(
        f'<li id="n-{n}" class="mw-list-item"><a href="/wiki/Special:{rng.choice(_TOPICS)}" '
        f'title="{_words(rng, 3)} [alt-shift-{n}]" accesskey="{n}"><span>{_words(rng, 2)}</span></a></li>'
        for n in range(25)
    )
    return (
        '<div class="vector-header-container"><header class="vector-header mw-header">'
        '<nav class="vector-main-menu" role="navigation"><div class="vector-menu-content">'
        f'<ul class="vector-menu-content-list">{items}</ul></div></nav></header></div>\n'
    )


def _html_infobox(rng: random.Random) -> str:
    rows = "".join(
        f'<tr><th scope="row" class="infobox-label">{_words(rng, 2)}</th>'
        f'<td class="infobox-data"><a href="/wiki/{rng.choice(_TOPICS)}" title="{_words(rng, 2)}">'
        f"{_words(rng, 3)}</a></td></tr>"
        for _ in range(rng.randint(8, 16))
    )
    return (
        '<table class="infobox vevent"><tbody><tr><td colspan="2" class="infobox-image">'
        '<span class="mw-default-size" typeof="mw:File"><a href="/wiki/File:Summit.jpg" class="mw-file-description">'
        '<img alt="" src="//upload.wikimedia.org/wikipedia/commons/thumb/a/a1/Summit.jpg/250px-Summit.jpg" '
        'decoding="async" width="250" height="166" class="mw-file-element" '
        'srcset="//upload.wikimedia.org/wikipedia/commons/thumb/a/a1/Summit.jpg/375px-Summit.jpg 1.5x, '
        '//upload.wikimedia.org/wikipedia/commons/thumb/a/a1/Summit.jpg/500px-Summit.jpg 2x"></a></span>'
        f"</td></tr>{rows}</tbody></table>\n"
    )


def _html_cite(rng: random.Random, note: int) -> str:
    url = _url(rng)
    title = _words(rng, rng.randint(4, 9))
    archived = rng.random() < 0.3
    dead = archived and rng.random() < 0.4
    archive = f"https://web.archive.org/web/2015{rng.randint(10, 12)}01000000/{url}"
    coins = (
        '<span title="ctx_ver=Z39.88-2004&amp;rft_val_fmt=info%3Aofi%2Ffmt%3Akev%3Amtx%3Abook&amp;'
        f'rft.atitle={title.replace(" ", "+")}&amp;rft_id={url}" class="Z3988"></span>'
    )
    if dead:
        link = f'<a rel="nofollow" class="external text" href="{archive}">"{title}"</a>'
    else:
        link = f'<a rel="nofollow" class="external text" href="{url}">"{title}"</a>'
    parts = [
        f'<cite id="CITEREF{note}" class="citation news cs1">{_words(rng, 2)} ({_date(rng)}). {link}. ',
        f"<i>{rng.choice(_PUBLISHERS)}</i>. ",
    ]
    if archived:
        original = f'<a rel="nofollow" class="external text" href="{url}">the original</a>'
        archive_link = f'<a rel="nofollow" class="external text" href="{archive}">Archived</a>'
        parts.append(
            f"{archive_link} from {original} on {_date(rng)}. "
            if not dead
            else f"Archived from {original} on {_date(rng)}. "
        )
    parts.append(
        f'<span class="reference-accessdate">. Retrieved <span class="nowrap">{_date(rng)}</span></span>'
    )
    parts.append(f"</cite>{coins}")
    if rng.random() < 0.05:
        parts.append(
            '<sup class="noprint Inline-Template"><span style="white-space: nowrap;">&#91;<i>'
            '<a href="/wiki/Wikipedia:Link_rot" title="Wikipedia:Link rot">'
            '<span title="&#32;Dead link tagged March 2013">dead link</span></a></i>&#93;</span></sup>'
        )
    return "".join(parts)


def wikipedia_html(size: int, seed: int) -> str:
    """A Wikipedia article saved from the browser: prose with note markers, then the notes."""
    rng = random.Random(seed)
    title = rng.choice(_TOPICS)
    parts = [_html_head(title), '<body class="skin-vector mediawiki">\n', _html_nav(rng)]
    parts.append(
        '<div id="content" class="mw-body" role="main"><h1 id="firstHeading" class="firstHeading">'
        f'<span class="mw-page-title-main">{title.replace("_", " ")}</span></h1>\n'
        '<div id="bodyContent" class="vector-body"><div id="mw-content-text" class="mw-body-content">'
        '<div class="mw-content-ltr mw-parser-output" lang="en" dir="ltr">\n'
    )
    parts.append(_html_infobox(rng))
    total = sum(len(part) for part in parts)
    notes: list[int] = []
    section = 0
    # Prose takes about three fifths of a real page, the notes and navboxes the rest.
    while total < size * 0.28:
        section += 1
        block = [
            f'<div class="mw-heading mw-heading2"><h2 id="Section_{section}">{_words(rng, 3)}</h2>'
            f'<span class="mw-editsection"><span class="mw-editsection-bracket">[</span>'
            f'<a href="/w/index.php?title={title}&amp;action=edit&amp;section={section}" '
            f'title="Edit section: {_words(rng, 2)}"><span>edit</span></a>'
            '<span class="mw-editsection-bracket">]</span></span></div>\n'
        ]
        for _ in range(rng.randint(2, 5)):
            sentences: list[str] = []
            for _ in range(rng.randint(3, 7)):
                sentence = _words(rng, rng.randint(6, 18))
                if rng.random() < 0.5:
                    topic = rng.choice(_TOPICS)
                    sentence += (
                        f' <a href="/wiki/{topic}" title="{topic.replace("_", " ")}">{_words(rng, 2)}</a>'
                    )
                sentence += "."
                if rng.random() < 0.45:
                    note = len(notes) + 1
                    notes.append(note)
                    sentence += (
                        f'<sup id="cite_ref-{note}" class="reference"><a href="#cite_note-{note}">'
                        f'<span class="cite-bracket">&#91;</span>{note}<span class="cite-bracket">&#93;</span>'
                        "</a></sup>"
                    )
                sentences.append(sentence)
            block.append("<p>" + " ".join(sentences) + "\n</p>")
        if rng.random() < 0.2:
            block.append(
                '<figure class="mw-default-size" typeof="mw:File/Thumb"><a href="/wiki/File:Photo.jpg" '
                'class="mw-file-description"><img src="//upload.wikimedia.org/wikipedia/commons/thumb/b/b2/'
                f'Photo{section}.jpg/220px-Photo.jpg" decoding="async" width="220" height="147" '
                'class="mw-file-element"></a><figcaption>'
                f"{_words(rng, 8)}</figcaption></figure>\n"
            )
        text = "".join(block)
        parts.append(text)
        total += len(text)
    notes_html = ['<div class="mw-heading mw-heading2"><h2 id="References">References</h2></div>\n']
    notes_html.append(
        '<div class="reflist reflist-columns references-column-width"><div class="mw-references-wrap mw-references-columns">'
        '<ol class="references">\n'
    )
    for note in notes:
        notes_html.append(
            f'<li id="cite_note-{note}"><span class="mw-cite-backlink"><b>'
            f'<a href="#cite_ref-{note}">^</a></b></span> <span class="reference-text">'
            f"{_html_cite(rng, note)}</span>\n</li>\n"
        )
    notes_html.append("</ol></div></div>\n")
    parts.append("".join(notes_html))
    links = "".join(
        f'<li><a href="/wiki/{rng.choice(_TOPICS)}" title="{_words(rng, 2)}">{_words(rng, 2)}</a></li>'
        for _ in range(max(40, (size - total) // 160))
    )
    parts.append(
        '<div class="navbox-styles"></div><div role="navigation" class="navbox" aria-labelledby="nb">'
        f'<table class="nowraplinks navbox-inner"><tbody><tr><td class="navbox-list"><ul>{links}</ul>'
        "</td></tr></tbody></table></div>\n"
    )
    parts.append(
        "</div></div></div></div>\n"
        '<footer id="footer" class="mw-footer" role="contentinfo"><ul id="footer-places">'
        '<li><a href="https://foundation.wikimedia.org/wiki/Special:MyLanguage/Policy:Privacy_policy">'
        "Privacy policy</a></li>"
        '<li><a href="https://developer.wikimedia.org">Developers</a></li>'
        '<li><a href="https://stats.wikimedia.org/#/en.wikipedia.org">Statistics</a></li></ul>'
        '<ul id="footer-icons"><li><a href="https://wikimediafoundation.org/">'
        '<img src="/static/images/footer/wikimedia-button.svg" width="84" height="29" alt="Wikimedia Foundation">'
        "</a></li></ul></footer>\n"
        '<script>(RLQ=window.RLQ||[]).push(function(){mw.config.set({"wgBackendResponseTime":120});});'
        "</script>\n</body>\n</html>\n"
    )
    return "".join(parts)


# -- Wiki articles -------------------------------------------------------------------------


def wiki_article(size: int, seed: int) -> str:
    """A wiki article's source: infobox, prose with <ref>{{cite web}}, named refs reused, a reflist."""
    rng = random.Random(seed)
    parts = [
        "{{Short description|" + _words(rng, 5) + "}}\n{{Use dmy dates|date=March 2012}}\n"
        "{{Infobox event\n| name = "
        + _words(rng, 3)
        + "\n| image = Summit.jpg\n| date = "
        + _date(rng)
        + "\n| venue = [[COEX Convention & Exhibition Center]]\n| website = {{URL|www.thenuclearsecuritysummit.org}}\n}}\n"
        "'''" + _words(rng, 3) + "''' " + _words(rng, 20) + ".\n\n"
    ]
    total = len(parts[0])
    named: list[str] = []
    section = 0
    while total < size * 0.9:
        section += 1
        block = [f"== {_words(rng, 3)} ==\n"]
        if rng.random() < 0.3:
            block.append("{{Main|" + rng.choice(_TOPICS).replace("_", " ") + "}}\n")
        for _ in range(rng.randint(2, 5)):
            sentences: list[str] = []
            for _ in range(rng.randint(3, 7)):
                sentence = _words(rng, rng.randint(6, 18))
                if rng.random() < 0.4:
                    sentence += f" [[{rng.choice(_TOPICS).replace('_', ' ')}|{_words(rng, 2)}]]"
                sentence += "."
                roll = rng.random()
                if roll < 0.3:
                    name = f"r{len(named) + 1}"
                    named.append(name)
                    extra = (
                        f" |archive-url=https://web.archive.org/web/20150101000000/{_url(rng)} |archive-date={_date(rng)} |url-status=dead"
                        if rng.random() < 0.25
                        else ""
                    )
                    sentence += (
                        f'<ref name="{name}">{{{{cite web |url={_url(rng)} |title={_words(rng, 6)} '
                        f"|work={rng.choice(_PUBLISHERS)} |date={_date(rng)} |access-date={_date(rng)}{extra}}}}}</ref>"
                    )
                elif roll < 0.4 and named:
                    sentence += f'<ref name="{rng.choice(named)}" />'
                elif roll < 0.5:
                    sentence += f"<ref>[{_url(rng)} {_words(rng, 4)}]. {rng.choice(_PUBLISHERS)}. Retrieved {_date(rng)}.</ref>"
                elif roll < 0.53:
                    sentence += f"<ref>{{{{cite news |url={_url(rng)} |title={_words(rng, 5)} |newspaper={rng.choice(_PUBLISHERS)}}}}}{{{{dead link|date=May 2014}}}}</ref>"
                sentences.append(sentence)
            block.append(" ".join(sentences) + "\n\n")
        if rng.random() < 0.15:
            block.append(f"[[File:Photo{section}.jpg|thumb|{_words(rng, 8)}]]\n")
        text = "".join(block)
        parts.append(text)
        total += len(text)
    parts.append("== References ==\n{{Reflist}}\n\n== External links ==\n")
    for _ in range(rng.randint(3, 8)):
        parts.append(f"* [{_url(rng)} {_words(rng, 4)}]\n")
    parts.append("\n{{Nuclear technology}}\n[[Category:" + _words(rng, 2) + "]]\n")
    return "".join(parts)


# -- READMEs -------------------------------------------------------------------------------


def readme(size: int, seed: int) -> str:
    """A long project README: badges, install and usage with code, links, a table, references."""
    rng = random.Random(seed)
    name = f"project-{seed}"
    parts = [
        f"# {name}\n\n"
        f"[![Build](https://github.com/example/{name}/actions/workflows/ci.yml/badge.svg)](https://github.com/example/{name}/actions)"
        f" [![PyPI](https://img.shields.io/pypi/v/{name}.svg)](https://pypi.org/project/{name}/)"
        f" [![Docs](https://readthedocs.org/projects/{name}/badge/?version=latest)](https://{name}.readthedocs.io/)\n\n"
        f"{_words(rng, 30)}.\n\n## Contents\n\n"
        + "".join(f"- [{_words(rng, 2)}](#section-{n})\n" for n in range(1, 9))
        + "\n"
    ]
    total = len(parts[0])
    section = 0
    refs: list[str] = []
    while total < size * 0.95:
        section += 1
        block = [f"## Section {section}\n\n"]
        for _ in range(rng.randint(2, 4)):
            sentences = []
            for _ in range(rng.randint(3, 6)):
                sentence = _words(rng, rng.randint(6, 16))
                roll = rng.random()
                if roll < 0.2:
                    sentence += f" ([{_words(rng, 2)}]({_url(rng)}))"
                elif roll < 0.3:
                    label = f"ref{len(refs) + 1}"
                    refs.append(f"[{label}]: {_url(rng)}")
                    sentence += f" [{_words(rng, 2)}][{label}]"
                elif roll < 0.35:
                    sentence += f" See {_url(rng)}"
                elif roll < 0.4:
                    sentence += f" `--{rng.choice(_WORDS)}`"
                sentences.append(sentence + ".")
            block.append(" ".join(sentences) + "\n\n")
        if rng.random() < 0.5:
            block.append(
                "```sh\n"
                + "".join(
                    f"{name} --{rng.choice(_WORDS)} https://example.org/{n}\n"
                    for n in range(rng.randint(2, 8))
                )
                + "```\n\n"
            )
        if rng.random() < 0.3:
            block.append(
                "| option | default | meaning |\n|---|---|---|\n"
                + "".join(
                    f"| `{rng.choice(_WORDS)}` | {n} | {_words(rng, 6)} |\n" for n in range(rng.randint(3, 8))
                )
                + "\n"
            )
        if rng.random() < 0.2:
            block.append(
                f'<p align="center"><img src="docs/figure-{section}.png" width="600" alt="figure"></p>\n\n'
            )
        text = "".join(block)
        parts.append(text)
        total += len(text)
    parts.append("## References\n\n" + "\n".join(refs) + "\n")
    return "".join(parts)


Generator = Callable[[int, int], str]


def write_folder(directory: Path, scale: float = 1.0, seed: int = 7) -> dict[str, int]:
    """Write the folder (about 14 MB at ``scale`` 1) and return the bytes written per format.

    Sizes are spread the way such a folder's are: most pages tens to a few hundred kilobytes,
    one saved page of 1.4 MB. Wiki articles are saved as ``.txt``, as lychee reads no
    ``.wiki`` file; verifier tells them by their content.
    """
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    written = {"html": 0, "wikitext": 0, "markdown": 0}
    plan: list[tuple[str, str, Generator, int]] = [("html", "page-big.html", wikipedia_html, 1_400_000)]
    plan += [("html", f"page-{n:03d}.html", wikipedia_html, rng.randint(30_000, 200_000)) for n in range(70)]
    plan += [
        ("wikitext", f"article-{n:03d}.txt", wiki_article, rng.randint(5_000, 45_000)) for n in range(120)
    ]
    plan += [("markdown", f"readme-{n:03d}.md", readme, rng.randint(4_000, 30_000)) for n in range(130)]
    for number, (kind, name, generate, size) in enumerate(plan):
        subfolder = directory / kind
        subfolder.mkdir(exist_ok=True)
        data = generate(int(size * scale), seed * 1000 + number).encode("utf-8")
        (subfolder / name).write_bytes(data)
        written[kind] += len(data)
    return written
