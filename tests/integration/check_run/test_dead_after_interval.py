"""A death needs time: failures count only --dead-after-interval apart, in the rule, the store and a run."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from tests.integration.check_run.conftest import Site
from verifier.check.history import count_failures
from verifier.check.plan import plan_urls
from verifier.check.runner import Runner
from verifier.config import Settings, load_settings
from verifier.model import Outcome
from verifier.store import SCHEMA_VERSION, HistoryRow, MemoryStore, ResultStore
from verifier.store.sqlite import SQLiteStore

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
HOURS_20 = 72_000.0


def at(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def test_a_failure_counts_only_an_interval_after_the_last_counted_one() -> None:
    first = count_failures(failed=True, now=at(0), interval=HOURS_20)
    assert (first.consecutive, first.counted_at, first.last_failure) == (1, at(0), at(0))
    soon = count_failures(
        failed=True, now=at(0.02), interval=HOURS_20, consecutive=1, counted_at=at(0), last_failure=at(0)
    )
    # Recorded, but neither counted nor resetting the count.
    assert (soon.consecutive, soon.counted_at, soon.last_failure) == (1, at(0), at(0.02))
    still = count_failures(
        failed=True, now=at(19.9), interval=HOURS_20, consecutive=1, counted_at=at(0), last_failure=at(0.02)
    )
    assert (still.consecutive, still.counted_at) == (1, at(0))
    # The interval runs from the last counted failure, not the last failure.
    later = count_failures(
        failed=True, now=at(20), interval=HOURS_20, consecutive=1, counted_at=at(0), last_failure=at(19.9)
    )
    assert (later.consecutive, later.counted_at, later.last_failure) == (2, at(20), at(20))


def test_a_success_resets_and_an_old_count_without_a_time_counts_on() -> None:
    ok = count_failures(
        failed=False, now=at(1), interval=HOURS_20, consecutive=3, counted_at=at(0), last_failure=at(0)
    )
    assert (ok.consecutive, ok.counted_at, ok.last_failure) == (0, None, at(0))
    legacy = count_failures(failed=True, now=at(1), interval=HOURS_20, consecutive=1)
    assert (legacy.consecutive, legacy.counted_at) == (2, at(1))
    anyway = count_failures(failed=True, now=at(0.01), interval=0, consecutive=1, counted_at=at(0))
    assert anyway.consecutive == 2


def test_the_setting_and_its_default(tmp_path: Path) -> None:
    assert Settings().dead_after_interval == HOURS_20
    (tmp_path / "verifier.toml").write_text("dead-after-interval = 3600\n", encoding="utf-8")
    assert load_settings(cwd=tmp_path).dead_after_interval == 3600.0
    assert load_settings({"dead_after_interval": "60"}, cwd=tmp_path).dead_after_interval == 60.0


class _Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


def _settings(**changes: object) -> Settings:
    base = Settings(
        archive=False,
        network_canaries=("localhost",),
        retries=0,
        retry_backoff=0.01,
        timeout=5,
        connect_timeout=2,
        soft404_probe=False,
        dead_after=2,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _run(settings: Settings, store: ResultStore, clock: _Clock, url: str) -> tuple[Outcome, str]:
    async def once() -> tuple[Outcome, str]:
        runner = Runner(settings, store, clock=clock)
        runner.prepare_plan(plan_urls([url], settings, clock()))
        await runner.check_pending()
        runner.finish(interrupted=False)
        result = runner.results[url]
        return result.outcome, result.reason

    return asyncio.run(once())


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_runs_a_minute_apart_see_one_outage_not_two(tmp_path: Path, site: Site, kind: str) -> None:
    flaky = site.set("/flaky", 500)
    store: ResultStore = MemoryStore() if kind == "memory" else SQLiteStore(tmp_path / "cache.sqlite")
    clock = _Clock()
    settings = _settings()
    outcome, reason = _run(settings, store, clock, flaky)
    assert outcome is Outcome.UNKNOWN
    assert "called dead after 2, each at least 20 h after the last" in reason
    clock.now += dt.timedelta(minutes=1)
    assert _run(settings, store, clock, flaky)[0] is Outcome.UNKNOWN  # the same outage
    history = store.histories([flaky])[flaky]
    assert history.consecutive_failures == 1
    assert history.counted_failure == T0 and history.last_failure == T0 + dt.timedelta(minutes=1)
    clock.now = T0 + dt.timedelta(hours=20)
    assert _run(settings, store, clock, flaky)[0] is Outcome.DEAD  # failed again a day later
    assert store.histories([flaky])[flaky].consecutive_failures == 2
    site.set("/flaky", 200)
    clock.now += dt.timedelta(days=2)
    assert _run(settings, store, clock, flaky)[0] is Outcome.LIVE
    history = store.histories([flaky])[flaky]
    assert (history.consecutive_failures, history.counted_failure) == (0, None)
    store.close()


def test_an_interval_of_zero_counts_every_failure(site: Site) -> None:
    flaky = site.set("/flaky", 500)
    store, clock = MemoryStore(), _Clock()
    settings = _settings(dead_after_interval=0.0)
    assert _run(settings, store, clock, flaky)[0] is Outcome.UNKNOWN
    clock.now += dt.timedelta(minutes=1)
    assert _run(settings, store, clock, flaky)[0] is Outcome.DEAD


def test_a_store_of_the_previous_version_gains_the_columns_and_keeps_its_history(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    db = sqlite3.connect(path)
    from verifier.store.sqlite import MIGRATIONS

    db.executescript(dict(MIGRATIONS)[2] + "PRAGMA user_version=2;")
    db.execute("INSERT INTO history VALUES ('http://a.example/', ?, NULL, 1, 'unknown')", (T0.timestamp(),))
    db.commit()
    db.close()
    with SQLiteStore(path) as store:
        old = store.histories(["http://a.example/"])["http://a.example/"]
        assert old == HistoryRow(T0, None, 1, Outcome.UNKNOWN, None, None)
        store.record_history("http://b.example/", HistoryRow(T0, None, 1, Outcome.UNKNOWN, at(2), at(1)))
        store.flush()
        assert store.histories(["http://b.example/"])["http://b.example/"].counted_failure == at(1)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
