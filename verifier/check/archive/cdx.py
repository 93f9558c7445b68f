"""The CDX API's vocabulary: the queries for good captures and the rows they answer with.

One URL's captures nearest a moment (``sort=closest``), or every good capture of one URL, of
URLs under one path (``matchType=prefix``) or on one host (``matchType=host``) in the server's
own order (by SURT ``urlkey``, then time) up to a row limit. Rows of a shared answer are
matched to the URLs asked about by their SURT key (:func:`surt`).

Parameters and rows go through waybackpy's own names (``full_url`` repeats ``filter`` keys the
way the CDX server wants them; ``CDXSnapshot`` is one row); no waybackpy network call is made.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from waybackpy.cdx_snapshot import CDXSnapshot
from waybackpy.cdx_utils import full_url

from verifier.model import Snapshot

#: The fields asked for, in this order; a row of the text format lists them the same way.
FIELDS = ("timestamp", "original", "statuscode", "mimetype", "digest")
#: The fields of a listing, whose rows may belong to several URLs.
LIST_FIELDS = ("urlkey", "timestamp", "original", "statuscode", "mimetype")
#: The server's own field order when no fl= is given.
CDX_DEFAULT_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
#: Rows asked for per query: enough to see the nearest captures on both sides of a date.
PAGE = 10
#: Rows asked for in a listing; an answer that fills it was cut. Some 200 bytes a row.
LIST_ROWS = 2000
#: The server-side filters. A row is checked again locally all the same (see is_good).
GOOD_FILTERS = ("statuscode:200", "!mimetype:warc/revisit")
REVISIT = "warc/revisit"

_TIMESTAMP = re.compile(r"^\d{14}$")
_BLOCKED_MARKERS = ("AdministrativeAccessControlException", "Blocked Site Error")


class CDXReplyError(ValueError):
    """The CDX server answered 200 with a body that is neither its JSON nor its text format."""


def wayback_timestamp(moment: dt.datetime) -> str:
    """The 14-digit ``yyyyMMddhhmmss`` form of a moment, in UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y%m%d%H%M%S")


def end_of_day(day: dt.date) -> dt.datetime:
    """The last second of ``day`` in UTC: every capture made that day is on or before it."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=dt.UTC)


def midday(day: dt.date) -> dt.datetime:
    """Noon of ``day`` in UTC: the server's distance in seconds from it orders captures by
    whole days from the date as the choice counts them."""
    return dt.datetime.combine(day, dt.time(12, 0, 0), tzinfo=dt.UTC)


def cdx_query_url(endpoint: str, url: str, closest: str, *, limit: int = PAGE) -> str:
    """The CDX request for ``url``'s good captures, nearest ``closest`` first."""
    payload: dict[str, str] = {
        "url": url,
        "output": "json",
        "fl": ",".join(FIELDS),
        "sort": "closest",
        "closest": closest,
        "limit": str(limit),
        "gzip": "false",
    }
    return _with_filters(endpoint, payload)


def cdx_listing_url(endpoint: str, url: str, *, match_type: str = "exact", limit: int = LIST_ROWS) -> str:
    """The CDX request for every good capture under ``url`` (``match_type`` exact, prefix or
    host), in the server's order, at most ``limit`` rows."""
    payload: dict[str, str] = {
        "url": url,
        "matchType": match_type,
        "output": "json",
        "fl": ",".join(LIST_FIELDS),
        "limit": str(limit),
        "gzip": "false",
    }
    return _with_filters(endpoint, payload)


def _with_filters(endpoint: str, payload: dict[str, str]) -> str:
    for index, expression in enumerate(GOOD_FILTERS):
        payload[f"filter{index}"] = expression
    return str(full_url(endpoint, params=payload))


def surt_host(url: str) -> str:
    """The host part of a URL as the archive keys it: lowercased, no ``www.``, no default port."""
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    host = re.sub(r"^www\d*\.", "", (parts.hostname or "").lower().rstrip("."))
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port is not None and port not in (80, 443) else host


def surt(url: str) -> str:
    """The archive's SURT key of a URL, canonicalized as the Internet Archive's index does.

    ``http://www.Example.com/A/b/?y=2&x=1`` is ``com,example)/a/b?x=1&y=2``: no scheme, no
    ``www.``, no default port, host reversed, everything lowercased, no trailing slash on the
    path, query arguments in order, no fragment.
    """
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    name, _, port = surt_host(url).partition(":")
    host = ",".join(reversed(name.split(".")))
    path = parts.path.lower() or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = "&".join(sorted(argument for argument in parts.query.lower().split("&") if argument))
    return f"{host}{':' + port if port else ''}){path}{'?' + query if query else ''}"


