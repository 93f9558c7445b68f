"""The service's shared limits: cool-downs and the archive's quiet in the store, the archive's
rate in a bucket every worker process reads.

A worker builds one :class:`StoreLimits` and puts it in ``Settings.shared_limits``::

    limits = StoreLimits(store, settings.egress_id, archive_limiter(settings, data_dir))
    settings = dataclasses.replace(settings, shared_limits=limits)

The archive's rate lives where every worker can reach it: the Redis of the queue
(``--queue redis://…``) when there is one, else the PostgreSQL store (``--store
postgresql://…``), else an SQLite file in the data folder, which workers on one machine share.
Turns are stamped with the worker's own clock (the database's, with PostgreSQL), so machines
sharing a Redis bucket need their clocks kept in step (NTP): a turn stamped ahead of the others'
"now" is not counted against them until then.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from verifier.config import Settings

if TYPE_CHECKING:
    from pyrate_limiter import AbstractBucket, Limiter, Rate

#: The file of the archive's bucket when neither Redis nor PostgreSQL is there to hold it.
LIMITS_FILE = "limits.sqlite"

_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
_POSTGRES_SCHEMES = ("postgresql://", "postgres://")


class CoolDownStore(Protocol):
    """The part of a :class:`~verifier.store.base.SharedWork` store the limits use."""

    def cool_host(self, host: str, until: float) -> None: ...

    def host_cool_until(self, host: str) -> float: ...

    def quiet_archive(self, egress: str, until: float) -> None: ...

    def archive_quiet_until(self, egress: str) -> float: ...


class StoreLimits:
    """:class:`~verifier.check.shared.SharedLimits` over the store and a shared archive limiter.

    ``egress`` is the id of the address this worker's requests leave from: the archive's quiet
    and rate are those of that address. ``limiter`` is :func:`archive_limiter`'s, or any
    pyrate-limiter ``Limiter`` every worker behind the address shares.
    """

    def __init__(self, store: CoolDownStore, egress: str, limiter: Limiter) -> None:
        self._store = store
        self._egress = egress
        self._limiter = limiter

    @property
    def egress(self) -> str:
        return self._egress

    @property
    def limiter(self) -> Limiter:
        return self._limiter

    def host_cool_until(self, host: str) -> float:
        return self._store.host_cool_until(host)

    def cool_host(self, host: str, until: float) -> None:
        self._store.cool_host(host, until)

    def archive_quiet_until(self) -> float:
        return self._store.archive_quiet_until(self._egress)

    def quiet_archive(self, until: float) -> None:
        self._store.quiet_archive(self._egress, until)

    async def archive_turn(self) -> None:
        # Blocking and without a timeout, it returns False only for a weight no rate can ever
        # admit, which one request never is.
        if not await self._limiter.try_acquire_async(self._egress):
            raise RuntimeError(f"the archive limiter of {self._egress!r} admits no request at all")

    def close(self) -> None:
        """Close the limiter's bucket (its database connection) and its Redis client."""
        from pyrate_limiter import RedisBucket
        from redis import Redis

        buckets = self._limiter.buckets()
        self._limiter.close()
        for bucket in buckets:
            # The bucket leaves its client to whoever made it: archive_limiter.
            if isinstance(bucket, RedisBucket) and isinstance(bucket.redis, Redis):
                bucket.redis.close()


def archive_rates(per_minute: float) -> list[Rate]:
    """``per_minute`` requests a minute, evenly spaced, as pyrate-limiter rates.

    One request per ``60 / per_minute`` seconds, so that workers taking turns never send a
    burst, and at most the whole rate in any minute. pyrate-limiter refuses a longer window
    denser than a shorter one, which the minute would be for a rate that does not divide it
    (7 a minute: one per 8.572 s); there the spacing alone keeps every minute to 7.
    """
    from pyrate_limiter import Duration, Rate

    spacing = math.ceil(Duration.MINUTE.value / per_minute)
    rates = [Rate(1, spacing)]
    whole = math.floor(per_minute)
    if whole >= 2 and whole * spacing <= Duration.MINUTE.value:
        rates.append(Rate(whole, Duration.MINUTE))
    return rates


def archive_limiter(settings: Settings, data_dir: Path) -> Limiter:
    """A limiter at ``settings.archive_rate`` whose bucket every worker with this egress id shares."""
    from pyrate_limiter import Limiter

    rates = archive_rates(settings.archive_rate)
    name = f"archive_{settings.egress_id}"
    bucket: AbstractBucket
    if settings.queue_url.startswith(_REDIS_SCHEMES):
        bucket = _redis_bucket(settings.queue_url, settings.egress_id, rates)
    elif settings.store_url.startswith(_POSTGRES_SCHEMES):
        from psycopg_pool import ConnectionPool
        from pyrate_limiter import PostgresBucket

        # Not autocommit: the bucket locks its table for the count and the insert, which takes
        # a transaction. A few connections: each queue thread's turns and the bucket's clean-up
        # thread may query at once, and a caller waiting for a connection holds up its loop.
        pool = ConnectionPool(settings.store_url, min_size=1, max_size=4, open=True)
        bucket = PostgresBucket(pool, name, rates)
    else:
        from pyrate_limiter import SQLiteBucket

        data_dir.mkdir(parents=True, exist_ok=True)
        # The file lock makes counting and adding one step for every process on the machine.
        bucket = SQLiteBucket.init_from_file(
            rates, table=name, db_path=str(data_dir / LIMITS_FILE), use_file_lock=True
        )
    return Limiter(bucket)


def redis_key(queue_url: str, egress: str) -> str:
    """The Redis key of ``egress``'s archive bucket, under the queue URL's ``prefix``."""
    from urllib.parse import parse_qs, urlsplit

    prefix = parse_qs(urlsplit(queue_url).query).get("prefix", ["verifier"])[0]
    return f"{prefix}:archive-rate:{egress}"


def _redis_bucket(queue_url: str, egress: str, rates: list[Rate]) -> AbstractBucket:
    from pyrate_limiter import RedisBucket
    from redis import Redis

    # The queue's own URL, less the parameters only verifier reads (as the queue does).
    client = Redis.from_url(queue_url.split("?", 1)[0], health_check_interval=10, retry_on_timeout=True)
    bucket: AbstractBucket = RedisBucket.init(rates, client, redis_key(queue_url, egress))
    return bucket
