"""Reading the availability API's JSON and Save Page Now's answer: pure functions, no I/O."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from verifier.check.archive.cdx import snapshot_url
from verifier.model import Snapshot

_WEB_PATH = re.compile(r"/web/(?P<ts>\d{14})(?:[a-z]{2}_)?/(?P<original>\S+)$")
_MEMENTO_LINK = re.compile(
    r"<(?P<target>[^>]*/web/\d{14}[^>]*)>\s*;[^,]*rel=\"?[^\",]*memento", re.IGNORECASE
)


class AvailabilityReplyError(ValueError):
    """The availability API answered with something that is not its JSON."""


@dataclass(frozen=True, slots=True)
class Availability:
    """What the availability API said: nothing archived, a good capture, or only a bad one."""

    snapshot: Snapshot | None
    bad_status: int | None = None  # the status of the closest capture when it was not 200


def web_location(text: str) -> tuple[str, str] | None:
    """``(timestamp, original)`` of a ``.../web/<ts>[flags]/<original>`` address or path, or None.

    The first ``/web/<ts>/`` wins, so an original URL that itself holds one stays whole.
    """
    match = _WEB_PATH.search(text)
    if match is None:
        return None
    # The archive accepts "http:/example.com" with one slash; restore the second.
    original = re.sub(r"^(https?):/(?!/)", r"\1://", match.group("original"), flags=re.IGNORECASE)
    return match.group("ts"), original


def parse_availability(body: str, asked_url: str, snapshot_host: str) -> Availability:
    """The closest capture named in an availability reply, accepted only if it was a 200."""
    try:
        data = json.loads(body)
    except json.JSONDecodeError as error:
        raise AvailabilityReplyError(f"the availability reply is not JSON: {error}") from None
    if not isinstance(data, dict):
        raise AvailabilityReplyError("the availability reply is not a JSON object")
    archived = data.get("archived_snapshots")
    closest = archived.get("closest") if isinstance(archived, dict) else None
    if not isinstance(closest, dict) or closest.get("available") is False:
        return Availability(None)
    timestamp = str(closest.get("timestamp", ""))
    status_text = str(closest.get("status", ""))
    status = int(status_text) if status_text.isdigit() else None
    if not re.fullmatch(r"\d{14}", timestamp):
        raise AvailabilityReplyError("the availability reply names a capture without a timestamp")
    if status != 200:
        return Availability(None, bad_status=status)
    location = web_location(str(closest.get("url", "")))
    original = location[1] if location is not None else asked_url
    return Availability(
        Snapshot(
            url=snapshot_url(snapshot_host, timestamp, original),
            timestamp=timestamp,
            original=original,
            status=200,
        )
    )


def saved_capture(headers: Mapping[str, str], final_url: str) -> tuple[str, str] | None:
    """``(timestamp, original)`` of the capture Save Page Now names, or None.

    It names it in one of these, depending on its mood: a Content-Location header, a Link
    header with a memento relation, a redirect's Location, or the address it ended on.
    """
    candidates = [headers.get("content-location", ""), headers.get("location", "")]
    link = headers.get("link", "")
    candidates[1:1] = [match.group("target") for match in _MEMENTO_LINK.finditer(link)]
    candidates.append(final_url)
    for candidate in candidates:
        location = web_location(candidate.strip()) if candidate else None
        if location is not None:
            return location
    return None
