"""One queue task: check one host's due URLs of one run, under a lease on the host.

Any worker on any machine may run it, any number of times: it takes the host's lease (so one
worker at a time asks the host anything), checks the items not yet done with the library API,
and marks each done in the same store transaction as its result. A worker that dies leaves
its items undone and its lease to expire; the run's coordinator sends the task again.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import socket
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from verifier.config import Settings
from verifier.model import LinkResult
from verifier.store.base import ResultStore, SharedWork

_log = logging.getLogger("verifier.service")

#: How long a lease holds without renewal: a killed worker's host is free again after this.
LEASE_SECONDS = 60.0


def release_dead_leases(store: SharedWork) -> list[str]:
    """Let go of the leases that processes of this machine held when they died (kill -9, a
    crash), so that a restarted service goes on at once instead of waiting for them to expire.
    Returns the hosts released."""
    machine = socket.gethostname()
    released = []
    for host, owner in store.lease_owners(time.time()).items():
        where, _, rest = owner.partition(":")
        pid = rest.partition(":")[0]
        if where != machine or not pid.isdigit() or _alive(int(pid)):
            continue
        store.release_host(host, owner)
        released.append(host)
    return released


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def lease_owner() -> str:
    """Who holds a lease: this machine, process and thread (a thread runs one batch at a time)."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


@dataclass(slots=True)
class _MarkDone:
    """The runner's progress, used to mark each item done as its result is recorded."""

    shared: SharedWork
    job: str
    checked: int = 0

    def started(self, total: int) -> None:
        return None

    def advanced(self, result: LinkResult) -> None:
        self.shared.work_done(self.job, result.url)
        self.checked += 1

    def phase(self, name: str) -> None:
        return None

    def waiting(self, on: str, remaining: int, eta_s: float | None) -> None:
        return None


class CheckStore(ResultStore, SharedWork, Protocol):
    """What a batch needs of the store: results and the shared work (every store has both)."""


@contextlib.asynccontextmanager
async def _renewed(shared: SharedWork, host: str, owner: str, seconds: float) -> AsyncIterator[None]:
    """Keep the lease while the batch runs: renewed at a third of its length."""

    async def renew() -> None:
        while True:
            await asyncio.sleep(seconds / 3)
            now = time.time()
            if not shared.take_host(host, owner, now + seconds, now):
                # Taken over after a stall longer than the lease: the other worker goes on.
                _log.warning("lost the lease on %s", host)

    task = asyncio.create_task(renew())
    try:
        yield
    finally:
        task.cancel()


async def check_batch(
    store: CheckStore, job: str, host: str, settings: Settings, *, lease_seconds: float = LEASE_SECONDS
) -> int | None:
    """Check the job's undone items for ``host``; how many were checked, or None when another
    worker holds the host (its batch covers these items, or it will be sent again)."""
    from verifier.api import check_urls
    from verifier.service.work import decode_target

    owner = lease_owner()
    now = time.time()
    if not store.take_host(host, owner, now + lease_seconds, now):
        return None
    try:
        items = store.pending_work(job, host)
        if not items:
            return 0
        marks = _MarkDone(store, job)
        # One process per worker: sharding is for the command line, and the queue spreads work.
        settings = dataclasses.replace(settings, workers=1)
        async with _renewed(store, host, owner, lease_seconds):
            await check_urls([decode_target(item.target) for item in items], settings, store, progress=marks)
        return marks.checked
    finally:
        # Results and their done marks are written before the host is let go, even when the
        # batch is cancelled: another worker taking the host must see what is done.
        store.flush()
        store.release_host(host, owner)
