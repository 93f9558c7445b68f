"""The seeds' hosts played by local servers, reached by their real names through ``resolve``.

One module-scoped world: every site the seeds cite (on one HTTP and one HTTPS port), the
fake Wayback Machine behind TLS as web.archive.org and archive.org, and two runs of
``verifier check seeds/`` over them (cold, then warm), made as a user makes them: a
subprocess, a config file, the default archive endpoints.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme

from tests.conftest import ROOT
from tests.servers.seedhosts import NamedHosts, Reply, TLSFront, html
from tests.servers.wayback import Capture, FakeWayback, Request

FORMATS = "json,html,md,junit,sarif,csv"

CHOSUN = "http://english.chosun.com/site/data/html_dir/2012/03/26/2012032601079.html"
NBR = "http://www.nbr.org/publications/element.aspx?id=593"
KEIA = "http://www.keia.org/sites/default/files/publications/2012_nuclear_sec_summit_aps.pdf"
CFR = "http://www.cfr.org/south-korea/2012-nuclear-security-summit-south-korean-nuclear-interests/p27660"
COURIER = (
    "http://www.diplomaticourier.com/news/diplomacy/"
    "987-from-washington-to-seoul-advancing-nuclear-security-objectives"
)
COURIER_COPY = f"https://web.archive.org/web/20120923011644/{COURIER}"
FMPRC = "http://www.fmprc.gov.cn/mfa_chn/ziliao_611306/"
FMPRC_PAGES = (
    FMPRC + "1179_611310/t679505.shtml",
    FMPRC + "1179_611310/t920427.shtml",
    FMPRC + "zyjh_611308/t917715.shtml",
)
UN = "http://www.un.org/chinese/aboutun/prinorgs/sc/sres/01/s1371.html"
DACCESS = "http://daccess-ods.un.org/TMP/5597088.93299103.html"
NYTIMES = "http://www.nytimes.com/2010/04/14/world/14summit.html"
SLTRIB = "http://www.sltrib.com/nationworld/ci_14875348"
IAEA = "http://www-ns.iaea.org/downloads/security/itdb-fact-sheet.pdf"

CHOSUN_GOOD = "20120327034512"
NYTIMES_GOOD = "20100414051200"
SLTRIB_GOOD = "20100413193000"

WIKI_TITLES = (
    "南韓",
    "首爾",
    "2010年核安全峰會",
    "中华人民共和国",
    "英国",
    "法国",
    "联合国",
    "國際刑警",
    "欧盟",
    "荷蘭",
    "Category:核扩散",
    "Category:2012年韩国",
    "Category:2012年政府间会议",
    "Category:首尔政治会议",
    "Category:首尔外交事件",
    "Category:2012年3月",
)

_PDF = Reply(
    200, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", {"Content-Type": "application/pdf"}
)


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def wikipedia(method: str, path: str) -> Reply:
    from urllib.parse import quote

    for title in WIKI_TITLES:
        if path == "/wiki/" + quote(title, safe=":"):
            return html(f"{title} - 维基百科，自由的百科全书", f"{title}是一个条目。")
    return html("维基百科中没有该名称的条目", status=404)


def pages(routes: dict[str, Reply], missing: Reply | None = None) -> Any:
    def site(method: str, path: str) -> Reply:
        if path == "/":
            return html("Home", "Welcome to our home page with news and more.")
        return routes.get(path) or missing or html("404 Not Found", status=404)

    return site


def always(reply: Reply) -> Any:
    return lambda method, path: reply


def _bot_wall() -> Reply:
    reply = html("Just a moment...", "Checking your browser before accessing the site.", status=403)
    return Reply(403, reply.body, {**reply.headers, "Server": "cloudflare", "cf-mitigated": "challenge"})


SITES = {
    "zh.wikipedia.org": wikipedia,
    "english.chosun.com": pages({}),
    "www.nbr.org": pages({}, Reply(301, b"", {"Location": "http://www.nbr.org/"})),
    "www.keia.org": pages({_path(KEIA): _PDF}),
    "www.cfr.org": always(_bot_wall()),
    "www.diplomaticourier.com": pages({}),
    "www.fmprc.gov.cn": pages(
        {_path(url): html(f"中华人民共和国外交部 {url[-12:]}", "核安全峰会") for url in FMPRC_PAGES}
    ),
    "www.un.org": pages({}),
    "daccess-ods.un.org": always(html("Service Unavailable", status=503)),
    "www.nytimes.com": pages({}),
    "www.sltrib.com": always(
        html("Page Not Found | The Salt Lake Tribune", "Sorry, we could not find that page.")
    ),
    "www-ns.iaea.org": pages({_path(IAEA): _PDF}),
}

CAPTURES: dict[str, list[Capture]] = {
    CHOSUN: [
        Capture("20120326120000", 404, "text/html", b"<html>Not Found</html>"),
        Capture(CHOSUN_GOOD, 200, "text/html", b"<html><title>Seoul Nuclear Security Summit</title></html>"),
        Capture("20150611080000", 200, "text/html", b"<html><title>Chosun Ilbo</title></html>"),
    ],
    COURIER: [
        Capture("20120923011644", 200, "text/html", b"<html><title>From Washington to Seoul</title></html>")
    ],
    UN: [Capture("20050101000000", 404, "text/html", b"<html>Not Found</html>")],
    NYTIMES: [
        Capture(
            NYTIMES_GOOD, 200, "text/html", b"<html><title>Obama Vows Fresh Proliferation Push</title></html>"
        ),
        Capture("20160101000000", 301, "text/html", b"", "https://www.nytimes.com/"),
    ],
    SLTRIB: [Capture(SLTRIB_GOOD, 200, "text/html", b"<html><title>Summit Draft Calls</title></html>")],
}


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    output_dir: Path
    report: dict[str, Any]
    site_requests: list[tuple[str, str, str]]
    archive_requests: list[Request]

    def link(self, url: str) -> dict[str, Any]:
        found: list[dict[str, Any]] = [link for link in self.report["links"] if link["url"] == url]
        assert len(found) == 1, f"{url} appears {len(found)} times in the report"
        return found[0]


@dataclass
class World:
    hosts: NamedHosts
    wayback: FakeWayback
    folder: Path
    ca_file: Path
    config: Path
    runs: list[Run]


def check(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    environment.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [sys.executable, "-m", "verifier", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
    )


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(json.dumps(item) for item in items) + "]"


def write_config(folder: Path, ca_file: Path, resolve: list[str], canaries: list[str]) -> Path:
    config = folder / "verifier.toml"
    config.write_text(
        "\n".join(
            [
                f"resolve = {_toml_list(resolve)}",
                f"ca-bundle = {json.dumps(str(ca_file))}",
                f"network-canaries = {_toml_list(canaries)}",
                f"cache-path = {json.dumps(str(folder / 'cache.sqlite'))}",
                f'formats = "{FORMATS}"',
                "progress = false",
                "timeout = 5.0",
                "connect-timeout = 2.0",
                "retries = 1",
                "retry-backoff = 0.01",
                "url-budget = 10.0",
                "archive-rate = 6000.0",
                "archive-timeout = 10.0",
                "",
            ]
        ),
        encoding="utf-8",
    )
    return config


def run_check(world_folder: Path, config: Path, name: str, hosts: NamedHosts, wayback: FakeWayback) -> Run:
    output_dir = world_folder / name
    before_sites, before_archive = len(hosts.requests), len(wayback.requests)
    done = check("check", "seeds/", "--config", str(config), "--output-dir", str(output_dir))
    report_path = output_dir / "link-health.json"
    assert report_path.exists(), done.stderr
    report = json.loads(report_path.read_text(encoding="utf-8"))
    return Run(
        done.returncode,
        done.stdout,
        done.stderr,
        output_dir,
        report,
        hosts.requests[before_sites:],
        wayback.requests[before_archive:],
    )


@pytest.fixture(scope="package")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("seeds-world")
    ca = trustme.CA()
    ca_file = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    with NamedHosts(SITES, ca) as hosts, FakeWayback(CAPTURES) as wayback:
        wayback_port = int(wayback.url.rsplit(":", 1)[1])
        with TLSFront(("127.0.0.1", wayback_port), ca, ["web.archive.org", "archive.org"]) as front:
            resolve = [f"zh.wikipedia.org:443=127.0.0.1:{hosts.https_port}"]
            resolve += [
                f"{name}:80=127.0.0.1:{hosts.http_port}" for name in SITES if name != "zh.wikipedia.org"
            ]
            resolve += [f"{name}:443=127.0.0.1:{front.port}" for name in ("web.archive.org", "archive.org")]
            config = write_config(folder, ca_file, resolve, ["localhost"])
            runs = [run_check(folder, config, name, hosts, wayback) for name in ("cold", "warm")]
            yield World(hosts, wayback, folder, ca_file, config, runs)
