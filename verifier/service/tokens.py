"""API tokens: random secrets shown once, kept only as their SHA-256, each with a role."""

from __future__ import annotations

import hashlib
import secrets
from enum import IntEnum

from verifier._exceptions import ConfigError
from verifier.service.db import Conflict, ServiceDB

#: A token's prefix tells a leaked secret apart at a glance (and to secret scanners).
PREFIX = "vfr_"


class Role(IntEnum):
    """Ordered: each role may do what the ones below it may."""

    VIEWER = 1  # reads
    EDITOR = 2  # handles flags, overrides, sources and runs
    ADMIN = 3  # manages tokens

    @classmethod
    def named(cls, name: str) -> Role:
        try:
            return cls[name.upper()]
        except KeyError:
            raise ConfigError(f"unknown role {name!r}; choose viewer, editor or admin") from None

    @property
    def label(self) -> str:
        return self.name.lower()


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(db: ServiceDB, name: str, role: Role, *, actor: str) -> str:
    """A new token (256 random bits); only its digest is stored."""
    if not name.strip():
        raise ConfigError("a token needs a name")
    token = PREFIX + secrets.token_urlsafe(32)
    try:
        db.add_token(name, role.label, digest(token), actor)
    except Conflict as error:
        raise ConfigError(f"{error}; choose another name or revoke it first") from None
    return token
