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


def _compact(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


def dump_bytes(report: Mapping[str, Any]) -> bytes:
    """The report as UTF-8 JSON: each top-level key on its own line, each list item on its own line.

    One line per link keeps the file readable and diffable; orjson encodes a report of
    thousands of links in milliseconds, where the standard library takes a tenth of a second.
    """
    parts = []
    for key, value in report.items():
        if isinstance(value, list) and value:
            items = b",\n    ".join(_compact(item) for item in value)
            parts.append(b"  " + _compact(key) + b": [\n    " + items + b"\n  ]")
        else:
            parts.append(b"  " + _compact(key) + b": " + _compact(value))
    return b"{\n" + b",\n".join(parts) + b"\n}\n"


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
            stream.write(dump_bytes(report))
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
