"""Where the service keeps its files, all under one data folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = Path(".verifier/service")


@dataclass(frozen=True, slots=True)
class ServicePaths:
    root: Path

    @property
    def store(self) -> Path:
        """Results, history and the service's own tables: one SQLite file."""
        return self.root / "service.sqlite"

    @property
    def queue(self) -> Path:
        # Apart from the store: the queue's writes must never wait on a run's ("database is locked").
        return self.root / "queue.sqlite"

    @property
    def uploads(self) -> Path:
        return self.root / "uploads"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    def report(self, run_id: int) -> Path:
        return self.reports / f"run-{run_id}.json"

    def create(self) -> ServicePaths:
        for folder in (self.root, self.uploads, self.reports):
            folder.mkdir(parents=True, exist_ok=True)
        return self
