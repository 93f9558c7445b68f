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

_FORMS = [
    re.compile(r"(?P<year>\d{4})-(?P<num>\d{1,2})-(?P<day>\d{1,2})"),
    re.compile(r"(?P<year>\d{4})年\s*(?P<num>\d{1,2})月\s*(?P<day>\d{1,2})日"),
    re.compile(r"(?P<year>\d{4})/(?P<num>\d{1,2})/(?P<day>\d{1,2})"),
    re.compile(r"(?P<year>\d{4})\.(?P<num>\d{1,2})\.(?P<day>\d{1,2})"),
    re.compile(r"(?P<day>\d{1,2})\s+" + _MONTH + r",?\s+(?P<year>\d{4})", re.IGNORECASE),
    re.compile(_MONTH + r"\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})", re.IGNORECASE),
]

# Words that introduce an access date, in the languages the seeds and common citations use.
_ACCESS_CUE = re.compile(
    r"(?:retrieved(?:\s+on)?|accessed(?:\s+on)?|access[- ]date\s*[=:]|archived\s+from\s+the\s+original\s+on"
    r"|visited(?:\s+on)?|consulted(?:\s+on)?|检索于|檢索於|访问日期|訪問日期|访问于|引用日期|获取于)\s*[:：]?\s*",
    re.IGNORECASE,
)


def parse_date(text: str) -> dt.date | None:
    """The first date written in one of the common forms at the start of ``text``, or None."""
    text = text.strip()
    for form in _FORMS:
        match = form.match(text)
        if match is None:
            continue
        parts = match.groupdict()
        month = int(parts["num"]) if parts.get("num") else _MONTHS[parts["month"].lower().rstrip(".")]
        try:
            return dt.date(int(parts["year"]), month, int(parts["day"]))
        except ValueError:
            return None
    return None


def find_date(text: str) -> dt.date | None:
    """The first date anywhere in ``text``."""
    best: tuple[int, dt.date] | None = None
    for form in _FORMS:
        for match in form.finditer(text):
            found = parse_date(match.group(0))
            if found is not None and (best is None or match.start() < best[0]):
                best = (match.start(), found)
            break
    return best[1] if best else None


def find_access_date(text: str) -> dt.date | None:
    """The date after "Retrieved", "accessed", "access-date=", 检索于 or 访问日期 in ``text``."""
    for cue in _ACCESS_CUE.finditer(text):
        found = parse_date(text[cue.end() : cue.end() + 40])
        if found is not None:
            return found
    return None
