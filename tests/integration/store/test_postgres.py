"""The PostgreSQL store holds the same facts as the SQLite store, on a real server."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

import verifier
from tests.integration.check_run.conftest import Site
from tests.postgres import own_database
from verifier.model import Format, LinkResult, Outcome, Reference, ReferenceKind, Snapshot
from verifier.store.postgres import SCHEMA_VERSION, PostgresStore
from verifier.store.records import HistoryRow

NOW = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def database() -> Iterator[str]:
    with own_database() as url:
        yield url


def test_results_history_and_lookups_round_trip(database: str) -> None:
    with PostgresStore(database) as store:
        run = store.start_run(NOW)
        archive = Snapshot(
            "https://web.archive.org/web/2020/http://a.test/", "20200101000000", "http://a.test/"
        )
        result = LinkResult(
            "http://a.test/", Outcome.ARCHIVED, "404; archived", NOW, 404, None, ("http://a.test/x",), archive
        )
        history = HistoryRow(NOW, None, 1, Outcome.ARCHIVED, NOW, NOW)
        store.record_result(run, result, live_outcome=Outcome.DEAD, live_reason="404", history=history)
        store.finish_run(run, "complete", NOW)
        fresh = store.fresh_results(["http://a.test/", "http://b.test/"], {Outcome.ARCHIVED: 3600}, NOW)
        assert list(fresh) == ["http://a.test/"]
        stored = fresh["http://a.test/"]
        assert stored.live_outcome is Outcome.DEAD and stored.result.archive == archive
        assert stored.result.redirects == ("http://a.test/x",) and stored.result.from_cache
        assert stored.history == history
        later = NOW + dt.timedelta(hours=2)
        assert store.fresh_results(["http://a.test/"], {Outcome.ARCHIVED: 3600}, later) == {}
        assert store.histories(["http://a.test/"]) == {"http://a.test/": history}
        store.record_archive_lookup("http://a.test/", "2020-01-01", archive, NOW)
        found = store.archive_lookup("http://a.test/", "2020-01-01", NOW, found_ttl=60, none_ttl=60)
        assert found is not None and found.snapshot is not None and found.snapshot.url == archive.url
        assert store.archive_lookup("http://a.test/", "2020-01-01", later, found_ttl=60, none_ttl=60) is None
        assert store.runs() == [(run, "complete")]


def test_migrations_are_versioned_and_applied_once(database: str) -> None:
    PostgresStore(database).close()
    with PostgresStore(database) as store, store._connection() as db:
        assert db.execute("SELECT version FROM verifier_schema").fetchall() == [(SCHEMA_VERSION,)]
        db.execute("UPDATE verifier_schema SET version = %s", (SCHEMA_VERSION + 1,))
    with pytest.raises(verifier.StoreError, match="newer verifier"):
        PostgresStore(database)


def test_an_unreachable_server_is_a_store_error() -> None:
    with pytest.raises(verifier.StoreError, match=r"nobody:\*\*\*@127.0.0.1:9/none: cannot use"):
        PostgresStore("postgresql://nobody:secret@127.0.0.1:9/none", pool_size=1, timeout=1)


def test_the_check_command_and_a_warm_rerun_on_postgres(
    database: str, site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = site.set("/pg")
    document = tmp_path / "a.md"
    document.write_text(f"[pg]({url})\n", encoding="utf-8")
    monkeypatch.setenv("VERIFIER_STORE", database)
    settings = verifier.load_settings(
        {"archive": False, "network_canaries": "localhost", "soft404_probe": False}, cwd=tmp_path
    )
    assert settings.store_url == database
    first = verifier.check_paths([str(document)], settings)
    second = verifier.check_paths([str(document)], settings)
    assert first.results[url].outcome is Outcome.LIVE and second.reused == 1
    assert site.count("/pg") == 1
    assert not (tmp_path / ".verifier").exists()  # nothing went to the cache file


def test_the_extraction_cache_on_postgres(database: str) -> None:
    reference = Reference("http://a.test/", "http://a.test/", ReferenceKind.EXTERNAL, 1, 1, 0, 14)
    document = verifier.Document("a.md", Format.MARKDOWN, "utf-8", (reference,))
    with PostgresStore(database) as store:
        assert store.extractions is not None
        store.extractions.put("a.md", "k", document, [])
        store.flush()
        assert store.extractions.get("a.md", "k") == (document, [])
        assert store.extractions.get("a.md", "other") is None
    assert dataclasses.is_dataclass(document)
