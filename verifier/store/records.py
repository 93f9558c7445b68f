"""What the store hands the runner: a URL's history, a stored result, a cached archive answer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from verifier.model import History, LinkResult, Outcome, Snapshot


# Not frozen: a warm run builds one per stored URL, and a frozen dataclass takes several
# times longer to build. Nothing changes them once built.
@dataclass(slots=True)
class HistoryRow:
    """What the store remembers about one URL across runs."""

    first_seen: dt.datetime
    last_live: dt.datetime | None
    consecutive_failures: int
    last_outcome: Outcome | None
    #: When the URL last failed, whether or not that failure counted.
    last_failure: dt.datetime | None = None
    #: When the last failure that counted towards ``consecutive_failures`` happened.
    counted_failure: dt.datetime | None = None

    def as_reported(self) -> History:
        """The history a report shows for a result that leaves this row as it is."""
        return History(self.first_seen, self.last_live, self.consecutive_failures, self.last_outcome)


@dataclass(slots=True)  # not frozen, like HistoryRow, for the same reason
class StoredResult:
    """A result from an earlier run, with the live probe's own verdict kept beside the final one.

    Keeping the live verdict lets a reused result be decided again under today's archive
    settings (a result cached with ``--no-archive`` still gets its snapshot later).
    """

    result: LinkResult
    live_outcome: Outcome
    live_reason: str
    #: The URL's history as it stands before this run (``result.history`` says the same for reports).
    history: HistoryRow | None = None


@dataclass(frozen=True, slots=True)
class ArchiveLookup:
    """A cached answer from the archive: ``snapshot`` is None when none was found."""

    snapshot: Snapshot | None
    looked_up_at: dt.datetime


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One due URL of a job (a service run), grouped by the host whose lease covers it.

    ``target`` is what the checker needs to know about the URL (its citations' dates, titles,
    archive copy), encoded by the service; the store keeps it as it is.
    """

    url: str
    host: str
    target: bytes
