"""URLs in the raw HTML that Markdown lets through: tag attributes and the text between tags."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from verifier.extract.html_attributes import AttributeSpan, srcset_urls

# The attributes that point somewhere, by tag.
URL_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "embed": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "script": ("src",),
    "object": ("codebase", "data"),
    "blockquote": ("cite",),
    "q": ("cite",),
    "ins": ("cite",),
    "del": ("cite",),
}
# Custom elements (<my-link href=…>) take URLs in the attributes the standard elements use.
_CUSTOM_ELEMENT_ATTRIBUTES = ("href", "src", "srcset", "cite")

# Text inside these is not prose: a URL there is code, or already the anchor's own target.
_NOT_PROSE = frozenset({"a", "code", "pre", "script", "style", "kbd", "samp"})

_ATTRIBUTE = re.compile(
    r"""(?P<name>[^\s"'>/=]+)\s*=\s*(?:"(?P<double>[^"]*)"|'(?P<single>[^']*)'|(?P<bare>[^\s"'=<>`]+))"""
)


@dataclass(frozen=True, slots=True)
class HtmlUrl:
    """An attribute value that holds a URL, as offsets into the HTML fragment."""

    tag: str
    attribute: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class HtmlText:
    """A run of text between tags, outside code and anchors."""

    start: int
    text: str


@dataclass(slots=True)
class HtmlScan:
    urls: list[HtmlUrl]
    texts: list[HtmlText]
    # Tags opened but not closed in the fragment (an inline "<a href>" before its "</a>").
    open_tags: list[str]


class _Scanner(HTMLParser):
    def __init__(self, fragment: str) -> None:
        super().__init__(convert_charrefs=False)
        self._line_starts = [0] + [i + 1 for i, c in enumerate(fragment) if c == "\n"]
        self.urls: list[HtmlUrl] = []
        self.texts: list[HtmlText] = []
        self.open_tags: list[str] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._record(tag)
        if tag in _NOT_PROSE:
            self.open_tags.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._record(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open_tags:
            del self.open_tags[len(self.open_tags) - 1 - self.open_tags[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        if not self.open_tags and data.strip():
            self.texts.append(HtmlText(self._offset(), data))

    def _record(self, tag: str) -> None:
        wanted = URL_ATTRIBUTES.get(tag) or (_CUSTOM_ELEMENT_ATTRIBUTES if "-" in tag else None)
        written = self.get_starttag_text()
        if not wanted or written is None:
            return
        base = self._offset()
        for match in _ATTRIBUTE.finditer(written):
            name = match.group("name").lower()
            if name not in wanted:
                continue
            group = next(g for g in ("double", "single", "bare") if match.group(g) is not None)
            if match.start(group) >= match.end(group):
                continue
            if name == "srcset":
                value = AttributeSpan(match.group(group), base + match.start(group), base + match.end(group))
                self.urls.extend(HtmlUrl(tag, name, part.start, part.end) for part in srcset_urls(value))
            else:
                self.urls.append(HtmlUrl(tag, name, base + match.start(group), base + match.end(group)))


def scan_html(fragment: str) -> HtmlScan:
    """The URL attributes and prose text of an HTML fragment, with offsets into it."""
    scanner = _Scanner(fragment)
    # html.parser gives up on some malformed declarations ("<![junk"); what it found before
    # them stands.
    with contextlib.suppress(AssertionError):
        scanner.feed(fragment)
        scanner.close()
    return HtmlScan(scanner.urls, scanner.texts, scanner.open_tags)
