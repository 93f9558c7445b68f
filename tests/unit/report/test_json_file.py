"""link-health.json as `verifier check` and `verifier report` write it."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from verifier.report.json import write_json_report
from verifier.report.render import render_json

REPORT = {
    "schema_version": 1,
    "summary": {"live": 1},
    "links": [{"url": "http://例え.jp/", "outcome": "live"}],
}


def test_written_report_is_readable_by_others(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        path = write_json_report(REPORT, tmp_path)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert json.loads(path.read_text(encoding="utf-8")) == REPORT


def test_both_writers_lay_the_report_out_alike(tmp_path: Path) -> None:
    path = write_json_report(REPORT, tmp_path)
    assert render_json(REPORT) == path.read_text(encoding="utf-8")


LAYOUT_CASES = {
    "objects with one first key": [{"url": "a", "n": 1}, {"url": "b", "n": 2}, {"url": "c", "n": 3}],
    "the break sequence inside strings": [
        {"url": 'x},{"url":y', "text": '},{"url":'},
        {"url": "}, {", "text": '\\},{\\"url\\":'},
    ],
    "an item holding objects with the same first key": [
        {"url": "a", "inner": [{"url": "b"}, {"url": "c"}]},
        {"url": "d", "inner": []},
    ],
    "objects with different first keys": [{"url": "a"}, {"path": "b"}, {"url": "c"}],
    "plain values": [1, "two", None, [3, 4], {"five": 5}],
    "an empty object first": [{}, {"url": "a"}],
    "a key that needs escaping": [{'say "hi"': 1}, {'say "hi"': 2}],
}


def test_every_list_item_gets_a_line_of_its_own(tmp_path: Path) -> None:
    for name, items in LAYOUT_CASES.items():
        report = {"schema_version": 1, "links": items, "problems": []}
        text = write_json_report(report, tmp_path).read_text(encoding="utf-8")
        assert json.loads(text) == report, name
        lines = text.splitlines()
        start = lines.index('  "links": [')
        item_lines = lines[start + 1 : start + 1 + len(items)]
        assert [json.loads(line.strip().removesuffix(",")) for line in item_lines] == items, name
        assert lines[start + 1 + len(items)] == "  ],", name
