"""One Settings object: defaults < pyproject [tool.verifier] / verifier.toml < command line.

Configuration keys are the command-line flag names without the leading dashes
(``max-concurrency = 32`` in a file is ``--max-concurrency 32`` on the command line), so a
user who knows one knows the other.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from verifier import __version__
from verifier._exceptions import ConfigError
from verifier.check.shared import SharedLimits
from verifier.model import Outcome

DEFAULT_USER_AGENT = f"verifier/{__version__} (+https://github.com/verifier-links/verifier)"

DAY = 86_400.0

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class HostSettings:
    """Overrides for one host (``[tool.verifier.hosts."example.org"]``)."""

    concurrency: int | None = None
    interval: float | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ReportSettings:
    output_dir: Path
    formats: tuple[str, ...]
    fail_on: tuple[Outcome, ...]
    fail_only_new: bool
    progress: bool | None


@dataclass(frozen=True, slots=True)
class ProbeSettings:
    accept: tuple[int, ...]
    user_agent: str
    headers: Mapping[str, str]
    connect_timeout: float
    timeout: float
    max_redirects: int
    max_body_bytes: int
    insecure: bool
    soft404_probe: bool
    ca_bundle: str
    network_canaries: tuple[str, ...]
    resolve: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PolitenessSettings:
    max_concurrency: int
    host_concurrency: int
    host_interval: float
    workers: int
    hosts: Mapping[str, HostSettings]


@dataclass(frozen=True, slots=True)
class RetrySettings:
    retries: int
    retry_backoff: float
    retry_after_cap: float
    url_budget: float


@dataclass(frozen=True, slots=True)
class StoreSettings:
    cache_path: Path
    store_url: str
    use_cache: bool
    dead_after: int
    dead_after_interval: float
    ttl: Mapping[Outcome, float]


@dataclass(frozen=True, slots=True)
class ArchiveSettings:
    archive: bool
    archive_all: bool
    archive_rate: float
    archive_concurrency: int
    archive_timeout: float
    archive_verify: bool
    save_live: bool
    save_rate: float
    archive_found_ttl: float
    archive_none_ttl: float
    cdx_endpoint: str
    availability_endpoint: str
    save_endpoint: str
    snapshot_host: str


def _section(settings: Settings, kind: type[T]) -> T:
    """The fields of ``kind`` taken from the flat settings, which stay what files and flags set."""
    names = [f.name for f in dataclasses.fields(kind)]  # type: ignore[arg-type]
    return kind(**{name: getattr(settings, name) for name in names})


@dataclass(frozen=True, slots=True)
class Settings:
    # Output
    output_dir: Path = Path("reports")
    formats: tuple[str, ...] = ("json",)
    fail_on: tuple[Outcome, ...] = (Outcome.DEAD,)
    # Only links whose outcome is new since the previous run fail it: a nightly job alerts on
    # what changed, not on the same old list.
    fail_only_new: bool = False
    progress: bool | None = None  # None: only on an interactive terminal outside CI

    # What to check
    include: tuple[str, ...] = ()  # regular expressions; when given, only matching URLs
    exclude: tuple[str, ...] = ()  # regular expressions; matching URLs are skipped
    accept: tuple[int, ...] = ()  # extra status codes counted as live (beyond 2xx)

    # The probe
    user_agent: str = DEFAULT_USER_AGENT
    headers: Mapping[str, str] = field(default_factory=dict)
    connect_timeout: float = 10.0
    timeout: float = 30.0  # total for one request, body included
    max_redirects: int = 10
    max_body_bytes: int = 65_536
    insecure: bool = False
    soft404_probe: bool = True
    ca_bundle: str = ""  # PEM file of extra trusted CAs; empty: the system's store
    # Names that resolve whenever our own network works: when none does, failures are ours.
    network_canaries: tuple[str, ...] = ("web.archive.org", "www.wikipedia.org", "www.iana.org")
    # HOST:PORT=ADDRESS:PORT, like curl's --resolve: connect there, still speak to HOST.
    resolve: tuple[str, ...] = ()
    # The service connects to no address that is not globally routable, except in these networks
    # (CIDRs); `verifier check` ignores it, as it never guards addresses.
    allow_private_addresses: tuple[str, ...] = ()
    # Set by the service alone (never from a file or flag), so `verifier check` stays unguarded.
    address_guard: bool = False
    # Set by the service alone too: the cool-downs, archive quiet and archive rate its worker
    # processes share. None (`verifier check`): each process keeps its own, as ever.
    shared_limits: SharedLimits | None = field(default=None, compare=False, repr=False)

    # Politeness
    max_concurrency: int = 64
    host_concurrency: int = 2
    host_interval: float = 0.0  # seconds between request starts on one host
    # Processes that share a big run's live checks, hosts split between them; 0: one per 2 CPUs.
    workers: int = 0
    hosts: Mapping[str, HostSettings] = field(default_factory=dict)

    # Retries of 429, 503 and other 5xx; a reset or a timeout is tried again once at most
    retries: int = 3
    retry_backoff: float = 1.0  # first wait; doubles each time, with jitter
    retry_after_cap: float = 60.0  # longest Retry-After we honour
    # Seconds one URL may take from its first request: connect, TLS, redirects, bodies, retry waits
    url_budget: float = 45.0

    # The store
    cache_path: Path = Path(".verifier/cache.sqlite")
    # A store other than that file: postgresql://user@host/db (``--store``, VERIFIER_STORE).
    store_url: str = ""
    # The service's job queue: redis://host:port/db[?prefix=name] (``--queue``, VERIFIER_QUEUE);
    # empty, SQLite in the service's data folder.
    queue_url: str = ""
    use_cache: bool = True
    # Failures that may be passing (5xx, refused, resets, timeouts) make a link dead only after
    # this many consecutive failed runs; 404, 410 and NXDOMAIN are dead at once.
    dead_after: int = 2
    # Failures in a row count only this far apart: two runs an hour apart see one outage, not two.
    dead_after_interval: float = 72_000.0
    ttl: Mapping[Outcome, float] = field(
        default_factory=lambda: {
            Outcome.LIVE: 1 * DAY,
            Outcome.ARCHIVED: 1 * DAY,
            Outcome.DEAD: 1 * DAY,
            Outcome.RESTRICTED: 1 * DAY,
            Outcome.UNKNOWN: 0.0,
            Outcome.SKIPPED: 0.0,
        }
    )

    # The Wayback Machine
    archive: bool = True
    archive_all: bool = False
    # Requests a minute, all archive endpoints together: faster than 20 draws 429s and then blocks.
    archive_rate: float = 20.0
    archive_concurrency: int = 2
    # The service's workers with one egress id share one archive rate and one quiet: the archive
    # limits a public address, so every worker behind one address names the same id.
    egress_id: str = "default"
    archive_timeout: float = 20.0
    archive_verify: bool = False
    save_live: bool = False
    save_rate: float = 4.0  # Save Page Now requests a minute
    archive_found_ttl: float = 30 * DAY
    archive_none_ttl: float = 7 * DAY
    cdx_endpoint: str = "https://web.archive.org/cdx/search/cdx"
    availability_endpoint: str = "https://archive.org/wayback/available"
    save_endpoint: str = "https://web.archive.org/save"
    snapshot_host: str = "https://web.archive.org"

    # Each part of the checker takes the section it uses; files and flags keep one flat namespace.

    @property
    def reports(self) -> ReportSettings:
        return _section(self, ReportSettings)

    @property
    def probe(self) -> ProbeSettings:
        return _section(self, ProbeSettings)

    @property
    def politeness(self) -> PolitenessSettings:
        return _section(self, PolitenessSettings)

    @property
    def retry(self) -> RetrySettings:
        return _section(self, RetrySettings)

    @property
    def store(self) -> StoreSettings:
        return _section(self, StoreSettings)

    @property
    def wayback(self) -> ArchiveSettings:
        return _section(self, ArchiveSettings)

    def host(self, host: str) -> HostSettings:
        return self.hosts.get(host.lower(), HostSettings())

    def host_concurrency_for(self, host: str) -> int:
        own = self.host(host).concurrency
        return self.host_concurrency if own is None else own

    def host_interval_for(self, host: str) -> float:
        own = self.host(host).interval
        return self.host_interval if own is None else own

    def headers_for(self, host: str) -> dict[str, str]:
        return {**self.headers, **self.host(host).headers}


_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}
#: Fields a program sets for itself; no file or flag may name them.
_INTERNAL = frozenset({"address_guard", "shared_limits"})


#: Keys named as their command-line flag where the setting's own name differs; both are accepted.
ALIASES = {
    "format": "formats",
    "cache": "use_cache",
    "header": "headers",
    "store": "store_url",
    "queue": "queue_url",
}


def _key(name: str) -> str:
    key = name.replace("-", "_")
    return ALIASES.get(key, key)


#: What ``--fail-on`` may name: outcomes that can fail a run, or "never".
FAIL_ON_CHOICES: tuple[str, ...] = ("dead", "archived", "restricted", "unknown", "live", "never")


def parse_fail_on(value: Any, where: str = "--fail-on") -> tuple[Outcome, ...]:
    """``--fail-on`` parsed once, into outcomes: "dead,unknown", a list of such strings, or "never".

    "never" gives no outcome at all and stands alone; nothing given means the default, dead.
    """
    items = [value] if isinstance(value, str) else [str(item) for item in value]
    names: list[str] = []
    for item in items:
        for name in (part.strip().lower() for part in item.split(",")):
            if not name:
                continue
            if name not in FAIL_ON_CHOICES:
                raise ConfigError(
                    f"{where}: unknown outcome {name!r} (choose from {', '.join(FAIL_ON_CHOICES)})"
                )
            if name not in names:
                names.append(name)
    if "never" in names:
        if len(names) > 1:
            raise ConfigError(f"{where}: 'never' cannot be combined with outcomes")
        return ()
    return tuple(Outcome(name) for name in names) or (Outcome.DEAD,)


def _as_ints(value: Any, where: str) -> tuple[int, ...]:
    """Status codes as a list or a string such as "200..299,304"."""
    items = value.split(",") if isinstance(value, str) else list(value)
    codes: list[int] = []
    for item in items:
        text = str(item).strip()
        try:
            if ".." in text:
                low, high = text.split("..", 1)
                codes.extend(range(int(low), int(high) + 1))
            elif text:
                codes.append(int(text))
        except ValueError:
            raise ConfigError(f"{where}: {text!r} is not a status code or a range") from None
    return tuple(codes)


#: ``allow-private-addresses`` given with no value: every network.
ALL_NETWORKS = ("0.0.0.0/0", "::/0")


def _networks(value: Any, where: str) -> tuple[str, ...]:
    """CIDRs as a list or a comma-separated string; given empty (or ``true``), every network."""
    import ipaddress

    if value is True:
        return ALL_NETWORKS
    if value is False:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    texts = [str(item).strip() for item in items if str(item).strip()]
    if not texts:
        return ALL_NETWORKS
    for text in texts:
        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise ConfigError(f"{where}: {text!r} is not a network such as 10.0.0.0/8") from None
    return tuple(texts)


def _coerce(name: str, value: Any, where: str) -> Any:
    """Turn a value from TOML or the command line into the field's type."""
    default = _FIELDS[name].default
    if default is dataclasses.MISSING:
        factory = _FIELDS[name].default_factory
        default = factory() if factory is not dataclasses.MISSING else None
    try:
        if name == "fail_on":
            return parse_fail_on(value, where)
        if name == "accept":
            return _as_ints(value, where)
        if name == "allow_private_addresses":
            return _networks(value, where)
        if name in ("formats", "include", "exclude", "network_canaries", "resolve"):
            items = value.split(",") if isinstance(value, str) else list(value)
            return tuple(str(i).strip() for i in items if str(i).strip())
        if name == "hosts":
            return {
                str(h).lower(): HostSettings(
                    concurrency=spec.get("concurrency"),
                    interval=spec.get("interval"),
                    headers=dict(spec.get("headers", {})),
                )
                for h, spec in dict(value).items()
            }
        if name == "ttl":
            merged = dict(default or {})
            for outcome, seconds in dict(value).items():
                merged[Outcome(outcome)] = float(seconds)
            return merged
        if name == "headers":
            return {str(k): str(v) for k, v in dict(value).items()}
        if isinstance(default, bool):
            if isinstance(value, str):
                return value.strip().lower() in ("1", "true", "yes", "on")
            return bool(value)
        if isinstance(default, Path):
            return Path(value)
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
        if name == "progress":
            if isinstance(value, str):
                return value.strip().lower() in ("1", "true", "yes", "on")
            return None if value is None else bool(value)
        return str(value)
    except (TypeError, ValueError, AttributeError) as error:
        raise ConfigError(f"{where}: bad value {value!r} for {name.replace('_', '-')}: {error}") from None


