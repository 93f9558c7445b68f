"""``verifier check seeds/`` end to end, every cited host played by a local server under its own name."""

from __future__ import annotations

import csv
import json
import socket
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from tests.integration.seeds.conftest import (
    CFR,
    CHOSUN,
    CHOSUN_GOOD,
    COURIER_COPY,
    DACCESS,
    FMPRC_PAGES,
    IAEA,
    KEIA,
    NBR,
    NYTIMES,
    NYTIMES_GOOD,
    SITES,
    SLTRIB,
    SLTRIB_GOOD,
    UN,
    WIKI_TITLES,
    World,
    check,
    write_config,
)
from verifier.report.validate import contract_errors

SEED_000 = "seeds/000_c3dc2c98d2c962ed.txt"
SEED_003 = "seeds/003_a0175d8ff7ab9ad7.txt"

EXPECTED = {
    **{f"https://zh.wikipedia.org/wiki/{quote(title, safe=':')}": "live" for title in WIKI_TITLES},
    CHOSUN: "archived",
    NBR: "dead",
    KEIA: "live",
    CFR: "restricted",
    COURIER_COPY: "live",
    **dict.fromkeys(FMPRC_PAGES, "live"),
    UN: "dead",
    DACCESS: "unknown",
    NYTIMES: "archived",
    SLTRIB: "archived",
    IAEA: "live",
}


