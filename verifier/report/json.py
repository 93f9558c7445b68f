"""``link-health.json``: the report model written to disk, whole or not at all."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

REPORT_NAME = "link-health.json"


_ITEM_BREAK = b",\n    "


def _items(items: list[Any]) -> bytes:
    """A non-empty list's items as JSON, joined by :data:`_ITEM_BREAK` so each has its own line.

    One orjson call over the whole list is several times faster than a call per item. When
    every item is an object whose first key is ``k``, the compact text is split where ``},{"k":``
    stands: a quote inside a string is always escaped, so that sequence only stands between
    objects. If it stands more often than between items (an item holds a list of objects that
    also start with ``k``), each item is encoded on its own instead.
    """
    first = items[0]
    if isinstance(first, dict) and first:
        key = next(iter(first))
        if all(isinstance(item, dict) and next(iter(item), None) == key for item in items):
            text = orjson.dumps(items)[1:-1]
            start = b"{" + orjson.dumps(key) + b":"
            between = b"}," + start
            if text.count(between) == len(items) - 1:
                return text.replace(between, b"}" + _ITEM_BREAK + start)
    return _ITEM_BREAK.join([orjson.dumps(item) for item in items])


def _chunks(report: Mapping[str, Any]) -> list[bytes]:
    """The report as pieces of UTF-8 JSON: each top-level key and each list item on its own line.

    One line per link keeps the file readable and diffable. The pieces are written as they
    are, never joined: a report of thousands of links is megabytes, and every copy costs.
    """
    encode = orjson.dumps
    pieces = [b"{\n"]
    separator = b"  "
    for key, value in report.items():
        pieces += (separator, encode(key))
        separator = b",\n  "
        if isinstance(value, list) and value:
            pieces += (b": [\n    ", _items(value), b"\n  ]")
        else:
            pieces += (b": ", encode(value))
    pieces.append(b"\n}\n")
    return pieces


def dump_bytes(report: Mapping[str, Any]) -> bytes:
    """The report as UTF-8 JSON, laid out as ``link-health.json`` is."""
    return b"".join(_chunks(report))


def dumps(report: Mapping[str, Any]) -> str:
    """:func:`dump_bytes` as text."""
    return dump_bytes(report).decode("utf-8")


def write_json_report(report: Mapping[str, Any], output_dir: Path) -> Path:
    """Write ``output_dir/link-health.json`` atomically and return its path.

    The text goes to a temporary file beside the target and is renamed over it, so a reader
    (or a run killed half-way through writing) never sees a truncated report.
    """
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / REPORT_NAME
    handle, temporary = tempfile.mkstemp(prefix=f".{REPORT_NAME}.", suffix=".tmp", dir=output_dir)
    try:
        # mkstemp makes the file private; a report is an artifact for others, so it gets the
        # permissions any new file of this user would.
        os.fchmod(handle, 0o666 & ~_umask())
        # No fsync: the rename already keeps readers and killed runs from a torn file, and
        # the results themselves are safe in the store, so a report lost with the power is
        # rebuilt by a warm re-run in well under a second.
        with os.fdopen(handle, "wb") as stream:
            stream.writelines(_chunks(report))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def read_json_report(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a link-health report (the top level is not an object)")
    return data