def _from_mapping(table: Mapping[str, Any], where: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for raw_key, value in table.items():
        name = _key(raw_key)
        if name == "verifier" and isinstance(value, Mapping):
            raise ConfigError(
                f"{where}: a [verifier] table is not read; in verifier.toml put the settings at the top"
                " level (max-concurrency = 32), in pyproject.toml under [tool.verifier]"
            )
        if name not in _FIELDS or name in _INTERNAL:
            known = ", ".join(sorted(n.replace("_", "-") for n in _FIELDS if n not in _INTERNAL))
            raise ConfigError(f"{where}: unknown setting {raw_key!r} (known: {known})")
        values[name] = _coerce(name, value, f"{where}: {raw_key}")
    return values


def read_config_file(path: Path) -> dict[str, Any]:
    """The [tool.verifier] table of a pyproject.toml, or the whole of a verifier.toml."""
    import tomllib  # a run with no configuration file never needs it

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text (byte {error.start}); save it as UTF-8") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
    if path.name == "pyproject.toml":
        if "verifier" not in data.get("tool", {}):
            raise ConfigError(f"{path}: has no [tool.verifier] table; add one, or name a verifier.toml")
        table = data["tool"]["verifier"]
    else:
        table = data.get("tool", {}).get("verifier", data)
    return _from_mapping(table, str(path))


def find_config_file(start: Path) -> Path | None:
    """verifier.toml, else a pyproject.toml with a [tool.verifier] table, in start or above."""
    for folder in [start, *start.parents]:
        candidate = folder / "verifier.toml"
        if candidate.is_file():
            return candidate
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            import tomllib

            try:
                if "verifier" in tomllib.loads(candidate.read_text(encoding="utf-8")).get("tool", {}):
                    return candidate
            except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
                continue
    return None


#: The prefix of environment variables that set a setting (VERIFIER_STORE is ``store``).
ENV_PREFIX = "VERIFIER_"


def _from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Settings from VERIFIER_<KEY> variables: above the config file, below the flags."""
    values: dict[str, Any] = {}
    for variable, value in environ.items():
        if not variable.startswith(ENV_PREFIX) or not value:
            continue
        name = _key(variable[len(ENV_PREFIX) :].lower())
        if name not in _FIELDS or name in _INTERNAL or name in ("hosts", "ttl", "headers"):
            continue  # tables are set in the config file; internal fields by the program
        values[name] = _coerce(name, value, f"${variable}")
    return values


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    config_path: Path | None = None,
    cwd: Path | None = None,
) -> Settings:
    """Defaults, then the config file, then VERIFIER_* variables, then ``overrides`` (command-line
    values; None means unset)."""
    values: dict[str, Any] = {}
    path = config_path or find_config_file((cwd or Path.cwd()).resolve())
    if path is not None:
        values.update(read_config_file(path))
    values.update(_from_environment(os.environ))
    for raw_key, value in (overrides or {}).items():
        if value is None:
            continue
        name = _key(raw_key)
        if name not in _FIELDS or name in _INTERNAL:
            raise ConfigError(f"unknown setting {raw_key!r}")
        values[name] = _coerce(name, value, f"--{raw_key.replace('_', '-')}")
    return Settings(**values)


def compile_patterns(patterns: Iterable[str], option: str) -> list[re.Pattern[str]]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error as error:
            raise ConfigError(f"{option}: {pattern!r} is not a regular expression: {error}") from None
    return compiled


_AT_LEAST_ONE = ("max_concurrency", "host_concurrency", "archive_concurrency", "dead_after")
_POSITIVE_SECONDS = ("timeout", "connect_timeout", "archive_timeout")
# An egress id names a PostgreSQL table (whose names are folded to lower case and cut at 63
# bytes), a Redis key and an SQLite table: this much fits all three, unchanged.
_EGRESS_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,39}")


def validate_settings(settings: Settings) -> None:
    """Refuse settings that cannot work, before any file is read or request is made."""
    compile_patterns(settings.include, "include")
    compile_patterns(settings.exclude, "exclude")
    if settings.resolve:
        from verifier.check.http.transport import parse_resolve

        parse_resolve(settings.resolve)
    for name in _AT_LEAST_ONE:
        if getattr(settings, name) < 1:
            raise ConfigError(f"{name.replace('_', '-')}: must be at least 1, not {getattr(settings, name)}")
    if settings.max_redirects < 0:
        raise ConfigError(f"max-redirects: must be at least 0, not {settings.max_redirects}")
    for name in _POSITIVE_SECONDS:
        if getattr(settings, name) <= 0:
            raise ConfigError(f"{name.replace('_', '-')}: must be more than 0 seconds")
    if settings.url_budget <= 0:
        raise ConfigError("url-budget: must be more than 0 seconds")
    if settings.dead_after_interval < 0:
        raise ConfigError("dead-after-interval: must be 0 seconds or more")
    if settings.archive_rate <= 0:
        raise ConfigError("archive-rate: must be a positive number of requests a minute")
    if settings.save_rate <= 0:
        raise ConfigError("save-rate: must be a positive number of requests a minute")
    if not _EGRESS_ID.fullmatch(settings.egress_id):
        raise ConfigError(
            f"egress-id: {settings.egress_id!r} is not 1 to 40 lower-case letters, digits, '.', '_'"
            " or '-', starting with a letter or digit"
        )
    extra = [name for name in settings.formats if name.strip().lower() != "json"]
    if extra:
        from verifier.report.render import parse_formats

        parse_formats(list(settings.formats))
