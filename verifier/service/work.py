"""A run's due URLs as work items in the store, one batch per host.

The store is the truth of what is due: planning a run writes every URL whose stored result is
no longer fresh (or every URL, when forced) as a work item keyed by the run's job name, and
the queue only carries "check this host's items of this job". A task lost with a worker or a
restarted queue is simply sent again; its items say what is left.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import orjson

from verifier.check.live.hosts import host_name
from verifier.check.plan import Plan, Target
from verifier.config import Settings
from verifier.model import Outcome, WaybackLocation
from verifier.store.base import ResultStore, SharedWork
from verifier.store.records import WorkItem


def job_name(run_id: int) -> str:
    """The store's name for a service run's work (apart from the command line's run ids)."""
    return f"service-run-{run_id}"


def encode_target(target: Target) -> bytes:
    wayback = target.wayback
    return orjson.dumps(
        {
            "url": target.url,
            "when": target.when.isoformat() if target.when else None,
            "wayback": [wayback.original, wayback.timestamp, wayback.flags] if wayback else None,
            "alternatives": list(target.alternatives),
            "titles": list(target.titles),
            "dates": [day.isoformat() for day in target.dates],
        }
    )


def decode_target(payload: bytes) -> Target:
    data: dict[str, Any] = orjson.loads(payload)
    wayback = data["wayback"]
    return Target(
        url=data["url"],
        when=dt.date.fromisoformat(data["when"]) if data["when"] else None,
        wayback=WaybackLocation(*wayback) if wayback else None,
        alternatives=tuple(data["alternatives"]),
        titles=tuple(data["titles"]),
        dates=tuple(dt.date.fromisoformat(day) for day in data["dates"]),
    )


def batch_host(url: str) -> str:
    """The host whose lease covers ``url``: its host name, whatever the scheme or port, as
    the per-host limits count it."""
    return host_name(url)


@dataclass(frozen=True, slots=True)
class PlannedWork:
    """What planning found: how many links the run reports on, and each URL's outcome before
    this run (None: first seen), which tells the report what is new."""

    total: int
    due: int
    priors: dict[str, str | None]


def plan_work(
    store: ResultStore,
    shared: SharedWork,
    job: str,
    work: Plan,
    settings: Settings,
    now: dt.datetime,
    *,
    force: bool,
) -> PlannedWork:
    """Write the plan's due URLs as the job's work items; URLs fresh in the store are not due."""
    urls = list(work.targets)
    fresh = set() if force or not settings.use_cache else set(store.fresh_results(urls, settings.ttl, now))
    histories = store.histories(urls)
    priors: dict[str, str | None] = {}
    for url in urls:
        history = histories.get(url)
        outcome: Outcome | None = history.last_outcome if history is not None else None
        priors[url] = outcome.value if outcome is not None else None
    items = [
        WorkItem(url, batch_host(url), encode_target(target))
        for url, target in work.targets.items()
        if url not in fresh
    ]
    shared.add_work(job, items)
    return PlannedWork(total=len(work.targets) + len(work.skipped), due=len(items), priors=priors)
