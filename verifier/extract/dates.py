"""Dates as citations write them: access dates and publication dates."""

from __future__ import annotations

import datetime as dt
import re

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"

# Digits on either side would make a date of part of a longer number ("12012-03-265"). A text
# can only be in the forms its first character allows: those that start with a digit, or the
# one that starts with the month's name.
_DIGIT_FIRST_FORMS = [
    re.compile(r"(?<!\d)(?P<year>\d{4})-(?P<num>\d{1,2})-(?P<day>\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<year>\d{4})年\s*(?P<num>\d{1,2})月\s*(?P<day>\d{1,2})日"),
    re.compile(r"(?<!\d)(?P<year>\d{4})/(?P<num>\d{1,2})/(?P<day>\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<year>\d{4})\.(?P<num>\d{1,2})\.(?P<day>\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<day>\d{1,2})\s+" + _MONTH + r",?\s+(?P<year>\d{4})(?!\d)", re.IGNORECASE),
]
_NAME_FIRST_FORMS = [
    re.compile(r"(?<![A-Za-z])" + _MONTH + r"\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})(?!\d)", re.IGNORECASE),
]
_FORMS = [*_DIGIT_FIRST_FORMS, *_NAME_FIRST_FORMS]
# Cheap test that a text may hold a date at all, so most citations skip the six searches.
_DATE_HINT = re.compile(r"\d{4}\s*[-年/.]\s*\d|\d\s+[A-Za-z]{3}|[A-Za-z]{3}\.?\s+\d")

# Words that introduce an access date, in the languages the seeds and common citations use.
_ACCESS_CUE = re.compile(
    r"(?:retrieved(?:\s+on)?|accessed(?:\s+on)?|access[- ]date\s*[=:]|archived\s+from\s+the\s+original\s+on"
    r"|visited(?:\s+on)?|consulted(?:\s+on)?|检索于|檢索於|访问日期|訪問日期|访问于|引用日期|获取于)\s*[:：]?\s*",
    re.IGNORECASE,
)
# Written in lowercase, as the lowercased text it is searched in.
_ACCESS_CUE_LOWERCASE = re.compile(_ACCESS_CUE.pattern)
assert _ACCESS_CUE.pattern == _ACCESS_CUE.pattern.lower()


def parse_date(text: str) -> dt.date | None:
    """The first date written in one of the common forms at the start of ``text``, or None."""
    text = text.strip()
    for form in _DIGIT_FIRST_FORMS if text[:1].isdecimal() else _NAME_FIRST_FORMS:
        match = form.match(text)
        if match is None:
            continue
        parts = match.groupdict()
        if parts.get("num"):
            month = int(parts["num"])
        else:
            # The forms match month names ignoring case, which lets "ſep" (long s) or a Kelvin
            # sign stand for their letters; casefold maps them back, and anything else it
            # cannot name is no date rather than a failed extraction.
            found = _MONTHS.get(parts["month"].casefold().rstrip("."))
            if found is None:
                continue
            month = found
        try:
            return dt.date(int(parts["year"]), month, int(parts["day"]))
        except ValueError:
            return None
    return None


def _first_date(text: str, skip: set[int] | frozenset[int] = frozenset()) -> dt.date | None:
    """The earliest valid date in ``text`` in any form, ignoring matches that start in ``skip``."""
    if _DATE_HINT.search(text) is None:
        return None
    best: tuple[int, dt.date] | None = None
    for form in _FORMS:
        for match in form.finditer(text):
            if best is not None and match.start() >= best[0]:
                break
            if match.start() in skip:
                continue
            found = parse_date(match.group(0))
            if found is not None:
                best = (match.start(), found)
                break
    return best[1] if best else None


def find_date(text: str) -> dt.date | None:
    """The first date anywhere in ``text``."""
    return _first_date(text)


# GB/T 7714 puts the access date in brackets after the medium and the publication date:
# "[EB/OL]. (2010-04-14)[2012-03-26]. http://...".
_BRACKETED_ACCESS = re.compile(
    r"\[(?:EB|OL|DB|CP|M|J|N|C|R|Z)(?:/(?:OL|CD|MT|DK))?\]\s*[.．]?\s*(?:[(（][^()（）\n]{4,20}[)）])?\s*"
    r"\[(?P<date>\d{4}-\d{1,2}-\d{1,2})\]"
)


def find_access_date(text: str) -> dt.date | None:
    """The date after "Retrieved", "accessed", "access-date=", 检索于 or 访问日期 in ``text``.

    Also the bracketed access date of Chinese (GB/T 7714) citations: "[EB/OL]. (2010-04-14)[2012-03-26]".
    """
    if _DATE_HINT.search(text) is None:
        return None
    # In ASCII text, the cue's lowercase words found in the text lowercased are those found in
    # the text ignoring case, at the same places, and many times faster.
    cues = _ACCESS_CUE_LOWERCASE.finditer(text.lower()) if text.isascii() else _ACCESS_CUE.finditer(text)
    for cue in cues:
        found = parse_date(text[cue.end() : cue.end() + 40])
        if found is not None:
            return found
    for match in _BRACKETED_ACCESS.finditer(text):
        found = parse_date(match.group("date"))
        if found is not None:
            return found
    return None


def find_publication_date(text: str) -> dt.date | None:
    """The first date in ``text`` that no access cue ("Retrieved", 检索于...) introduces."""
    if _DATE_HINT.search(text) is None:
        return None
    cue_ends = {cue.end() for cue in _ACCESS_CUE.finditer(text)}
    cue_ends.update(match.start("date") for match in _BRACKETED_ACCESS.finditer(text))
    return _first_date(text, cue_ends)


# A document's own date, as a header line states it: "Published: 3 March 2012", "发布日期：2012年3月26日".
_PUBLICATION_CUE = re.compile(
    r"^[ \t\u3000]*(?:published(?:\s+on)?|publication\s+date|date\s+of\s+publication|date"
    r"|发布日期|发表日期|出版日期|发布时间|发表时间|發佈日期|發表日期|出版日期)\s*[:：]?[ \t\u3000]*",
    re.IGNORECASE | re.MULTILINE,
)
#: How far into a document a publication date is looked for; later dates belong to its content.
PUBLICATION_DATE_HEAD = 4000


def find_document_date(text: str) -> dt.date | None:
    """The date a document says it was published on, in a header line near its start, or None."""
    head = text[:PUBLICATION_DATE_HEAD]
    for cue in _PUBLICATION_CUE.finditer(head):
        line_end = head.find("\n", cue.end())
        found = parse_date(head[cue.end() : line_end if line_end != -1 else len(head)])
        if found is not None:
            return found
    return None
