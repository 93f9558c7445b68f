"""An interrupt while documents are read takes the same path as one while links are checked."""

from __future__ import annotations

from pathlib import Path

import pytest

import verifier
from verifier.api import check_paths
from verifier.model import Outcome, RunStatus
from verifier.store import MemoryStore


def test_an_interrupt_while_reading_keeps_what_was_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "a.md", tmp_path / "b.md"
    first.write_text("[a](https://example.org/a)\n", encoding="utf-8")
    second.write_text("[b](https://example.org/b)\n", encoding="utf-8")

    import verifier.extract.cache as cache

    real = cache.plan_input
    calls = []

    def interrupted_at_the_second(*args: object, **kwargs: object) -> object:
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt  # Ctrl-C while the second file is read
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cache, "plan_input", interrupted_at_the_second)
    store = MemoryStore()
    settings = verifier.Settings(cache_path=tmp_path / "c.sqlite", archive=False)
    run = check_paths([str(first), str(second)], settings, store=store)
    assert run.status is RunStatus.INTERRUPTED
    assert [document.path for document in run.documents] == [str(first)]
    assert run.unchecked == {"https://example.org/a"}
    assert run.results["https://example.org/a"].outcome is Outcome.UNKNOWN
    # The same record as an interrupt while checking: the store's run says so too.
    assert [status for _, _, status in store.runs.values()] == ["interrupted"]
    report = verifier.build_report(run.documents, run)
    assert report["run"]["status"] == "interrupted" and report["links"][0]["checked"] is False
    assert verifier.decide_exit_code(report, [Outcome.DEAD]).code is verifier.ExitCode.INTERRUPTED
