"""Live checks spread over worker processes, each host wholly inside one of them.

One event loop saturates one core long before a thousand-link run saturates the network,
so big runs start ``workers`` child processes (``python -m verifier.check.live.shards``), each
with its own :class:`~verifier.check.live.probe.LiveChecker` and its share of the global cap.
Every host belongs to exactly one worker, so per-host concurrency, spacing, backoff and the
soft-404 probe cache stay exact. The parent keeps the store: verdicts stream back as they
arrive and the runner records each one at once.

Frames on the pipes are a 4-byte length and a pickle. Parent to worker: the Settings first,
then ``(id, url, title wanted)``; worker to parent: lists of ``(id, verdict, requests made so
far, of which title GETs)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import pickle
import signal
import struct
import sys
from collections.abc import Mapping
from typing import Any, BinaryIO

from verifier.check.live.hosts import host_name
from verifier.check.live.verdict import LiveVerdict
from verifier.check.loop import run as run_event_loop
from verifier.config import Settings

_LENGTH = struct.Struct("!I")
#: Most processes a run starts: beyond this the parent's own work is the bottleneck.
MAX_WORKERS = 4
#: Fewer links to check than this are checked in-process: starting a worker costs more.
MIN_LINKS_PER_RUN = 500


def worker_count(settings: Settings, links: int, cpus: int | None = None) -> int:
    """How many worker processes ``links`` live checks deserve (1: check in this process).

    ``workers = 0`` (the default) takes one per two CPUs: the parent's own work (the store,
    the reports) and the kernel's share of every request need cores too, and on two cores a
    second process was measured to cost a third more CPU for no shorter run.
    """
    cpus = (os.cpu_count() or 1) if cpus is None else cpus
    wanted = settings.workers if settings.workers > 0 else cpus // 2
    wanted = min(wanted, MAX_WORKERS, settings.max_concurrency)
    return wanted if wanted > 1 and links >= MIN_LINKS_PER_RUN else 1


def share_hosts(host_links: Mapping[str, int], workers: int) -> dict[str, int]:
    """Each host's worker: the busiest hosts first, each to the least loaded worker."""
    loads = [0] * workers
    owner: dict[str, int] = {}
    for key, count in sorted(host_links.items(), key=lambda item: (-item[1], item[0])):
        index = loads.index(min(loads))
        owner[key] = index
        loads[index] += count
    return owner


def _frame(payload: object) -> bytes:
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(data)) + data


async def _read_frame(reader: asyncio.StreamReader) -> Any:
    """The next frame's object; None at a clean end of the stream."""
    try:
        head = await reader.readexactly(_LENGTH.size)
    except asyncio.IncompleteReadError:
        return None
    (length,) = _LENGTH.unpack(head)
    return pickle.loads(await reader.readexactly(length))


