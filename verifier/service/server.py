"""Running the service: the web app, the queue's consumer and the scheduler in one process.

The consumer keeps the main thread (huey stops it gracefully on SIGINT and SIGTERM, handing
back what it was doing); the web app serves from a thread beside it.
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path

from verifier.config import Settings
from verifier.service.db import ServiceDB
from verifier.service.netguard import guarded
from verifier.service.notify import NotifySettings
from verifier.service.paths import ServicePaths
from verifier.service.queue import Queue, make_queue, resume_interrupted
from verifier.service.retention import prune_runs
from verifier.service.runs import ServiceContext
from verifier.service.tokens import Role, create_token

_log = logging.getLogger("verifier.service")


def open_context(
    data_dir: Path,
    settings: Settings,
    source_root: Path | None,
    *,
    notify: NotifySettings | None = None,
    keep_runs: float | None = None,
) -> ServiceContext:
    """The service's context; its every connection is under the address guard (:mod:`.netguard`)."""
    paths = ServicePaths(data_dir).create()
    return ServiceContext(
        paths=paths,
        db=ServiceDB(paths.store),
        settings=guarded(settings),
        source_root=source_root,
        notify=notify,
        keep_runs=keep_runs,
    )


def first_admin(context: ServiceContext) -> str | None:
    """With no admin token yet, one is made and returned (to be shown once)."""
    if context.db.has_admin():
        return None
    return create_token(context.db, "admin", Role.ADMIN, actor="serve")


def _consume(queue: Queue, *, periodic: bool, workers: int) -> None:
    # An idle consumer polls at most a second apart: a run asked of a quiet service starts at once.
    consumer = queue.huey.create_consumer(
        workers=workers, periodic=periodic, worker_type="thread", max_delay=1.0
    )
    consumer.run()


def serve(context: ServiceContext, *, host: str, port: int, worker: bool = True, workers: int = 2) -> None:
    import uvicorn

    from verifier.service.app import create_app

    queue = make_queue(context)
    token = first_admin(context)
    if token is not None:
        print(f"verifier: created an admin token (shown once, keep it): {token}", file=sys.stderr)
    if context.keep_runs is not None:
        pruned = prune_runs(context, context.keep_runs)
        if pruned:
            print(f"verifier: removed {len(pruned)} run(s) older than --keep-runs", file=sys.stderr)
    resumed = resume_interrupted(context, queue)
    if resumed:
        print(f"verifier: resuming run(s) {', '.join(map(str, resumed))}", file=sys.stderr)
    app = create_app(context, queue)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    if not worker:
        server.run()
        return
    web = threading.Thread(target=server.run, name="verifier-web", daemon=True)
    web.start()
    print(f"verifier: serving on http://{host}:{port}", file=sys.stderr)
    try:
        _consume(queue, periodic=True, workers=workers)
    finally:
        server.should_exit = True
        web.join(timeout=10)


def work(context: ServiceContext, *, workers: int = 2) -> None:
    """Extra consumers for the same queue: no scheduler (``serve`` runs the only one)."""
    queue = make_queue(context)
    _consume(queue, periodic=False, workers=workers)
