"""Editors' overrides: a URL or a whole domain declared live, dead or restricted, whatever a check says.

An overridden URL is still checked (its history goes on), but the report shows the override's
outcome with ``links[].override`` saying who decided it, when and why, and what the check itself
found. An overridden link never fails a run by itself. The service keeps overrides; CI gets them
as a TOML file (``verifier overrides export``, then ``verifier check --overrides FILE``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from verifier._exceptions import ConfigError
from verifier.model import Outcome

#: What an override may say a link is.
OVERRIDE_OUTCOMES = (Outcome.LIVE, Outcome.DEAD, Outcome.RESTRICTED)


@dataclass(frozen=True, slots=True)
class Override:
    outcome: Outcome
    by: str
    at: str  # ISO 8601, UTC
    url: str | None = None
    domain: str | None = None
    note: str | None = None

    def as_json(self, checked: str) -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "by": self.by,
            "at": self.at,
            "note": self.note,
            "checked": checked,
        }


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def make_override(
    *, outcome: str, by: str, url: str | None = None, domain: str | None = None, note: str | None = None,
    at: str | None = None,
) -> Override:  # fmt: skip
    """An override checked: exactly one of url and domain, an outcome it may have."""
    if (url is None) == (domain is None):
        raise ConfigError("an override names exactly one of url and domain")
    try:
        chosen = Outcome(outcome)
    except ValueError:
        chosen = None
    if chosen not in OVERRIDE_OUTCOMES:
        raise ConfigError(f"an override's outcome is live, dead or restricted, not {outcome!r}")
    assert chosen is not None
    if url is not None and urlsplit(url).scheme not in ("http", "https"):
        raise ConfigError(f"override url {url!r}: an http or https address")
    if domain is not None:
        domain = domain.strip().lower().rstrip(".")
        if not domain or "/" in domain or " " in domain:
            raise ConfigError(f"override domain {domain!r}: a host name such as example.org")
    when = at or dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return Override(outcome=chosen, by=by, at=when, url=url, domain=domain, note=note)


def find_override(overrides: Sequence[Override], url: str) -> Override | None:
    """The override for ``url``: its own first, else the most specific domain (subdomains included)."""
    best: Override | None = None
    host = ""
    for override in overrides:
        if override.url is not None and override.url == url:
            return override
        if override.domain is not None:
            host = host or _host(url)
            domain = override.domain
            if (host == domain or host.endswith("." + domain)) and (
                best is None or len(domain) > len(best.domain or "")
            ):
                best = override
    return best


def apply_overrides(report: MutableMapping[str, Any], overrides: Sequence[Override]) -> int:
    """Give every overridden link its override's outcome (and ``override``); the count changed."""
    if not overrides:
        return 0
    changed = 0
    for link in report.get("links", []):
        found = find_override(overrides, link["url"])
        if found is None:
            continue
        link["override"] = found.as_json(link["outcome"])
        link["outcome"] = found.outcome.value
        changed += 1
    summary = {outcome.value: 0 for outcome in Outcome}
    for link in report.get("links", []):
        summary[link["outcome"]] += 1
    report["summary"] = summary
    return changed


def read_overrides_file(path: Path) -> list[Override]:
    """The ``[[override]]`` tables of a TOML file, as ``verifier overrides export`` writes it."""
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"--overrides {path}: cannot read: {error}") from None
    entries = data.get("override", [])
    if not isinstance(entries, list):
        raise ConfigError(f"--overrides {path}: expected [[override]] tables")
    found = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, Mapping):
            raise ConfigError(f"--overrides {path}: override {number} is not a table")
        try:
            found.append(
                make_override(
                    outcome=str(entry.get("outcome", "")),
                    by=str(entry.get("by", "unknown")),
                    url=entry.get("url"),
                    domain=entry.get("domain"),
                    note=entry.get("note"),
                    at=str(entry["at"]) if entry.get("at") else None,
                )
            )
        except ConfigError as error:
            raise ConfigError(f"--overrides {path}: override {number}: {error}") from None
    return found


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(f"\\u{ord(ch):04x}" if ord(ch) < 0x20 or ord(ch) == 0x7F else ch for ch in escaped)
    return f'"{escaped}"'


def overrides_toml(overrides: Iterable[Override]) -> str:
    """The overrides as TOML for ``verifier check --overrides``."""
    lines = ["# Overrides exported from the verifier service: verifier check --overrides FILE", ""]
    for override in overrides:
        lines.append("[[override]]")
        if override.url is not None:
            lines.append(f"url = {_toml_string(override.url)}")
        else:
            assert override.domain is not None
            lines.append(f"domain = {_toml_string(override.domain)}")
        lines.append(f"outcome = {_toml_string(override.outcome.value)}")
        lines.append(f"by = {_toml_string(override.by)}")
        lines.append(f"at = {_toml_string(override.at)}")
        if override.note:
            lines.append(f"note = {_toml_string(override.note)}")
        lines.append("")
    return "\n".join(lines)
