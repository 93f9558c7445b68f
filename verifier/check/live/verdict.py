"""What the live probe concludes about one URL, before the archive is asked."""

from __future__ import annotations

from dataclasses import dataclass

from verifier.check.http.kinds import FailureKind
from verifier.model import Outcome


@dataclass(frozen=True, slots=True)
class LiveVerdict:
    """The live state of one URL: outcome, plain-words reason and the evidence behind it.

    ``network_down`` is set when the failure is our own (nothing resolves, no route), so the
    run can say it was inconclusive instead of reporting false deaths.
    """

    url: str
    outcome: Outcome
    reason: str
    http_status: int | None = None
    final_url: str | None = None
    redirects: tuple[str, ...] = ()
    failure: FailureKind | None = None  # when the request itself failed
    network_down: bool = False
    attempts: int = 1
    # What the page calls itself (<title>, og:title, first <h1>), read only when asked for.
    page_titles: tuple[str, ...] = ()
