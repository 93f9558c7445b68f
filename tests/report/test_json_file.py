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
