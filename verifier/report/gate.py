"""Whether a run passes: one rule over the JSON report, for ``verifier check`` and ``verifier report``.

Deciding from the report alone means a saved ``link-health.json`` ends ``verifier report``
exactly as it ended the ``verifier check`` that wrote it, flags included.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from verifier.exitcodes import ExitCode
from verifier.model import Outcome


@dataclass(frozen=True, slots=True)
class Gate:
    code: ExitCode
    #: One line for standard error, or None when there is nothing to say.
    message: str | None = None


def is_offline(link: Mapping[str, Any], legacy_network_down: bool) -> bool:
    """Whether the link's ``unknown`` only says that our own network was down."""
    if "offline" in link:
        return link["offline"] is True
    return legacy_network_down and link.get("outcome") == Outcome.UNKNOWN.value


def is_new(link: Mapping[str, Any]) -> bool:
    """Whether the link's outcome differs from the previous run's (a first sighting is new)."""
    history = link.get("history")
    if not isinstance(history, Mapping):
        return True
    return history.get("previous_outcome") != link.get("outcome")


def decide(
    report: Mapping[str, Any], fail_on: Collection[Outcome | str], *, fail_only_new: bool = False
) -> Gate:
    """The exit code of the run that made ``report``.

    An interrupted run says so (130) whatever it found. A link found failing is a finding even
    when the network went down later, so FAILING wins over INCONCLUSIVE; an "unknown" that only
    says the network was down never fails the run.
    """
    run = report.get("run")
    run = run if isinstance(run, Mapping) else {}
    if run.get("status") == "interrupted":
        return Gate(ExitCode.INTERRUPTED, "interrupted; the report holds what was checked so far")
    links = report.get("links", [])
    # Reports written before links carried "offline" said only that the network was down.
    legacy = run.get("network_down") is True and not any("offline" in link for link in links)
    failing_outcomes = {str(outcome) for outcome in fail_on}
    failed = [
        link
        for link in links
        if link.get("outcome") in failing_outcomes
        and "override" not in link  # an editor's decision never fails a run by itself
        and not is_offline(link, legacy)
        and (not fail_only_new or is_new(link))
    ]
    if failed:
        references = sum(len(link.get("occurrences", [])) for link in failed)
        named = ", ".join(sorted(failing_outcomes))
        new = " new" if fail_only_new else ""
        return Gate(
            ExitCode.FAILING,
            f"{len(failed)}{new} link(s) in {references} reference(s) fail on {named}",
        )
    if any(is_offline(link, legacy) for link in links):
        return Gate(ExitCode.INCONCLUSIVE, "inconclusive: this machine could not reach the network")
    return Gate(ExitCode.OK)
