"""Which format a document is written in, judged by its content and never by its file name.

Each format collects evidence (weighted counts of constructs that only it uses) over the head
of the document; the strongest wins, and a document with too little evidence for any markup
is plain text. Wikipedia pages exported to Markdown and PDFs converted to text both arrive as
``.txt``, which is why the name cannot be trusted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from verifier.model import Format

#: How much of a document is looked at.
SNIFF_CHARS = 64 * 1024
#: Least evidence a markup format needs before it is preferred to plain text.
MIN_EVIDENCE = 4.0
#: A document this short holds too little for MIN_EVIDENCE: a paragraph and one list item
#: with a link. It needs less, provided one construct in it is unmistakably markup.
SHORT_DOCUMENT = 2000
MIN_SHORT_EVIDENCE = 2.0


@dataclass(frozen=True, slots=True)
class Signal:
    pattern: re.Pattern[str]
    weight: float
    cap: int = 1000  # counts beyond this add nothing, so one repeated construct cannot decide alone
    # The pattern starts with the line break before its line, and runs on the head with one
    # line break put in front: a pattern that starts with a character is searched for by
    # that character, many times faster than a "^" tried at every position.
    at_line_start: bool = False
    # The pattern's alternatives, when it is searched for as each of them: an alternation of
    # patterns with different first characters is tried at every position of the text, while
    # a pattern with one first character is found by a scan for that character.
    alternatives: tuple[re.Pattern[str], ...] = ()

    def count(self, text: str) -> int:
        """How many times the pattern is found in ``text``, up to the cap."""
        if self.alternatives:
            return _count_alternatives(self.alternatives, text, self.cap)
        count = 0
        for _ in self.pattern.finditer(text):
            count += 1
            if count >= self.cap:
                break
        return count


def _count_alternatives(alternatives: tuple[re.Pattern[str], ...], text: str, cap: int) -> int:
    """What ``finditer`` of the alternation of patterns that never match empty would count.

    It takes the leftmost match of any alternative, the first alternative listed of those
    matching there, and goes on from its end: so does this, with the next match of each
    alternative looked for again only once the one taken has passed its start.
    """
    found = [alternative.search(text) for alternative in alternatives]
    count = 0
    while count < cap:
        taken: re.Match[str] | None = None
        for match in found:
            if match is not None and (taken is None or match.start() < taken.start()):
                taken = match
        if taken is None:
            break
        count += 1
        end = taken.end()
        for number, match in enumerate(found):
            if match is not None and match.start() < end:
                found[number] = alternatives[number].search(text, end)
    return count


def _signal(pattern: str, weight: float, cap: int = 1000, flags: int = 0) -> Signal:
    if pattern.startswith("^") and flags & re.MULTILINE:
        # No pattern here ends just after a line break, so matches found after a line break
        # are the matches found at line starts, one for one.
        return Signal(re.compile("\n" + pattern[1:], flags), weight, cap, at_line_start=True)
    return Signal(re.compile(pattern, flags), weight, cap)


def _either(alternatives: tuple[str, ...], weight: float, cap: int = 1000) -> Signal:
    """The signal ``a|b|…``, searched for as each alternative (none may match an empty string)."""
    compiled = tuple(re.compile(alternative) for alternative in alternatives)
    return Signal(re.compile("|".join(alternatives)), weight, cap, alternatives=compiled)


_HTML_PROLOGUE = re.compile(r"\A(?:\s|<!--.*?-->|<\?xml[^>]*>)*<!doctype\s+html", re.IGNORECASE | re.DOTALL)
_HTML_ROOT = re.compile(r"<html[\s>]|<head[\s>]|<body[\s>]", re.IGNORECASE)

_SIGNALS: Mapping[Format, tuple[Signal, ...]] = {
    Format.HTML: (
        _signal(r"<html[\s>]|<head[\s>]|<body[\s>]|<meta\s|<title>", 6.0, cap=6, flags=re.IGNORECASE),
        _signal(
            r"</?(?:p|div|span|a|ul|ol|li|table|tr|td|th|h[1-6]|em|strong|section|article|nav|header"
            r"|footer|main|blockquote|cite|sup|script|style)(?:\s[^<>]*)?>",
            0.5,
            flags=re.IGNORECASE,
        ),
        _signal(r"<a\s[^<>]*href\s*=", 1.0, flags=re.IGNORECASE),
        _signal(r"&(?:nbsp|amp|lt|gt|quot|#\d+|#x[0-9a-f]+);", 0.2, flags=re.IGNORECASE),
    ),
    Format.WIKITEXT: (
        _signal(r"\{\{\s*(?:cite|citation|sfn|harvnb|reflist)\b", 5.0, flags=re.IGNORECASE),
        _signal(r"<ref(?:\s[^<>]*)?/?>|<references\s*/?>", 3.0, flags=re.IGNORECASE),
        _signal(r"\[\[[^\[\]\n]+\]\]", 1.0),
        _signal(r"^(={1,6})[^=\n].*?\1[ \t]*$", 2.0, flags=re.MULTILINE),
        _signal(r"'''[^'\n]+'''", 1.0),
        _signal(r"\{\{[^{}\n]*\}\}", 1.0),
        # The "[" comes first so that the search looks for it; the look-behind then checks
        # the character before it, as "(?<!\[)\[" would.
        _signal(r"\[(?<!\[\[)(?:https?:)?//[^\s\]]+ [^\]\n]+\]", 1.5),
        _signal(r"^\{\|", 2.0, flags=re.MULTILINE),
        _signal(r"^#REDIRECT\s*\[\[", 5.0, flags=re.MULTILINE | re.IGNORECASE),
        _signal(r"__(?:NO)?TOC__", 5.0),
    ),
    Format.MARKDOWN: (
        # Links and images alike ("![alt](src)"): the "!" before the "[" adds nothing to the count.
        _signal(r"\[[^\[\]\n]*\]\((?:<[^<>\n]*>|[^()\s]+(?:\([^()\s]*\))*)(?:\s+\"[^\"\n]*\")?\)", 2.0),
        _signal(r"^#{1,6}[ \t]+\S", 2.0, flags=re.MULTILINE),
        _signal(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*\S", 3.0, flags=re.MULTILINE),
        _signal(r"\[\^[^\]\s]+\]", 3.0),
        _signal(r"\\\[\d+\\\]", 2.0),
        _signal(r"^[ \t]{0,3}(?:```|~~~)", 3.0, flags=re.MULTILINE),
        _signal(r"^[ \t]*(?:[-*+]|\d+\.)[ \t]+.*\]\(", 1.0, flags=re.MULTILINE),
        _signal(r"<(?:https?|mailto):[^<>\s]+>", 1.0),
        _either((r"\*\*[^*\n]+\*\*", r"__[^_\n]+__"), 0.5),
        # Rules of dashes also separate footnotes in PDF text, so they barely count.
        _signal(r"^[ \t]{0,3}(?:-{3,}|={3,})[ \t]*$", 0.5, cap=2, flags=re.MULTILINE),
    ),
}


# Constructs that plain text and PDF text do not contain by accident: a Markdown link with a
# URL or path as its destination, and an HTML element with its end tag.
_UNMISTAKABLE: Mapping[Format, re.Pattern[str]] = {
    Format.MARKDOWN: re.compile(
        r"!?\[[^\[\]\n]+\]\((?:<[^<>\n]+>|[^()\s]*[:/.#][^()\s]*)(?:\s+\"[^\"\n]*\")?\)"
    ),
    Format.HTML: re.compile(
        r"<(?P<tag>a|p|div|span|ul|ol|li|table|h[1-6]|em|strong|blockquote|cite|sup|section|article)"
        r"(?:\s[^<>]*)?>[^<>]*(?:<[^<>]*>[^<>]*)*?</(?P=tag)\s*>",
        re.IGNORECASE,
    ),
}
# A carriage return not followed by a line feed ends a line in classic Mac OS files.
_LONE_CR = re.compile(r"\r(?!\n)")


def sniff_bytes(data: bytes) -> Format | None:
    """The format a file's bytes alone tell, before any decoding: a PDF starts with %PDF-."""
    return Format.PDF if data.startswith(b"%PDF-") else None


