"""One snapshot per citation: a URL cited with several access dates, through a real run and report."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import socket
from typing import Any

from tests.servers.wayback import FakeWayback
from verifier.check.runner import Runner
from verifier.config import Settings
from verifier.model import Citation, Document, Format, Outcome, Reference, ReferenceKind
from verifier.report.build import build_report
from verifier.report.validate import contract_errors
from verifier.store import MemoryStore


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cite(url: str, line: int, accessed: dt.date | None) -> Reference:
    citation = Citation(title="A page", accessed=accessed) if accessed else None
    return Reference(url, url, ReferenceKind.EXTERNAL, line, 1, 0, len(url), citation=citation)


def document(path: str, date: dt.date, *references: Reference) -> Document:
    return Document(path, Format.MARKDOWN, "utf-8", references, date=date)


def run(settings: Settings, store: MemoryStore, documents: list[Document]) -> Runner:
    async def go() -> Runner:
        runner = Runner(settings, store)
        runner.prepare(documents)
        await runner.check_pending()
        return runner

    return asyncio.run(go())


def test_each_occurrence_gets_the_snapshot_nearest_its_own_date() -> None:
    host = f"http://127.0.0.1:{closed_port()}"  # refuses: not live, so the archive is asked
    cited, undated = f"{host}/cited", f"{host}/undated"
    documents = [
        document("a.md", dt.date(2020, 1, 1), cite(cited, 1, dt.date(2016, 5, 1))),
        document(
            "b.md",
            dt.date(2014, 2, 1),
            cite(cited, 1, dt.date(2012, 3, 26)),
            cite(cited, 2, None),
            cite(undated, 3, None),
        ),
        document("c.md", dt.date(2018, 1, 1), cite(undated, 1, None)),
    ]
    with FakeWayback() as wayback:
        wayback.add(
            cited,
            ("20120320000000", 200, "text/html", "2012"),
            ("20160510000000", 200, "text/html", "2016"),
            ("20160502000000", 404, "text/html", "gone for a day"),
            ("20190101000000", 200, "text/html", "2019"),
        )
        wayback.add(
            undated, ("20140101000000", 200, "text/html", "a"), ("20180201000000", 200, "text/html", "b")
        )
        settings = dataclasses.replace(
            wayback.settings(archive_rate=60_000.0),
            network_canaries=("localhost",),
            soft404_probe=False,
            retries=0,
        )
        store = MemoryStore()
        runner = run(settings, store, documents)
        # Both URLs of the host, every date of each, from one CDX answer.
        assert wayback.count() == 1
        report = build_report(documents, runner.finish(interrupted=False, documents=documents))
        assert contract_errors(report) == []
        links = {link["url"]: link for link in report["links"]}
        # The link's own snapshot follows the earliest date a citation states, not the documents'.
        assert links[cited]["outcome"] != Outcome.LIVE.value
        assert links[cited]["archive"]["timestamp"] == "20120320000000"
        assert [place["archive"]["timestamp"] for place in links[cited]["occurrences"]] == [
            "20160510000000",  # its own date, 2016-05-01; the 404 nearer it never counts
            "20120320000000",
            "20120320000000",  # no date of its own: the link's
        ]
        # No citation states a date: each document's date stands in.
        assert links[undated]["archive"]["timestamp"] == "20140101000000"
        assert [place["archive"]["timestamp"] for place in links[undated]["occurrences"]] == [
            "20140101000000",
            "20180201000000",
        ]
        assert set(links[undated]["occurrences"][0]["archive"]) == {"url", "timestamp"}

        # A second run asks the archive nothing new and reports the same snapshots.
        again = run(settings, store, documents)
        assert wayback.count() == 1
        second = build_report(documents, again.finish(interrupted=False, documents=documents))

        def placed(made: dict[str, Any]) -> list[list[object]]:
            return [[place.get("archive") for place in link["occurrences"]] for link in made["links"]]

        assert placed(second) == placed(report)


def test_a_link_without_an_archive_writes_none_on_its_occurrences() -> None:
    host = f"http://127.0.0.1:{closed_port()}"
    url = f"{host}/never"
    documents = [
        document("a.md", dt.date(2020, 1, 1), cite(url, 1, dt.date(2012, 3, 26)), cite(url, 2, None))
    ]
    with FakeWayback() as wayback:
        settings = dataclasses.replace(
            wayback.settings(archive_rate=60_000.0),
            network_canaries=("localhost",),
            soft404_probe=False,
            retries=0,
        )
        runner = run(settings, MemoryStore(), documents)
        report = build_report(documents, runner.finish(interrupted=False, documents=documents))
    assert contract_errors(report) == []
    (link,) = report["links"]
    assert link["archive"] is None
    assert all("archive" not in place for place in link["occurrences"])