def _target(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_cold_run_exits_1_with_every_expected_outcome(world: World) -> None:
    run = world.runs[0]
    assert run.code == 1, run.stderr
    assert "Traceback" not in run.stderr
    outcomes = {link["url"]: link["outcome"] for link in run.report["links"]}
    assert outcomes == EXPECTED
    assert run.report["summary"] == {
        "live": 22,
        "archived": 3,
        "dead": 2,
        "restricted": 1,
        "unknown": 1,
        "skipped": 0,
    }


def test_snapshots_are_the_good_ones_nearest_the_citation(world: World) -> None:
    run = world.runs[0]
    chosun = run.link(CHOSUN)
    # The access date is 2012-03-26: the archived 404 of that day never counts, 2015 is too late.
    assert chosun["archive"]["timestamp"] == CHOSUN_GOOD
    assert chosun["archive"]["url"] == f"https://web.archive.org/web/{CHOSUN_GOOD}/{CHOSUN}"
    assert chosun["http_status"] == 404
    assert [o["accessed"] for o in chosun["occurrences"]] == ["2012-03-26"]
    # The newest good capture: the later archived redirect is no snapshot of the article.
    assert run.link(NYTIMES)["archive"]["timestamp"] == NYTIMES_GOOD
    assert run.link(SLTRIB)["archive"]["timestamp"] == SLTRIB_GOOD
    assert "soft 404" in run.link(SLTRIB)["reason"]
    # Only archived 404s (un.org) or nothing at all (nbr.org): dead, no snapshot.
    assert run.link(UN)["archive"] is None
    assert run.link(NBR)["archive"] is None
    assert run.link(NBR)["redirects"] == ["http://www.nbr.org/"]
    assert "home page" in run.link(NBR)["reason"]


def test_archive_citation_is_live_with_its_original_reported(world: World) -> None:
    link = world.runs[0].link(COURIER_COPY)
    assert link["outcome"] == "live"
    assert link["original_outcome"] == "dead"
    assert link["archive"]["timestamp"] == "20120923011644"
    replays = [r for r in world.runs[0].archive_requests if r.route == "web"]
    assert replays and all("20120923011644" in r.path for r in replays)
    assert world.hosts.count("www.diplomaticourier.com", "/news/diplomacy/" + COURIER_COPY.rsplit("/", 1)[1])


def test_bot_wall_and_flaky_server_are_never_called_dead(world: World) -> None:
    run = world.runs[0]
    assert "Cloudflare" in run.link(CFR)["reason"]
    assert run.link(CFR)["http_status"] == 403
    assert "503" in run.link(DACCESS)["reason"]


def test_every_unique_url_is_asked_once_per_run(world: World) -> None:
    run = world.runs[0]
    asked = Counter(run.site_requests)
    cited = {(urlsplit(url).hostname or "", _target(url)) for url in EXPECTED}
    # Redirect targets and soft-404 probes are not cited; the 503 is retried on purpose.
    repeated = {
        key: n
        for key, n in asked.items()
        if n > 1 and (key[0], key[2]) in cited and key[0] != "daccess-ods.un.org"
    }
    assert repeated == {}
    assert all(
        asked[(host, "GET", path)] + asked[(host, "HEAD", path)] >= 1
        for host, path in cited
        if host != "web.archive.org"
    )
    # Cited three times and twice in seed 003, asked as often as a URL cited once.
    for url in FMPRC_PAGES:
        path = "/" + url.split("/", 3)[3]
        assert asked[("www.fmprc.gov.cn", "GET", path)] <= 1
        assert asked[("www.fmprc.gov.cn", "HEAD", path)] <= 1
    assert len(run.link(FMPRC_PAGES[1])["occurrences"]) == 3
    assert len(run.link(FMPRC_PAGES[0])["occurrences"]) == 2
    # Every host the seeds cite was reached under its own name.
    assert {host for host, _, _ in run.site_requests} == set(SITES)
    assert {r.route for r in run.archive_requests} <= {"cdx", "web"}


def test_wrapped_urls_are_checked_whole(world: World) -> None:
    run = world.runs[0]
    for url, line in ((NYTIMES, 584), (SLTRIB, 586)):
        [occurrence] = run.link(url)["occurrences"]
        assert (occurrence["path"], occurrence["line"]) == (SEED_003, line)
    paths = {path for host, _, path in run.site_requests if host in ("www.nytimes.com", "www.sltrib.com")}
    assert "/2010/04/14/world/14summit.html" in paths
    assert "/nationworld/ci_14875348" in paths
    [document] = [d for d in run.report["documents"] if d["path"] == SEED_003]
    raws = {r["url"]: r["raw"] for r in document["references"] if r["url"] in (NYTIMES, SLTRIB)}
    assert all("\n" in raw for raw in raws.values()), raws


def test_report_follows_the_contract(world: World) -> None:
    report = world.runs[0].report
    assert contract_errors(report) == []
    assert report["schema_version"] == 1
    assert report["tool"]["name"] == "verifier"
    for link in report["links"]:
        assert link["reason"]
        assert link["checked_at"].endswith("Z")
        assert link["occurrences"], link["url"]
        for occurrence in link["occurrences"]:
            assert occurrence["path"] in (SEED_000, SEED_003)
            assert occurrence["line"] >= 1 and occurrence["column"] >= 1
    assert [d["path"] for d in report["documents"]] == [SEED_000, SEED_003]
    assert {d["path"]: d["format"] for d in report["documents"]} == {SEED_000: "markdown", SEED_003: "text"}
    assert report["run"]["status"] == "complete"
    assert report["run"]["network_down"] is False


def test_missing_internal_pages_and_empty_footnote_are_reported(world: World) -> None:
    report = world.runs[0].report
    [seed] = [d for d in report["documents"] if d["path"] == SEED_000]
    internal = [r for r in seed["references"] if r["kind"] == "internal"]
    assert [r["raw"] for r in internal] == [
        "../Page/國際會議暨展示中心.md",
        "../Page/美国.md",
        "../Page/俄罗斯.md",
        "../Page/国际原子能机构.md",
    ]
    assert all([i["kind"] for i in r["issues"]] == ["missing-target"] for r in internal)
    assert [(i["kind"], i["label"]) for i in seed["footnote_issues"]] == [("empty-definition", "2")]
    markdown = (world.runs[0].output_dir / "link-health.md").read_text(encoding="utf-8")
    assert "empty" in markdown.lower()


def test_every_format_is_written_and_readable(world: World) -> None:
    folder = world.runs[0].output_dir
    names = sorted(path.name for path in folder.iterdir())
    assert names == [
        "link-health.csv",
        "link-health.html",
        "link-health.json",
        "link-health.junit.xml",
        "link-health.md",
        "link-health.sarif",
    ]
    sarif = json.loads((folder / "link-health.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    failing = [r for r in sarif["runs"][0]["results"] if r.get("level") == "error"]
    assert {r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in failing} >= {11, 374}
    junit = ElementTree.parse(folder / "link-health.junit.xml").getroot()
    failures = [case for case in junit.iter("testcase") if case.find("failure") is not None]
    assert len(failures) == 2  # nbr.org and un.org: dead, the default --fail-on
    with (folder / "link-health.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["url"] for row in rows} >= set(EXPECTED)
    html = (folder / "link-health.html").read_text(encoding="utf-8")
    assert f"https://web.archive.org/web/{CHOSUN_GOOD}/{CHOSUN}" in html


def test_warm_run_asks_the_archive_nothing_and_reuses_the_cache(world: World) -> None:
    cold, warm = world.runs
    assert warm.code == 1
    assert warm.archive_requests == []
    assert {link["url"]: link["outcome"] for link in warm.report["links"]} == EXPECTED
    assert warm.link(CHOSUN)["archive"] == cold.link(CHOSUN)["archive"]
    # Only the link whose last answer was "unknown" (kept for no time) is asked again.
    assert {host for host, _, _ in warm.site_requests} == {"daccess-ods.un.org"}
    assert warm.report["run"]["reused"] == len(EXPECTED) - 1
    assert warm.link(KEIA)["from_cache"] is True
    assert warm.report["run"]["requests"]["archive"] == 0


def _resolves(name: str) -> bool:
    try:
        socket.getaddrinfo(name, 80)
    except OSError:
        return False
    return True


def test_offline_every_verdict_is_unknown_and_exit_3(world: World, tmp_path: Path) -> None:
    names = ["web.archive.org", *SITES]
    if any(_resolves(name) for name in names):
        pytest.skip("this machine resolves public names; the offline case needs one that does not")
    config = write_config(tmp_path, world.ca_file, [], ["web.archive.org", "www.iana.org"])
    before_sites, before_archive = len(world.hosts.requests), len(world.wayback.requests)
    done = check("check", "seeds/", "--config", str(config), "--output-dir", str(tmp_path / "out"))
    assert done.returncode == 3, done.stderr
    assert "could not reach the network" in done.stderr
    report = json.loads((tmp_path / "out" / "link-health.json").read_text(encoding="utf-8"))
    assert {link["outcome"] for link in report["links"]} == {"unknown"}
    assert len(report["links"]) == len(EXPECTED)
    assert report["run"]["network_down"] is True
    assert len(world.hosts.requests) == before_sites
    assert len(world.wayback.requests) == before_archive
