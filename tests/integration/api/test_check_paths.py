"""The library API against real local servers: a run's typed record, stores, and the README example."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

import verifier
from tests.integration.check_run.conftest import Site
from verifier.check.runner import Runner
from verifier.model import ChangeKind, Format, Outcome, ReferenceKind, RunStatus
from verifier.store import MemoryStore

ROOT = Path(__file__).resolve().parents[3]


def _settings(tmp_path: Path, **changes: object) -> verifier.Settings:
    base = verifier.Settings(
        cache_path=tmp_path / "cache.sqlite",
        archive=False,
        network_canaries=("localhost",),
        retries=0,
        retry_backoff=0.01,
        timeout=5,
        connect_timeout=2,
        soft404_probe=False,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_check_paths_returns_a_typed_run(tmp_path: Path, site: Site) -> None:
    live, gone = site.set("/ok/a"), site.set("/gone/b", 404)
    document = tmp_path / "a.md"
    document.write_text(f"# A\n\n[live]({live}) and [gone]({gone}) and [again]({live})\n", encoding="utf-8")
    run = verifier.check_paths([str(document)], _settings(tmp_path))
    assert run.status is RunStatus.COMPLETE
    assert {url: result.outcome for url, result in run.results.items()} == {
        live: Outcome.LIVE,
        gone: Outcome.DEAD,
    }
    assert not run.network_down and not run.offline and not run.unchecked
    assert run.live_requests >= 2 and run.reused == 0
    assert run.started_at <= run.finished_at
    assert [document.path for document in run.documents] == [str(document)]
    report = verifier.build_report(run.documents, run)
    assert report["summary"]["live"] == 1 and report["summary"]["dead"] == 1
    assert report["run"]["status"] == "complete"
    assert verifier.decide_exit_code(report, [Outcome.DEAD]).code is verifier.ExitCode.FAILING


def test_changes_are_typed_records(tmp_path: Path, site: Site) -> None:
    url = site.set("/flip")
    document = tmp_path / "a.md"
    document.write_text(f"[x]({url})\n", encoding="utf-8")
    settings = _settings(tmp_path, use_cache=False)
    assert verifier.check_paths([str(document)], settings).changes == ()
    site.set("/flip", 404)
    run = verifier.check_paths([str(document)], settings)
    assert [(c.url, c.before, c.after, c.kind) for c in run.changes] == [
        (url, Outcome.LIVE, Outcome.DEAD, ChangeKind.DIED)
    ]


def test_offline_run_says_network_down(tmp_path: Path) -> None:
    document = tmp_path / "a.md"
    document.write_text("[x](http://nowhere.invalid/page)\n", encoding="utf-8")
    settings = _settings(tmp_path, network_canaries=("canary.invalid",))
    run = verifier.check_paths([str(document)], settings)
    assert run.network_down
    assert run.offline == {"http://nowhere.invalid/page"}
    assert run.results["http://nowhere.invalid/page"].outcome is Outcome.UNKNOWN
    report = verifier.build_report(run.documents, run)
    assert report["links"][0]["offline"] is True
    assert (
        verifier.decide_exit_code(report, [Outcome.DEAD, Outcome.UNKNOWN]).code
        is verifier.ExitCode.INCONCLUSIVE
    )


def test_nothing_to_read_raises(tmp_path: Path) -> None:
    with pytest.raises(verifier.NoDocumentsError):
        verifier.check_paths([str(tmp_path / "missing.md")], _settings(tmp_path))


def test_extract_paths_needs_no_network(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("[x](https://example.org/a)\n", encoding="utf-8")
    (tmp_path / "b.bin").write_bytes(b"\x00\x01\x02" * 100)
    documents, problems = verifier.extract_paths([str(tmp_path)])
    assert [reference.url for document in documents for reference in document.references] == [
        "https://example.org/a"
    ]
    assert [problem.path for problem in problems] == [str(tmp_path / "b.bin")]


class _Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def test_the_runner_on_an_in_memory_store_with_a_fake_clock(tmp_path: Path, site: Site) -> None:
    """TTLs and "dead after N failures" follow the store's clock, not the wall clock."""
    flaky = site.set("/flaky", 500)
    reference = verifier.Reference(
        url=flaky, raw=flaky, kind=ReferenceKind.EXTERNAL, line=1, column=1, start=0, end=len(flaky)
    )
    documents = [
        verifier.Document(path="a.md", format=Format.MARKDOWN, encoding="utf-8", references=(reference,))
    ]
    store = MemoryStore()
    clock = _Clock()
    settings = _settings(tmp_path, dead_after=2, dead_after_interval=0)

    async def once() -> verifier.CheckRun:
        runner = Runner(settings, store, clock=clock)
        runner.prepare(documents)
        await runner.check_pending()
        return runner.finish(interrupted=False, documents=documents)

    first = asyncio.run(once())
    assert first.results[flaky].outcome is Outcome.UNKNOWN  # one 500 may pass
    clock.now += dt.timedelta(minutes=1)
    second = asyncio.run(once())  # an unknown is never reused
    assert second.results[flaky].outcome is Outcome.DEAD  # failed two runs in a row
    checked = site.count("/flaky")  # HEAD, then GET after a 5xx, each run
    clock.now += dt.timedelta(hours=1)
    third = asyncio.run(once())
    assert third.reused == 1 and third.results[flaky].outcome is Outcome.DEAD  # within the TTL
    assert site.count("/flaky") == checked
    clock.now += dt.timedelta(days=2)
    assert asyncio.run(once()).reused == 0  # the TTL has passed on the store's clock
    assert site.count("/flaky") > checked
    assert [run[2] for run in store.runs.values()] == ["complete"] * 4


def test_check_urls_checks_a_given_batch(tmp_path: Path, site: Site) -> None:
    live = site.set("/batch/a")
    store = MemoryStore()
    run = asyncio.run(verifier.check_urls([live, "mailto:x@example.org"], _settings(tmp_path), store))
    assert run.results[live].outcome is Outcome.LIVE
    assert run.results["mailto:x@example.org"].outcome is Outcome.SKIPPED
    assert store.histories([live])[live].last_outcome is Outcome.LIVE


def test_check_documents_is_the_async_twin(tmp_path: Path, site: Site) -> None:
    url = site.set("/twin")
    (tmp_path / "a.md").write_text(f"[x]({url})\n", encoding="utf-8")
    documents, _ = verifier.extract_paths([str(tmp_path / "a.md")])
    run = asyncio.run(verifier.check_documents(documents, _settings(tmp_path), store=MemoryStore()))
    assert run.results[url].outcome is Outcome.LIVE


def _readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Use it from Python", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, re.S)
    assert found is not None, "README's 'Use it from Python' has a python block"
    return found.group(1)


def test_the_readme_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    # No network here: every seed link must come back unknown, flagged offline, never dead.
    (tmp_path / "verifier.toml").write_text(
        'network-canaries = ["canary.invalid"]\narchive = false\ntimeout = 3\nconnect-timeout = 1\n',
        encoding="utf-8",
    )
    namespace: dict[str, object] = {}
    exec(compile(_readme_example(), "README.md", "exec"), namespace)
    run = namespace["run"]
    assert isinstance(run, verifier.CheckRun)
    assert run.network_down
    assert all(result.outcome in ("unknown", "skipped") for result in run.results.values())
    assert namespace["code"] is verifier.ExitCode.INCONCLUSIVE
