"""The service's guard against private networks: the policy, the transport that applies it where
it connects (after DNS, never on a second lookup), the probe and the service that use it, and
``verifier check``, which never does."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.check_run.conftest import Site
from tests.integration.service.conftest import quiet_settings
from verifier._exceptions import ConfigError
from verifier.check.http.h11transport import REFUSAL, AddressNotAllowed, H11Transport
from verifier.check.live.probe import LiveChecker
from verifier.commands import serve as serve_command
from verifier.config import ALL_NETWORKS, Settings, load_settings, read_config_file
from verifier.model import Outcome
from verifier.service.app import create_app
from verifier.service.netguard import AddressPolicy, address_policy, guarded, parse_networks
from verifier.service.queue import make_queue
from verifier.service.server import first_admin, open_context

REFUSED = [
    "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
    "::1", "fc00::1", "fd12:3456::1", "fe80::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:8.8.8.8",
    "::",
]  # fmt: skip
PUBLIC = ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111"]


@pytest.mark.parametrize("address", REFUSED)
def test_the_policy_refuses_what_is_not_global(address: str) -> None:
    assert not AddressPolicy().allows(address)


@pytest.mark.parametrize("address", PUBLIC)
def test_the_policy_lets_global_addresses_through(address: str) -> None:
    assert AddressPolicy().allows(address)


def test_allowed_networks_lift_it_for_what_they_hold() -> None:
    policy = AddressPolicy(parse_networks(["127.0.0.0/8", "fd00::/8"]))
    assert policy.allows("127.0.0.1") and policy.allows("127.9.9.9") and policy.allows("fd00::5")
    assert policy.allows("::ffff:127.0.0.1")  # the IPv4 host it embeds is allowed
    assert not policy.allows("10.0.0.1") and not policy.allows("::1") and not policy.allows("::ffff:10.0.0.1")
    everything = AddressPolicy(parse_networks(ALL_NETWORKS))
    assert all(everything.allows(address) for address in REFUSED)
    assert not AddressPolicy().allows("not an address")


def test_the_setting_given_empty_allows_all_and_bad_networks_are_refused(tmp_path: Path) -> None:
    assert (
        load_settings({"allow_private_addresses": []}, cwd=tmp_path).allow_private_addresses == ALL_NETWORKS
    )
    assert load_settings(
        {"allow_private_addresses": ["10.0.0.0/8"]}, cwd=tmp_path
    ).allow_private_addresses == ("10.0.0.0/8",)
    with pytest.raises(ConfigError, match="not a network"):
        load_settings({"allow_private_addresses": ["10.0.0.0/33"]}, cwd=tmp_path)
    config = tmp_path / "verifier.toml"
    config.write_text('allow-private-addresses = ["192.168.0.0/16", "fd00::/8"]\n', encoding="utf-8")
    assert read_config_file(config)["allow_private_addresses"] == ("192.168.0.0/16", "fd00::/8")
    # Whether the guard applies is the program's to say: no file, variable or flag turns it on.
    config.write_text("address-guard = true\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown setting"):
        read_config_file(config)
    with pytest.raises(ConfigError, match="unknown setting"):
        load_settings({"address_guard": True}, cwd=tmp_path)


def test_the_environment_cannot_turn_the_guard_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERIFIER_ADDRESS_GUARD", "true")
    assert load_settings({}, cwd=tmp_path).address_guard is False


def _serve_args(*extra: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    serve_command.add_arguments(parser)
    return parser.parse_args(list(extra))


def test_serve_flags(tmp_path: Path) -> None:
    config = str(tmp_path / "none.toml")
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    every = serve_command.settings_from(_serve_args("--config", config, "--allow-private-addresses"))
    assert every.allow_private_addresses == ALL_NETWORKS
    some = serve_command.settings_from(
        _serve_args(
            "--config", config, "--allow-private-addresses", "127.0.0.0/8", "10.0.0.0/8", "--no-archive"
        )
    )
    assert some.allow_private_addresses == ("127.0.0.0/8", "10.0.0.0/8") and some.archive is False
    assert serve_command.settings_from(_serve_args("--config", config)).allow_private_addresses == ()
    # The service's context always guards; the settings a user gives never say so themselves.
    context = open_context(tmp_path / "data", some, None)
    assert context.settings.address_guard and not some.address_guard
    context.db.close()


# The transport -----------------------------------------------------------------------------------


def _transport(policy: AddressPolicy | None, **options: Any) -> H11Transport:
    import ssl

    return H11Transport(
        ssl_context=ssl.create_default_context(),
        address_policy=policy.allows if policy is not None else None,
        **options,
    )


async def _get(transport: H11Transport, url: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=transport, timeout=5) as client:
        return await client.get(url)


def test_the_transport_refuses_before_connecting(site: Site) -> None:
    url = site.set("/secret")
    with pytest.raises(AddressNotAllowed, match=REFUSAL):
        asyncio.run(_get(_transport(AddressPolicy()), url))
    name = url.replace("127.0.0.1", "localhost")  # a name that resolves to loopback
    with pytest.raises(AddressNotAllowed, match="localhost resolves to"):
        asyncio.run(_get(_transport(AddressPolicy()), name))
    assert site.count("/secret") == 0
    allowed = AddressPolicy(parse_networks(["127.0.0.0/8"]))
    assert asyncio.run(_get(_transport(allowed), url)).status_code == 200
    assert asyncio.run(_get(_transport(None), url)).status_code == 200


def test_resolve_targets_are_exempt(site: Site) -> None:
    url = site.set("/pinned")
    port = int(url.split(":")[2].split("/")[0])
    transport = _transport(AddressPolicy(), resolve={("pinned.example", 80): ("127.0.0.1", port)})
    assert asyncio.run(_get(transport, "http://pinned.example/pinned")).status_code == 200


def test_the_address_checked_is_the_address_connected_to(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """A name is looked up once, and the connection goes to what that lookup gave: a resolver
    that answers differently the second time (DNS rebinding) is never asked a second time."""
    url = site.set("/rebind")
    port = int(url.split(":")[2].split("/")[0])
    real = socket.getaddrinfo
    answers = iter(["127.0.0.1", "10.9.9.9"])
    asked: list[str] = []

    def lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "rebind.example":
            asked.append(host)
            address = next(answers)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    allowed = AddressPolicy(parse_networks(["127.0.0.0/8"]))
    answer = asyncio.run(_get(_transport(allowed), f"http://rebind.example:{port}/rebind"))
    assert answer.status_code == 200 and asked == ["rebind.example"]
    # The second lookup gives a private address outside the allowed networks: refused.
    with pytest.raises(AddressNotAllowed, match=r"rebind\.example resolves to 10\.9\.9\.9"):
        asyncio.run(_get(_transport(allowed), f"http://rebind.example:{port}/rebind"))


# The probe --------------------------------------------------------------------------------------------


async def _check(settings: Settings, url: str) -> Any:
    async with LiveChecker(settings) as checker:
        return await checker.check(url)


def test_the_probe_reports_a_refused_address_never_as_dead(site: Site) -> None:
    url = site.set("/internal")
    settings = guarded(quiet_settings(allow_private_addresses=()))
    verdict = asyncio.run(_check(settings, url))
    assert verdict.outcome is Outcome.UNKNOWN and REFUSAL in verdict.reason
    assert site.count("/internal") == 0
    # `verifier check` never guards: the same settings unguarded check the link.
    assert asyncio.run(_check(quiet_settings(allow_private_addresses=()), url)).outcome is Outcome.LIVE
    assert address_policy(quiet_settings()) is None


def test_every_redirect_is_checked(site: Site) -> None:
    """Allowed to 127.0.0.1 alone, a page there that redirects to 127.0.0.2 is not followed."""
    target = site.url("/inside").replace("127.0.0.1", "127.0.0.2")
    start = site.set("/hop", 302, headers={"Location": target})
    settings = guarded(quiet_settings(allow_private_addresses=("127.0.0.1/32",)))
    verdict = asyncio.run(_check(settings, start))
    assert verdict.outcome is Outcome.UNKNOWN and REFUSAL in verdict.reason and "127.0.0.2" in verdict.reason
    assert verdict.redirects == (target,)
    assert site.count("/hop") >= 1 and site.count("/inside") == 0


# The service --------------------------------------------------------------------------------------------


def test_a_service_without_the_allowance_reads_and_checks_nothing_private(tmp_path: Path, site: Site) -> None:
    from fastapi.testclient import TestClient

    from verifier.service.tokens import Role, create_token

    root = tmp_path / "sources"
    root.mkdir()
    context = open_context(tmp_path / "data", quiet_settings(allow_private_addresses=()), root)
    queue = make_queue(context, immediate=True)
    assert first_admin(context) is not None
    editor = {"Authorization": f"Bearer {create_token(context.db, 'e', Role.EDITOR, actor='test')}"}
    link = site.set("/cited")
    (root / "doc.md").write_text(f"[a]({link})\n", encoding="utf-8")
    page = site.set("/page", body=f'<html><body><a href="{link}">x</a></body></html>'.encode())
    with TestClient(create_app(context, queue)) as client:
        made = client.post("/api/v1/sources", json={"name": "page", "url": {"href": page}}, headers=editor)
        run_id = client.post(f"/api/v1/sources/{made.json()['id']}/runs", headers=editor).json()["id"]
        run = client.get(f"/api/v1/runs/{run_id}", headers=editor).json()
        assert run["status"] == "failed" and REFUSAL in run["error"]
        made = client.post("/api/v1/sources", json={"name": "docs", "paths": ["*.md"]}, headers=editor)
        run_id = client.post(f"/api/v1/sources/{made.json()['id']}/runs", headers=editor).json()["id"]
        run = client.get(f"/api/v1/runs/{run_id}", headers=editor).json()
        assert run["status"] == "complete" and run["summary"]["unknown"] == 1 and run["summary"]["dead"] == 0
        report = client.get(f"/api/v1/runs/{run_id}/report", headers=editor).json()
        (checked,) = report["links"]
        assert checked["outcome"] == "unknown" and REFUSAL in checked["reason"]
        assert client.get("/api/v1/flags", headers=editor).json()["items"] == []
    assert site.count("/page") == 0 and site.count("/cited") == 0
    context.db.close()


def test_is_global_is_the_rule() -> None:
    """The table above agrees with the standard library's notion of a global address."""
    for address in REFUSED:
        parsed = ipaddress.ip_address(address)
        assert not parsed.is_global or getattr(parsed, "ipv4_mapped", None) is not None
