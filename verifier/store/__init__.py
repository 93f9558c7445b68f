"""Where check runs keep what they learn: the :class:`ResultStore` interface and its stores.

``SQLiteStore`` is the command line's file (``--cache-path``), ``MemoryStore`` keeps nothing
on disk. ``open_store`` opens the store a run's settings name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from verifier._exceptions import StoreError
from verifier.store.base import ExtractionCache, ResultStore, SharedWork
from verifier.store.memory import MemoryStore
from verifier.store.records import ArchiveLookup, HistoryRow, StoredResult, WorkItem
from verifier.store.sqlite import SCHEMA_VERSION, SQLiteStore

if TYPE_CHECKING:
    from verifier.store.postgres import PostgresStore

#: The name the command line's store had before there was more than one.
Store = SQLiteStore


def open_store(url: str, *, connections: int = 4) -> SQLiteStore | PostgresStore:
    """The store a ``--store`` URL names: ``postgresql://…``, or ``sqlite:///path`` / a path.

    ``connections`` bounds a server store's pool (a process whose threads share it wants more).
    """
    if url.startswith(("postgresql://", "postgres://")):
        from verifier.store.postgres import PostgresStore

        return PostgresStore(url, pool_size=connections)
    from pathlib import Path

    path = url.removeprefix("sqlite://") if url.startswith("sqlite://") else url
    return SQLiteStore(Path(path))


__all__ = [
    "SCHEMA_VERSION",
    "ArchiveLookup",
    "ExtractionCache",
    "HistoryRow",
    "MemoryStore",
    "ResultStore",
    "SQLiteStore",
    "SharedWork",
    "Store",
    "StoreError",
    "StoredResult",
    "WorkItem",
    "open_store",
]