class _Worker:
    """One child process and the checks waiting on it."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.waiting: dict[int, asyncio.Future[LiveVerdict]] = {}
        self.requests = 0
        self.title_requests = 0
        self.reader: asyncio.Task[None] | None = None

    async def read_verdicts(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        try:
            while (batch := await _read_frame(stdout)) is not None:
                for ident, verdict, requests, title_requests in batch:
                    self.requests = max(self.requests, requests)
                    self.title_requests = max(self.title_requests, title_requests)
                    future = self.waiting.pop(ident, None)
                    if future is not None and not future.done():
                        future.set_result(verdict)
        finally:
            gone = RuntimeError(f"the check worker stopped (exit code {self.process.returncode})")
            for future in self.waiting.values():
                if not future.done():
                    future.set_exception(gone)
            self.waiting.clear()


class ShardedChecker:
    """The :class:`LiveChecker` interface over worker processes; ``check`` is safe to run concurrently."""

    def __init__(self, settings: Settings, workers: int, host_links: Mapping[str, int]) -> None:
        self._settings = settings
        self._count = max(1, workers)
        # Hosts are shared out by name: one worker's pools must see every request to a name.
        by_name: dict[str, int] = {}
        for key, count in host_links.items():
            name = key.rsplit(":", 1)[0]
            by_name[name] = by_name.get(name, 0) + count
        self._owner = share_hosts(by_name, self._count)
        self._loads = [0] * self._count
        for name, index in self._owner.items():
            self._loads[index] += by_name[name]
        self._workers: list[_Worker] = []
        self._next_id = 0
        self._closed_requests = 0
        self._closed_title_requests = 0

    @property
    def requests_made(self) -> int:
        return self._closed_requests + sum(worker.requests for worker in self._workers)

    @property
    def title_requests(self) -> int:
        return self._closed_title_requests + sum(worker.title_requests for worker in self._workers)

    def _worker_settings(self, index: int) -> Settings:
        cap = self._settings.max_concurrency
        share = cap // self._count + (1 if index < cap % self._count else 0)
        return dataclasses.replace(self._settings, max_concurrency=max(1, share), workers=1)

    async def __aenter__(self) -> ShardedChecker:
        try:
            for index in range(self._count):
                process = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "verifier.check.live.shards",
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                )
                worker = _Worker(process)
                self._workers.append(worker)
                assert process.stdin is not None
                process.stdin.write(_frame(self._worker_settings(index)))
                worker.reader = asyncio.create_task(worker.read_verdicts())
        except BaseException:
            await self.__aexit__()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        for worker in self._workers:
            stdin = worker.process.stdin
            if stdin is not None and not stdin.is_closing():
                stdin.close()
        for worker in self._workers:
            if worker.waiting:
                # Checks still out means the run was stopped: nobody wants their answers.
                with contextlib.suppress(ProcessLookupError):
                    worker.process.kill()
            try:
                async with asyncio.timeout(5.0):
                    await worker.process.wait()
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    worker.process.kill()
                await worker.process.wait()
            if worker.reader is not None:
                await asyncio.gather(worker.reader, return_exceptions=True)
        self._closed_requests += sum(worker.requests for worker in self._workers)
        self._closed_title_requests += sum(worker.title_requests for worker in self._workers)
        self._workers = []

    def _worker_for(self, url: str) -> _Worker:
        name = host_name(url)
        index = self._owner.get(name)
        if index is None:
            # A host not planned for (a redirect's or an archive copy's): the least loaded takes it.
            index = self._owner[name] = self._loads.index(min(self._loads))
        self._loads[index] += 1
        return self._workers[index]

    async def check(self, url: str, *, title: bool = False) -> LiveVerdict:
        """The live verdict on ``url``, from the worker that owns its host."""
        if not self._workers:
            raise RuntimeError("ShardedChecker.check() needs 'async with ShardedChecker(...)'")
        worker = self._worker_for(url)
        stdin = worker.process.stdin
        if worker.reader is None or worker.reader.done() or stdin is None or stdin.is_closing():
            raise RuntimeError(f"the check worker stopped (exit code {worker.process.returncode})")
        ident = self._next_id
        self._next_id += 1
        future: asyncio.Future[LiveVerdict] = asyncio.get_running_loop().create_future()
        worker.waiting[ident] = future
        stdin.write(_frame((ident, url, title)))
        return await future


# The worker side --------------------------------------------------------------------------------


async def _serve(reader: asyncio.StreamReader, out: asyncio.StreamWriter) -> None:
    from verifier.check.live.probe import LiveChecker

    settings = await _read_frame(reader)
    if not isinstance(settings, Settings):
        return
    done: list[tuple[int, LiveVerdict, int, int]] = []
    loop = asyncio.get_running_loop()

    async with LiveChecker(settings) as checker:

        def send() -> None:
            # One frame for every verdict finished in this turn of the loop.
            if done:
                out.write(_frame(list(done)))
                done.clear()

        async def one(ident: int, url: str, title: bool) -> None:
            verdict = await checker.check(url, title=title)
            if not done:
                loop.call_soon(send)
            done.append((ident, verdict, checker.requests_made, checker.title_requests))

        async with asyncio.TaskGroup() as group:
            while (job := await _read_frame(reader)) is not None:
                group.create_task(one(*job))
        send()
        await out.drain()


async def _worker_main(channel: BinaryIO) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=2**24)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin.buffer)
    transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, channel)
    writer = asyncio.StreamWriter(transport, protocol, None, loop)
    try:
        await _serve(reader, writer)
    finally:
        writer.close()


def main() -> None:
    # Ctrl-C reaches the whole process group; the parent decides, and ends us by closing our input.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The frames get the pipe to themselves: anything printed goes to stderr instead.
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb", buffering=0)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    run_event_loop(_worker_main(channel))


if __name__ == "__main__":
    main()
