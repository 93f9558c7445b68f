"""The CDX API's vocabulary: the query for a URL's good captures and the rows it answers with.

Parameters and rows go through waybackpy's own names (``full_url`` repeats ``filter`` keys the
way the CDX server wants them; ``CDXSnapshot`` is one row); no waybackpy network call is made.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from waybackpy.cdx_snapshot import CDXSnapshot
from waybackpy.cdx_utils import full_url

from verifier.model import Snapshot

#: The fields asked for, in this order; a row of the text format lists them the same way.
FIELDS = ("timestamp", "original", "statuscode", "mimetype", "digest")
#: The server's own field order when no fl= is given.
CDX_DEFAULT_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
#: Rows asked for per query: enough to see the nearest captures on both sides of a date.
PAGE = 10
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


def cdx_query_url(
    endpoint: str, url: str, closest: str, *, limit: int = PAGE, until: str | None = None
) -> str:
    """The CDX request for ``url``'s good captures, nearest ``closest`` first.

    ``until`` (a timestamp) keeps only captures on or before it.
    """
    payload: dict[str, str] = {
        "url": url,
        "output": "json",
        "fl": ",".join(FIELDS),
        "sort": "closest",
        "closest": closest,
        "limit": str(limit),
        "gzip": "false",
    }
    if until is not None:
        payload["to"] = until
    for index, expression in enumerate(GOOD_FILTERS):
        payload[f"filter{index}"] = expression
    return str(full_url(endpoint, params=payload))


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


def _json_rows(data: object) -> Iterable[dict[str, str]]:
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


def _text_rows(text: str, fields: tuple[str, ...]) -> Iterable[dict[str, str]]:
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
    text = body.strip()
    if not text:
        return []
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
    return [row for row in (_row(values) for values in raw_rows) if row is not None]
