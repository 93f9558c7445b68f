"""The service's guard against requests into private networks.

Anyone who may add a source decides which URLs the service asks for: without a guard, a
source (or a link in it, or a redirect, or a webhook) could make the service read an
intranet page or a cloud metadata endpoint and report what it found. So ``verifier serve``
and ``verifier worker`` connect to no address that is not globally routable
(``ipaddress.ip_address(a).is_global``), unless ``allow-private-addresses`` names a network
that holds it. The test is made on the address actually connected to, after DNS resolution
(:class:`verifier.check.http.h11transport.H11Transport` connects to the checked address
itself, and git is pinned to it), so a name that resolves one way when checked and another
when used gains nothing. ``verifier check`` never applies it: there the user is the one who
chose the URLs.

Exempt: the configured archive endpoints (their clients have no policy), the SMTP server,
and the targets of ``--resolve`` (named by whoever started the service).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass

from verifier._exceptions import ConfigError
from verifier.check.http.h11transport import REFUSAL, refusal
from verifier.config import Settings

__all__ = ["REFUSAL", "AddressPolicy", "PrivateAddressError", "address_policy", "permitted_addresses"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str], where: str = "allow-private-addresses") -> tuple[IPNetwork, ...]:
    """CIDRs (or single addresses) as networks; ConfigError naming the first bad one."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as error:
            raise ConfigError(f"{where}: {value!r} is not a network such as 10.0.0.0/8 ({error})") from None
    return tuple(networks)


def _address(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which addresses may be connected to: the global ones, and those in ``allowed``."""

    allowed: tuple[IPNetwork, ...] = ()

    def __call__(self, address: IPAddress) -> bool:
        # An IPv4-mapped IPv6 address reaches the IPv4 host it embeds: judged as that one
        # against the allowed networks, never as global.
        mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
        if mapped is None and address.is_global:
            return True
        candidates = (address,) if mapped is None else (address, mapped)
        return any(
            candidate.version == network.version and candidate in network
            for candidate in candidates
            for network in self.allowed
        )

    def allows(self, text: str) -> bool:
        address = _address(text)
        return address is not None and self(address)


def address_policy(settings: Settings) -> AddressPolicy | None:
    """The policy a service's connections follow; None where no guard applies."""
    if not settings.address_guard:
        return None
    return AddressPolicy(parse_networks(settings.allow_private_addresses))


def guarded(settings: Settings) -> Settings:
    """``settings`` with the guard on, as the service runs every check."""
    import dataclasses

    return dataclasses.replace(settings, address_guard=True)


class PrivateAddressError(ConfigError):
    """A host whose every address the policy refuses."""


async def permitted_addresses(
    host: str, port: int, policy: AddressPolicy, *, timeout: float | None = None
) -> list[str]:
    """The addresses of ``host`` the policy allows, in the resolver's order.

    Raises :class:`PrivateAddressError` when it resolves only to refused ones, and OSError
    (``socket.gaierror``) when it does not resolve.
    """
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(timeout):
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found = _unique(str(info[4][0]) for info in infos)
    allowed = [address for address in found if policy.allows(address)]
    if not allowed:
        raise PrivateAddressError(refusal(host, found))
    return allowed


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