def format_evidence(text: str) -> dict[Format, float]:
    """The weighted evidence for each markup format in the head of ``text``."""
    head = text[:SNIFF_CHARS]
    lines = "\n" + head
    evidence: dict[Format, float] = {}
    for fmt, signals in _SIGNALS.items():
        total = 0.0
        for signal in signals:
            total += signal.count(lines if signal.at_line_start else head) * signal.weight
        evidence[fmt] = total
    return evidence


def sniff_format(text: str) -> Format:
    """The format ``text`` is written in: html, wikitext, markdown or (failing all) text."""
    head = text[:SNIFF_CHARS]
    if "\r" in head:
        # Line-anchored signals ("^# Title") must see the line breaks of classic Mac files too.
        head = _LONE_CR.sub("\n", head)
    if _HTML_PROLOGUE.match(head) or (head.lstrip()[:1] == "<" and _HTML_ROOT.search(head[:4096])):
        return Format.HTML
    evidence = format_evidence(head)
    best = max(evidence, key=lambda fmt: evidence[fmt])
    if evidence[best] < MIN_EVIDENCE and not _short_and_unmistakable(head, best, evidence[best]):
        return Format.TEXT
    if best is Format.HTML:
        # Markdown and wikitext both allow raw HTML (a README's tables, a wiki's <div>s), and
        # their extractors read it; an HTML parser would miss their own links. So HTML tags
        # without a root element only win when neither has real evidence of its own.
        others = [fmt for fmt in (Format.MARKDOWN, Format.WIKITEXT) if evidence[fmt] >= MIN_EVIDENCE]
        if others:
            return max(others, key=lambda fmt: evidence[fmt])
    return best


def _short_and_unmistakable(head: str, fmt: Format, evidence: float) -> bool:
    """Whether a short document's little evidence for ``fmt`` includes a construct only markup writes."""
    pattern = _UNMISTAKABLE.get(fmt)
    return (
        pattern is not None
        and len(head) < SHORT_DOCUMENT
        and evidence >= MIN_SHORT_EVIDENCE
        and pattern.search(head) is not None
    )
