"""A report built lazily: rows made as they are read, written in chunks, byte for byte the same."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import orjson
import pytest

from verifier.model import (
    CheckRun,
    Citation,
    Document,
    Format,
    History,
    LinkResult,
    Outcome,
    Reference,
    ReferenceKind,
    RunStatus,
    Snapshot,
)
from verifier.report import build
from verifier.report import json as json_report
from verifier.report.build import Occurrences, ReferenceRows, build_report
from verifier.report.render import render_formats

NOW = dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _lazy_from_the_first_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "LAZY_REFERENCES", 0)


def _snapshot(day: str) -> Snapshot:
    return Snapshot(
        f"https://web.archive.org/web/{day}000000/http://b.test/", f"{day}000000", "http://b.test/"
    )


def _run() -> CheckRun:
    def reference(n: int, url: str, accessed: dt.date | None = None) -> Reference:
        citation = Citation(title=f"Title {n}", accessed=accessed) if accessed or n % 7 == 0 else None
        return Reference(
            url, url, ReferenceKind.EXTERNAL, n + 1, 3, n * 40, n * 40 + 20, f"text {n}", None, citation
        )

    first = Document(
        "docs/a.md",
        Format.MARKDOWN,
        "utf-8",
        (
            *(
                reference(
                    n,
                    "http://a.test/" if n % 3 else "http://b.test/",
                    dt.date(2019, 1, 1) if n == 9 else None,
                )
                for n in range(50)
            ),
            Reference("", "Smith 2001", ReferenceKind.CITATION, 99, 1, 4000, 4010),
        ),
        date=dt.date(2018, 6, 1),
        digest="aa" * 32,
    )
    second = Document(
        "docs/b.md",
        Format.MARKDOWN,
        "utf-8",
        (*(reference(n, f"http://c.test/{n % 4}") for n in range(12)), reference(60, "http://b.test/")),
        digest="bb" * 32,
    )
    history = History(NOW, NOW, 0, Outcome.LIVE)
    results = {
        "http://a.test/": LinkResult("http://a.test/", Outcome.LIVE, "200 OK", NOW, 200, history=history),
        "http://b.test/": LinkResult(
            "http://b.test/",
            Outcome.ARCHIVED,
            "404, archived",
            NOW,
            404,
            archive=_snapshot("20200101"),
            dated_archives=((dt.date(2019, 1, 1), _snapshot("20190102")), (dt.date(2018, 6, 1), None)),
        ),
        **{
            f"http://c.test/{n}": LinkResult(f"http://c.test/{n}", Outcome.DEAD, "404", NOW, 404)
            for n in range(4)
        },
    }
    return CheckRun(results, (), RunStatus.COMPLETE, NOW, NOW, documents=(first, second))


@pytest.mark.parametrize("chunk", [1, 3, 7, 4096])
def test_a_lazy_report_is_written_byte_for_byte_as_the_built_one(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = _run()
    built = build_report(run.documents, run)
    monkeypatch.setattr(json_report, "CHUNK_ROWS", chunk)
    lazy = build_report(run.documents, run, lazy=True)
    assert isinstance(lazy["documents"][0]["references"], ReferenceRows)
    assert isinstance(lazy["links"][0]["occurrences"], Occurrences)
    text = json_report.dump_bytes(lazy)
    assert text == json_report.dump_bytes(built)
    assert orjson.loads(text) == built


def test_each_occurrence_gets_the_snapshot_of_its_own_date() -> None:
    run = _run()
    (link,) = [
        link
        for link in build_report(run.documents, run, lazy=True)["links"]
        if link["url"] == "http://b.test/"
    ]
    archives = {(place["path"], place["line"]): place["archive"] for place in link["occurrences"]}
    # A citation of the link states a date, so every place goes by its citation's date.
    assert archives[("docs/a.md", 10)] == {"url": _snapshot("20190102").url, "timestamp": "20190102000000"}
    assert archives[("docs/a.md", 1)]["timestamp"] == "20200101000000"


def test_lazy_rows_read_as_a_sequence() -> None:
    run = _run()
    report = build_report(run.documents, run, lazy=True)
    references = report["documents"][0]["references"]
    places = report["links"][0]["occurrences"]
    for rows in (references, places):
        whole = list(rows)
        assert len(rows) == len(whole) > 3
        assert rows[0] == whole[0] and rows[-1] == whole[-1]
        assert rows[1:3] == whole[1:3]
        assert list(rows) == whole  # read twice, built twice, the same
        with pytest.raises(IndexError):
            rows[len(whole)]
    assert repr(references).startswith("ReferenceRows(") and repr(places).startswith("Occurrences(")


def test_the_writer_writes_a_chunk_of_rows_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    references = tuple(
        Reference(f"http://a.test/{n}", f"http://a.test/{n}", ReferenceKind.EXTERNAL, n, 1, n, n + 9, "t")
        for n in range(2000)
    )
    document = Document("big.md", Format.MARKDOWN, "utf-8", references)
    results = {ref.url: LinkResult(ref.url, Outcome.LIVE, "200", NOW, 200) for ref in references}
    run = CheckRun(results, (), RunStatus.COMPLETE, NOW, NOW, documents=(document,))
    monkeypatch.setattr(json_report, "CHUNK_ROWS", 50)
    pieces = list(json_report._chunks(build_report(run.documents, run, lazy=True)))
    whole = b"".join(pieces)
    assert len(whole) > 400_000
    # 50 rows of either kind are a few kilobytes; the whole is hundreds.
    assert max(len(piece) for piece in pieces) < 20_000


def test_other_formats_render_a_lazy_report_as_a_built_one(tmp_path: Path) -> None:
    run = _run()
    formats = ["html", "md", "junit", "sarif", "csv"]
    built = render_formats(build_report(run.documents, run), formats, tmp_path / "built")
    lazy = render_formats(build_report(run.documents, run, lazy=True), formats, tmp_path / "lazy")
    for one, other in zip(built, lazy, strict=True):
        assert one.read_bytes() == other.read_bytes(), one.name


def test_a_small_report_is_built_as_lists_even_when_asked_to_be_lazy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "LAZY_REFERENCES", 1000)
    run = _run()
    report = build_report(run.documents, run, lazy=True)
    assert isinstance(report["documents"][0]["references"], list)
    assert isinstance(report["links"][0]["occurrences"], list)