def is_blocked_reply(body: str) -> bool:
    """Whether a CDX error body says the site is excluded from the archive (robots or request)."""
    return any(marker in body for marker in _BLOCKED_MARKERS)


@dataclass(frozen=True, slots=True)
class CDXRow:
    """One CDX row, kept as waybackpy models it, with the check that makes it usable."""

    record: CDXSnapshot

    @property
    def timestamp(self) -> str:
        return str(self.record.timestamp)

    @property
    def urlkey(self) -> str:
        return str(self.record.urlkey)

    @property
    def original(self) -> str:
        return str(self.record.original)

    @property
    def status(self) -> int | None:
        text = str(self.record.statuscode)
        return int(text) if text.isdigit() else None

    @property
    def mimetype(self) -> str:
        return str(self.record.mimetype)

    @property
    def captured_at(self) -> dt.datetime:
        moment: dt.datetime = self.record.datetime_timestamp
        return moment.replace(tzinfo=dt.UTC)

    def is_good(self) -> bool:
        """Only a capture of a 200 answer counts: never an archived 404, redirect or revisit record."""
        return self.status == 200 and self.mimetype.lower() != REVISIT

    def snapshot(self, snapshot_host: str) -> Snapshot:
        return Snapshot(
            url=snapshot_url(snapshot_host, self.timestamp, self.original),
            timestamp=self.timestamp,
            original=self.original,
            status=self.status,
            mimetype=self.mimetype or None,
        )


def snapshot_url(snapshot_host: str, timestamp: str, original: str, flags: str = "") -> str:
    return f"{snapshot_host.rstrip('/')}/web/{timestamp}{flags}/{original}"


def _row(values: dict[str, str]) -> CDXRow | None:
    timestamp = values.get("timestamp", "")
    if not _TIMESTAMP.match(timestamp) or not values.get("original"):
        return None
    properties = {
        "urlkey": values.get("urlkey", ""),
        "timestamp": timestamp,
        "original": values["original"],
        "mimetype": values.get("mimetype", ""),
        "statuscode": values.get("statuscode", ""),
        "digest": values.get("digest", ""),
        "length": values.get("length", ""),
    }
    try:
        return CDXRow(CDXSnapshot(properties))
    except ValueError:  # a 14-digit timestamp that is no date (month 13)
        return None


def _json_rows(data: object) -> Iterator[dict[str, str]]:
    if not isinstance(data, list):
        raise CDXReplyError("the CDX JSON reply is not a list")
    if not data:
        return
    header = data[0]
    if not isinstance(header, list) or not all(isinstance(name, str) for name in header):
        raise CDXReplyError("the CDX JSON reply has no header row")
    for item in data[1:]:
        # An empty row and a resume key after it end the captures proper.
        if not isinstance(item, list) or len(item) != len(header):
            break
        yield {name: str(value) for name, value in zip(header, item, strict=True)}


def _text_rows(text: str, fields: tuple[str, ...]) -> Iterator[dict[str, str]]:
    for line in text.splitlines():
        values = line.split()
        if not values:
            break
        if len(values) == len(fields):
            row = dict(zip(fields, values, strict=True))
        elif len(values) == len(CDX_DEFAULT_FIELDS):  # the server ignored fl= and sent its own
            row = dict(zip(CDX_DEFAULT_FIELDS, values, strict=True))
        else:
            row = {}
        # An error message in plain text must not pass for "no captures".
        if not row.get("timestamp", "").isdigit():
            raise CDXReplyError(f"the CDX reply has a line that is not a CDX row: {line[:80]!r}")
        yield row


def parse_cdx(body: str, fields: tuple[str, ...] = FIELDS) -> list[CDXRow]:
    """The rows of a CDX reply in JSON (``output=json``) or the plain text format.

    Rows that cannot be read (no valid timestamp, no original) are left out.
    """
    return parse_cdx_page(body, fields)[0]


def parse_cdx_page(body: str, fields: tuple[str, ...] = FIELDS) -> tuple[list[CDXRow], int]:
    """:func:`parse_cdx`, and how many rows the server sent, read or not: whether an answer
    reached its limit depends on what was sent."""
    text = body.strip()
    if not text:
        return [], 0
    if text.startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise CDXReplyError(f"the CDX reply is not valid JSON: {error}") from None
        raw_rows: Iterable[dict[str, str]] = _json_rows(data)
    else:
        if text.startswith(("<", "{")):
            raise CDXReplyError("the CDX reply is neither JSON nor CDX text")
        raw_rows = _text_rows(text, fields)
    values = list(raw_rows)
    return [row for row in map(_row, values) if row is not None], len(values)
