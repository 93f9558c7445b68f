"""When Python's cycle collector may run during a check.

A check builds tens of thousands of long-lived records (references, results, report rows) and
almost no reference cycles. Left alone, the collector walks all of those records again and
again as they pile up, which costs a warm run several percent of its time and finds nothing.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside: for straight-line phases that make records, not cycles."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def new_objects_only() -> Iterator[None]:
    """Collection goes on inside, over what is made inside: what lives on entry is set aside.

    An event loop does make cycles (tasks, futures, tracebacks), so they are still collected,
    without walking the documents and stored results that outlive the loop anyway. One full
    collection first, so the garbage left before (parse trees hold cycles) is not set aside
    with the living for the whole loop.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
