"""A run's due URLs as work items: the target codec, what planning finds due, dead leases."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time

from verifier.check.plan import Plan, Target
from verifier.config import Settings
from verifier.model import LinkResult, Outcome, WaybackLocation
from verifier.service.batch import release_dead_leases
from verifier.service.work import batch_host, decode_target, encode_target, job_name, plan_work
from verifier.store.memory import MemoryStore

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def test_a_target_survives_the_queue() -> None:
    target = Target(
        "https://example.org/a",
        dt.date(2020, 1, 2),
        WaybackLocation("https://example.org/a", "20200102030405", "id_"),
        alternatives=("https://example.org/a-b",),
        titles=("A page",),
        dates=(dt.date(2020, 1, 2), dt.date(2021, 3, 4)),
    )
    assert decode_target(encode_target(target)) == target
    plain = Target("https://example.org/b", None)
    assert decode_target(encode_target(plain)) == plain


def test_a_host_batch_is_named_by_host_name_whatever_the_scheme_or_port() -> None:
    assert batch_host("https://Example.org:8443/x") == batch_host("http://example.org/y")
    assert job_name(7) != job_name(70)


def _result(url: str, outcome: Outcome) -> LinkResult:
    return LinkResult(url, outcome, "as found", NOW - dt.timedelta(hours=1))


def test_only_urls_without_a_fresh_result_are_due_and_priors_are_kept() -> None:
    store = MemoryStore()
    run = store.start_run(NOW - dt.timedelta(hours=1))
    store.record_result(
        run,
        _result("https://a.example/fresh", Outcome.LIVE),
        live_outcome=Outcome.LIVE,
        live_reason="ok",
        history=None,
    )
    store.flush()
    work = Plan(
        targets={url: Target(url, None) for url in ("https://a.example/fresh", "https://b.example/new")},
        skipped={"mailto:x@example.org": _result("mailto:x@example.org", Outcome.SKIPPED)},
    )
    planned = plan_work(store, store, "job", work, Settings(), NOW, force=False)
    assert (planned.total, planned.due) == (3, 1)
    assert store.work_hosts("job") == {"b.example": 1}
    assert [item.url for item in store.pending_work("job", "b.example")] == ["https://b.example/new"]
    forced = plan_work(store, store, "forced", work, Settings(), NOW, force=True)
    assert forced.due == 2
    # Planning twice (a resumed run) adds nothing.
    assert plan_work(store, store, "job", work, Settings(), NOW, force=False).due == 1
    assert store.work_progress("job") == (0, 1)


def test_leases_of_dead_processes_on_this_machine_are_released() -> None:
    store = MemoryStore()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    machine = socket.gethostname()
    now = time.time()
    assert store.take_host("gone.example", f"{machine}:{dead.pid}:1", now + 60, now)
    assert store.take_host("mine.example", f"{machine}:{os.getpid()}:1", now + 60, now)
    assert store.take_host("elsewhere.example", f"other-machine:{dead.pid}:1", now + 60, now)
    assert release_dead_leases(store) == ["gone.example"]
    assert store.lease_owners(time.time()).keys() == {"mine.example", "elsewhere.example"}
