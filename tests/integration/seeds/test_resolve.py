"""``resolve`` (curl's --resolve): parsing, and real connections that keep the host name in TLS."""

from __future__ import annotations

from pathlib import Path

import pytest
import trustme

from tests.servers.seedhosts import NamedHosts, Reply, TLSFront, html
from tests.servers.wayback import FakeWayback
from verifier.check.archive.client import ArchiveClient
from verifier.check.http.transport import parse_resolve
from verifier.check.live.probe import LiveChecker
from verifier.cli import main
from verifier.config import Settings, load_settings
from verifier.model import Outcome

FAST = {
    "timeout": 2.0,
    "connect_timeout": 2.0,
    "retries": 0,
    "retry_backoff": 0.01,
    "network_canaries": ("localhost",),
}


def test_parse_accepts_names_addresses_and_ipv6() -> None:
    mapping = parse_resolve(
        ["Example.org:443=127.0.0.1:8443", "[::1]:80=[::1]:8080", "bücher.example:80=127.0.0.1:81"]
    )
    assert mapping == {
        ("example.org", 443): ("127.0.0.1", 8443),
        ("::1", 80): ("::1", 8080),
        ("xn--bcher-kva.example", 80): ("127.0.0.1", 81),
    }


@pytest.mark.parametrize(
    "entry",
    [
        "example.org:443",
        "example.org=127.0.0.1:80",
        "example.org:443=127.0.0.1",
        "example.org:http=127.0.0.1:80",
        "example.org:0=127.0.0.1:80",
        "example.org:70000=127.0.0.1:80",
        ":443=127.0.0.1:80",
        "exa mple.org:443=127.0.0.1:80",
        "::1:80=127.0.0.1:80",
    ],
)
def test_parse_refuses_bad_entries_naming_them(entry: str) -> None:
    from verifier._exceptions import ConfigError

    with pytest.raises(ConfigError, match="resolve") as caught:
        parse_resolve([entry])
    assert repr(entry) in str(caught.value)


def test_same_host_twice_is_refused() -> None:
    from verifier._exceptions import ConfigError

    with pytest.raises(ConfigError, match="named twice"):
        parse_resolve(["a.example:80=127.0.0.1:1", "A.example:80=127.0.0.1:2"])


def test_config_file_and_flags_give_a_tuple(tmp_path: Path) -> None:
    config = tmp_path / "verifier.toml"
    config.write_text('resolve = ["a.example:80=127.0.0.1:8080"]\n', encoding="utf-8")
    assert load_settings(config_path=config).resolve == ("a.example:80=127.0.0.1:8080",)
    overridden = load_settings({"resolve": ["b.example:443=127.0.0.1:1"]}, config_path=config)
    assert overridden.resolve == ("b.example:443=127.0.0.1:1",)


def test_bad_flag_exits_2_naming_the_value(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = tmp_path / "doc.md"
    document.write_text("[x](https://example.org/)\n", encoding="utf-8")
    code = main(
        [
            "check",
            str(document),
            "--resolve",
            "example.org:443=nowhere",
            "--output-dir",
            str(tmp_path / "out"),
            "--cache-path",
            str(tmp_path / "cache.sqlite"),
        ]
    )
    assert code == 2
    assert "'example.org:443=nowhere'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_bad_config_value_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = tmp_path / "doc.md"
    document.write_text("[x](https://example.org/)\n", encoding="utf-8")
    config = tmp_path / "verifier.toml"
    config.write_text('resolve = ["example.org:443=127.0.0.1:99999"]\n', encoding="utf-8")
    code = main(["check", str(document), "--config", str(config), "--output-dir", str(tmp_path / "o")])
    assert code == 2
    assert "99999" in capsys.readouterr().err


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def _site(method: str, path: str) -> Reply:
    if path == "/wiki/%E5%8D%97%E9%9F%93":
        return html("南韓 - 维基百科", "大韩民国，通称韩国、南韩。")
    return html("维基百科中没有该名称的条目", status=404)


async def test_https_through_resolve_keeps_host_name_for_sni_and_certificate(
    ca: trustme.CA, ca_file: str
) -> None:
    with NamedHosts({"zh.wikipedia.org": _site}, ca) as hosts:
        settings = Settings(
            **FAST,  # type: ignore[arg-type]
            ca_bundle=ca_file,
            resolve=(f"zh.wikipedia.org:443=127.0.0.1:{hosts.https_port}",),
        )
        async with LiveChecker(settings) as checker:
            verdict = await checker.check("https://zh.wikipedia.org/wiki/%E5%8D%97%E9%9F%93")
        assert verdict.outcome is Outcome.LIVE, verdict.reason
        assert verdict.http_status == 200
        assert hosts.count("zh.wikipedia.org", "/wiki/%E5%8D%97%E9%9F%93") >= 1


async def test_certificate_for_another_name_still_fails(ca: trustme.CA, ca_file: str) -> None:
    """The certificate names zh.wikipedia.org; reaching it as en.wikipedia.org must not pass."""
    with NamedHosts({"zh.wikipedia.org": _site}, ca) as hosts:
        settings = Settings(
            **FAST,  # type: ignore[arg-type]
            ca_bundle=ca_file,
            resolve=(f"en.wikipedia.org:443=127.0.0.1:{hosts.https_port}",),
        )
        async with LiveChecker(settings) as checker:
            verdict = await checker.check("https://en.wikipedia.org/wiki/Seoul")
        assert verdict.outcome is not Outcome.LIVE
        assert verdict.failure is not None and "tls" in verdict.failure
        assert hosts.requests == []


async def test_unmapped_port_is_not_redirected(ca: trustme.CA, ca_file: str) -> None:
    with NamedHosts({"zh.wikipedia.org": _site}, ca) as hosts:
        settings = Settings(
            **FAST,  # type: ignore[arg-type]
            ca_bundle=ca_file,
            resolve=(f"localhost:443=127.0.0.1:{hosts.https_port}",),
        )
        async with LiveChecker(settings) as checker:
            # Port 1 on localhost: nothing listens, and the mapping is for 443 only.
            verdict = await checker.check("http://localhost:1/wiki/x")
        assert verdict.outcome is not Outcome.LIVE
        assert hosts.requests == []


async def test_archive_client_follows_resolve_and_ca_bundle(ca: trustme.CA, ca_file: str) -> None:
    with FakeWayback({"http://example.com/a": [("20120327000000", 200)]}) as fake:
        port = int(fake.url.rsplit(":", 1)[1])
        with TLSFront(("127.0.0.1", port), ca, ["web.archive.org"]) as front:
            settings = Settings(
                **FAST,  # type: ignore[arg-type]
                ca_bundle=ca_file,
                resolve=(f"web.archive.org:443=127.0.0.1:{front.port}",),
            )
            async with ArchiveClient(settings) as archive:
                snapshot = await archive.nearest_snapshot("http://example.com/a", None)
    assert snapshot is not None
    assert snapshot.url == "https://web.archive.org/web/20120327000000/http://example.com/a"
    assert fake.count("cdx") == 1
