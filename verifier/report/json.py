"""``link-health.json``: the report model written to disk, whole or not at all."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import orjson

REPORT_NAME = "link-health.json"

T = TypeVar("T")
#: Encoded text: bytes from orjson, str where json stood in for it.
Text = TypeVar("Text", bytes, str, bytes | str)


_ITEM_BREAK = b",\n    "

#: About how many rows one orjson call encodes: a few megabytes of text at a time, enough to
#: keep the per-call cost negligible, little enough that a report of a huge document is never
#: held whole, as text or as dictionaries.
CHUNK_ROWS = 4096


def _as_list(value: object) -> list[Any]:
    """orjson's fallback for the report's lazily built rows (any other sequence too)."""
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _encode(value: object) -> bytes:
    return orjson.dumps(value, default=_as_list)


def _lazy_rows(item: object) -> int:
    """How many rows ``item`` holds in lists that are built as they are read."""
    if not isinstance(item, dict):
        return 0
    return sum(len(value) for value in item.values() if type(value) not in _PLAIN and _is_lazy(value))


#: The types a report's values almost always have: told apart at once, without asking
#: the abstract Sequence (slow, and asked for every value of every link).
_PLAIN = frozenset({str, int, float, bool, type(None), list, dict, tuple})


def _is_lazy(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes | list | tuple)


def _split_items(items: list[Any]) -> bytes:
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
            text = _encode(items)[1:-1]
            start = b"{" + orjson.dumps(key) + b":"
            between = b"}," + start
            if text.count(between) == len(items) - 1:
                return text.replace(between, b"}" + _ITEM_BREAK + start)
    return _ITEM_BREAK.join([_encode(item) for item in items])


def _streamed_item(item: dict[str, Any]) -> Iterator[bytes]:
    """One object whose lazily built lists are too long for one call, written in pieces, each
    such list :data:`CHUNK_ROWS` rows at a time."""
    keys = [key for key, value in item.items() if _is_lazy(value) and len(value) > CHUNK_ROWS]
    texts = encoded_around(item, keys, _encode)
    yield texts[0]
    for key, text in zip(keys, texts[1:], strict=True):
        yield from _rows(item[key])
        yield text


def encoded_around(
    item: Mapping[str, Any], keys: Sequence[str], encode: Callable[[dict[str, Any]], Text]
) -> list[Text]:
    """``item`` as ``encode`` writes it, cut where the values of ``keys`` stand (in the
    item's order): the text before the first, between each two, and after the last.

    Each such value is encoded in place of itself as a random marker, so that a value too big
    to encode whole can be written in pieces between the cuts.
    """
    token = os.urandom(16).hex()
    markers = {key: f"{token}-{place}" for place, key in enumerate(keys)}
    text = encode({key: markers.get(key, value) for key, value in item.items()})
    texts: list[Text] = []
    for key in keys:
        before, text = _cut(text, f'"{markers[key]}"')
        texts.append(before)
    texts.append(text)
    return texts


def _cut(text: Text, marker: str) -> tuple[Text, Text]:
    if isinstance(text, bytes):
        binary = text.split(marker.encode(), 1)
        return binary[0], binary[1]
    pieces = text.split(marker, 1)
    return pieces[0], pieces[1]


def _rows(rows: Sequence[Any]) -> Iterator[bytes]:
    """``rows`` as one compact JSON array, a chunk at a time."""
    yield b"["
    for index, chunk in enumerate(row_chunks(rows)):
        yield (b"," if index else b"") + _encode(chunk)[1:-1]
    yield b"]"


def row_chunks(rows: Iterable[T]) -> Iterator[list[T]]:
    """``rows`` in lists of :data:`CHUNK_ROWS` (the last may be shorter), made as they are read."""
    chunk: list[T] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _items(items: Sequence[Any]) -> Iterator[bytes]:
    """A non-empty list's items, one a line, encoded in groups of about :data:`CHUNK_ROWS`
    rows (an item counts one, and one more for each row of its lazily built lists)."""
    group: list[Any] = []
    weight = 0
    separator = b""
    for item in items:
        rows = 1 + _lazy_rows(item)
        if group and weight + rows > CHUNK_ROWS:
            yield separator + _split_items(group)
            separator = _ITEM_BREAK
            group, weight = [], 0
        if rows > CHUNK_ROWS:
            yield separator
            yield from _streamed_item(item)
            separator = _ITEM_BREAK
            continue
        group.append(item)
        weight += rows
    if group:
        yield separator + _split_items(group)


def _chunks(report: Mapping[str, Any]) -> Iterator[bytes]:
    """The report as pieces of UTF-8 JSON: each top-level key and each list item on its own line.

    One line per link keeps the file readable and diffable. The pieces are written as they
    are made, never joined: a report of thousands of links is megabytes, and every copy costs.
    """
    yield b"{\n"
    separator = b"  "
    for key, value in report.items():
        yield separator + orjson.dumps(key)
        separator = b",\n  "
        if isinstance(value, Sequence) and not isinstance(value, str | bytes) and len(value):
            yield b": [\n    "
            yield from _items(value)
            yield b"\n  ]"
        else:
            yield b": " + _encode(value)
    yield b"\n}\n"


def dump_bytes(report: Mapping[str, Any]) -> bytes:
    """The report as UTF-8 JSON, laid out as ``link-health.json`` is."""
    return b"".join(_chunks(report))


def dumps(report: Mapping[str, Any]) -> str:
    """:func:`dump_bytes` as text."""
    return dump_bytes(report).decode("utf-8")


def write_json_report(report: Mapping[str, Any], output_dir: Path) -> Path:
    """Write ``output_dir/link-health.json`` atomically and return its path."""
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / REPORT_NAME
    write_report_file(report, path)
    return path


def write_report_file(report: Mapping[str, Any], path: Path) -> None:
    """Write ``report`` to ``path`` as ``link-health.json`` is laid out, atomically.

    The text goes to a temporary file beside the target and is renamed over it, so a reader
    (or a run killed half-way through writing) never sees a truncated report.
    """
    temporary = path.with_name(f".{path.name}.{os.urandom(6).hex()}.tmp")
    # Created as any new file of this user is (the umask decides), since a report is an
    # artifact for others; O_EXCL, as mkstemp does, so nothing already there is written
    # through. Not tempfile itself: importing it (and shutil, bz2, lzma, random with it)
    # cost every run's start more than writing a small report.
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        # No fsync: the rename already keeps readers and killed runs from a torn file, and
        # the results themselves are safe in the store, so a report lost with the power is
        # rebuilt by a warm re-run in well under a second.
        with os.fdopen(handle, "wb") as stream:
            stream.writelines(_chunks(report))
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def read_json_report(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a link-health report (the top level is not an object)")
    return data
