"""``verifier check`` end to end: real local servers, the fake Wayback Machine, the store."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import jsonschema
import pytest

from tests.integration.check_run.conftest import Site, Workspace
from tests.servers.wayback import Capture

SCHEMA = json.loads((Path(__file__).parents[3] / "verifier" / "report" / "schema.json").read_text())


def validate(report: dict[str, object]) -> None:
    jsonschema.validate(report, SCHEMA)


def test_each_url_is_checked_once_however_often_cited(workspace: Workspace, site: Site) -> None:
    many = site.set("/ok/many")
    once = site.set("/ok/once")
    workspace.write("a.md", f"# A\n\n[one]({many}) and [two]({many}) and [once]({once})\n")
    workspace.write("b.md", f"# B\n\nSee [again]({many}).\n")
    assert workspace.check() == 0
    assert site.count("/ok/many") == site.count("/ok/once") >= 1
    links = workspace.links()
    assert len(links[many]["occurrences"]) == 3
    assert {o["path"].rsplit("/", 1)[-1] for o in links[many]["occurrences"]} == {"a.md", "b.md"}
    report = workspace.report()
    validate(report)
    assert report["summary"]["live"] == 2
    assert report["run"]["status"] == "complete"


def test_report_follows_the_contract(workspace: Workspace, site: Site) -> None:
    ok = site.set("/ok/a")
    gone = site.set("/gone/a", 404)
    workspace.write(
        "a.md",
        f"# Doc\n\n- [live]({ok})\n- [gone]({gone})\n- [mail](mailto:someone@example.org)\n"
        "- [ftp](ftp://files.example.org/x)\n- [inside](other.md)\n",
    )
    assert workspace.check() == 1
    report = workspace.report()
    validate(report)
    assert set(report) >= {
        "schema_version",
        "generated_at",
        "tool",
        "summary",
        "links",
        "documents",
        "changes",
    }
    links = workspace.links()
    assert links[ok]["outcome"] == "live" and links[ok]["http_status"] == 200
    assert links[gone]["outcome"] == "dead" and links[gone]["http_status"] == 404
    assert links[gone]["reason"]
    assert links["mailto:someone@example.org"]["outcome"] == "skipped"
    assert links["ftp://files.example.org/x"]["outcome"] == "skipped"
    assert "ftp" in links["ftp://files.example.org/x"]["reason"]
    assert not any("other.md" in url for url in links)  # internal links are not links to check
    occurrence = links[gone]["occurrences"][0]
    assert (occurrence["line"], occurrence["column"]) == (4, 10)
    assert report["summary"] == {
        "live": 1,
        "archived": 0,
        "dead": 1,
        "restricted": 0,
        "unknown": 0,
        "skipped": 2,
    }


def test_exclude_and_include_patterns_skip_with_a_reason(workspace: Workspace, site: Site) -> None:
    ok = site.set("/ok/a")
    private = site.set("/private/a")
    workspace.write("a.md", f"# Doc\n\n[a]({ok}) [b]({private})\n")
    assert workspace.check("--exclude", "/private/") == 0
    links = workspace.links()
    assert links[private]["outcome"] == "skipped"
    assert links[private]["reason"] == "excluded by pattern '/private/'"
    assert site.count("/private/a") == 0
    assert workspace.check("--include", "/private/", "--no-cache") == 0
    assert workspace.links()[ok]["outcome"] == "skipped"


def test_fail_on_chooses_what_fails(workspace: Workspace, site: Site) -> None:
    forbidden = site.set("/wall", 403)
    workspace.write("a.md", f"# Doc\n\n[a]({forbidden})\n")
    assert workspace.check() == 0  # restricted is never dead
    assert workspace.links()[forbidden]["outcome"] == "restricted"
    assert workspace.check("--fail-on", "restricted,dead") == 1
    assert workspace.check("--fail-on", "never") == 0


def test_dead_link_with_a_good_snapshot_is_archived_nearest_the_access_date(
    workspace: Workspace, site: Site
) -> None:
    gone = site.set("/gone/article", 404)
    workspace.wayback.add(
        gone,
        ("20150101000000", 200, "text/html", b"later"),
        ("20120326120000", 200, "text/html", b"then"),
        ("20120320000000", 404, "text/html", b"archived 404"),
    )
    workspace.write(
        "a.md",
        f"# Doc\n\nA claim.[^1] Another.[^2]\n\n"
        f'[^1]: "Article", retrieved 1 January 2014, {gone}\n'
        f'[^2]: "Article", retrieved 26 March 2012, {gone}\n',
    )
    assert workspace.check() == 0  # archived does not fail the run by default
    link = workspace.links()[gone]
    assert link["outcome"] == "archived"
    assert link["archive"]["timestamp"] == "20120326120000"  # the earliest access date wins
    assert link["http_status"] == 404
    validate(workspace.report())
    assert workspace.check("--fail-on", "archived") == 1


def test_second_run_asks_the_archive_nothing_new(workspace: Workspace, site: Site) -> None:
    gone = site.set("/gone/a", 404)
    never = site.set("/gone/b", 410)
    workspace.wayback.add(gone, ("20120326000000", 200, "text/html", b"then"))
    workspace.write("a.md", f"# Doc\n\n[a]({gone}) [b]({never})\n")
    assert workspace.check() == 1
    asked = workspace.wayback.count()
    assert asked == 1  # both on one host: one listing answers for both
    # Results are checked again (TTL 0), but the archive's answers, found and none, come from the store.
    assert workspace.check("--ttl", "dead=0", "--ttl", "archived=0") == 1
    assert workspace.wayback.count() == asked
    links = workspace.links()
    assert links[gone]["outcome"] == "archived" and links[gone]["from_cache"] is False
    assert links[never]["outcome"] == "dead"
    assert site.count("/gone/a") >= 2


def test_no_archive_and_archive_all(workspace: Workspace, site: Site) -> None:
    gone = site.set("/gone/a", 404)
    ok = site.set("/ok/a")
    workspace.wayback.add(gone, ("20120326000000", 200, "text/html", b"then"))
    workspace.wayback.add(ok, ("20200101000000", 200, "text/html", b"copy"))
    workspace.write("a.md", f"# Doc\n\n[a]({gone}) [b]({ok})\n")
    assert workspace.check("--no-archive") == 1
    assert workspace.wayback.count() == 0
    assert workspace.links()[gone]["outcome"] == "dead"
    # The cached live verdict is decided again under the new archive settings.
    assert workspace.check("--archive-all") == 0
    links = workspace.links()
    assert links[gone]["outcome"] == "archived" and links[gone]["from_cache"] is True
    assert links[ok]["outcome"] == "live"
    assert links[ok]["archive"]["timestamp"] == "20200101000000"


def test_cache_reuse_within_ttl_and_no_cache(workspace: Workspace, site: Site) -> None:
    ok = site.set("/ok/a")
    workspace.write("a.md", f"# Doc\n\n[a]({ok})\n")
    assert workspace.check() == 0
    fetched = site.total()
    assert workspace.check() == 0
    assert site.total() == fetched  # reused, no request at all
    link = workspace.links()[ok]
    assert link["from_cache"] is True
    assert workspace.report()["run"]["reused"] == 1
    assert workspace.check("--no-cache") == 0
    assert site.total() > fetched
    assert workspace.links()[ok]["from_cache"] is False
    assert workspace.check("--ttl", "live=0") == 0
    assert workspace.links()[ok]["from_cache"] is False


def test_failures_that_may_pass_need_repeated_runs(workspace: Workspace, site: Site) -> None:
    broken = site.set("/broken", 500)
    gone = site.set("/gone", 404)
    workspace.write("a.md", f"# Doc\n\n[a]({broken}) [b]({gone})\n")
    assert workspace.check() == 1  # the 404 is dead at once
    links = workspace.links()
    assert links[gone]["outcome"] == "dead"
    assert links[broken]["outcome"] == "unknown"
    assert "called dead after 2" in links[broken]["reason"]
    assert links[broken]["history"]["consecutive_failures"] == 1
    assert workspace.check("--ttl", "dead=0", "--dead-after-interval", "0") == 1
    second = workspace.links()[broken]
    assert second["outcome"] == "dead"
    assert second["history"]["consecutive_failures"] == 2
    assert second["history"]["previous_outcome"] == "unknown"
    assert {"url": broken, "before": "unknown", "after": "dead", "change": "died"} in workspace.report()[
        "changes"
    ]


def test_dead_after_one_calls_a_5xx_dead_at_once(workspace: Workspace, site: Site) -> None:
    broken = site.set("/broken", 500)
    workspace.write("a.md", f"# Doc\n\n[a]({broken})\n")
    assert workspace.check("--dead-after", "1", "--no-archive") == 1
    link = workspace.links()[broken]
    assert link["outcome"] == "dead"
    assert link["history"]["consecutive_failures"] == 1


def test_changes_since_the_last_run(workspace: Workspace, site: Site) -> None:
    flips = site.set("/flips")
    comes_back = site.set("/back", 404)
    stays = site.set("/stays")
    workspace.write("a.md", f"# Doc\n\n[a]({flips}) [b]({comes_back}) [c]({stays})\n")
    assert workspace.check("--no-archive") == 1
    assert workspace.report()["changes"] == []
    site.set("/flips", 404)
    site.set("/back", 200)
    assert workspace.check("--no-archive", "--no-cache") == 1
    changes = {change["url"]: change for change in workspace.report()["changes"]}
    assert changes[flips] == {"url": flips, "before": "live", "after": "dead", "change": "died"}
    assert changes[comes_back]["change"] == "recovered"
    assert stays not in changes
    db = sqlite3.connect(workspace.cache)
    # The second run's checks supersede the first's rows; the history carries what changed.
    assert db.execute("SELECT count(*), count(DISTINCT run) FROM results").fetchone() == (3, 1)
    history = db.execute("SELECT last_outcome, consecutive_failures FROM history WHERE url = ?", (flips,))
    assert history.fetchone() == ("dead", 1)


def test_a_citation_of_an_archive_copy_is_live_when_the_copy_serves(workspace: Workspace, site: Site) -> None:
    gone = site.set("/gone/original", 404)
    workspace.wayback.add(gone, ("20120101000000", 200, "text/html", b"archived page"))
    cited = f"https://web.archive.org/web/20120101000000/{gone}"
    workspace.write("a.md", f"# Doc\n\n[copy]({cited})\n")
    assert workspace.check() == 0
    link = workspace.links()[cited]
    assert link["outcome"] == "live"
    assert link["original_outcome"] == "dead"
    assert link["archive"]["timestamp"] == "20120101000000"
    assert site.count("/gone/original") >= 1
    validate(workspace.report())


def test_save_live_asks_for_a_capture_of_unarchived_live_links(workspace: Workspace, site: Site) -> None:
    ok = site.set("/ok/new")
    kept = site.set("/ok/kept")
    workspace.wayback.add(kept, Capture("20200101000000"))
    workspace.write("a.md", f"# Doc\n\n[a]({ok}) [b]({kept})\n")
    assert workspace.check("--save-live") == 0
    links = workspace.links()
    assert links[ok]["saved_snapshot"]["url"].startswith(workspace.wayback.url)
    assert "saved_snapshot" not in links[kept]
    assert workspace.wayback.count("save") == 1


def test_network_down_is_inconclusive(workspace: Workspace, site: Site) -> None:
    workspace.write("a.md", "# Doc\n\n[a](http://no-such-host.invalid/page)\n")
    code = workspace.check("--network-canaries", "also-missing.invalid", "--fail-on", "dead,unknown")
    assert code == 3
    link = workspace.links()["http://no-such-host.invalid/page"]
    assert link["outcome"] == "unknown"
    assert workspace.report()["run"]["network_down"] is True
    assert workspace.wayback.count() == 0  # an offline checker does not ask the archive


def test_nxdomain_with_the_network_up_is_dead(workspace: Workspace, site: Site) -> None:
    workspace.write("a.md", "# Doc\n\n[a](http://no-such-host.invalid/page)\n")
    assert workspace.check("--no-archive") == 1
    assert workspace.links()["http://no-such-host.invalid/page"]["outcome"] == "dead"


def test_other_formats_and_problems(
    workspace: Workspace, site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    ok = site.set("/ok/a")
    workspace.write("a.md", f"# Doc\n\n[a]({ok})\n")
    (workspace.root / "docs" / "blob.bin").write_bytes(bytes(range(256)) * 64)
    assert workspace.check("--format", "json,md,csv") == 0
    assert (workspace.reports / "link-health.md").is_file()
    assert (workspace.reports / "link-health.csv").is_file()
    err = capsys.readouterr().err
    assert "blob.bin" in err
    assert workspace.report()["problems"]


def test_github_annotations_on_actions(
    workspace: Workspace, site: Site, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = site.set("/gone/a", 404)
    workspace.write("a.md", f"# Doc\n\n[a]({gone})\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert workspace.check("--no-archive") == 1
    out = capsys.readouterr().out
    assert "::error file=" in out and "line=3" in out


def test_summary_lists_dead_links_and_where(
    workspace: Workspace, site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    gone = site.set("/gone/a", 404)
    workspace.write("a.md", f"# Doc\n\n[a]({gone})\n")
    workspace.check("--no-archive")
    out = capsys.readouterr().out
    assert "Dead links (1)" in out
    assert gone in out and "a.md:3" in out


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--max-concurrency", "0"], "max-concurrency"),
        (["--exclude", "("], "not a regular expression"),
        (["--format", "json,pdf"], "unknown report format"),
        (["--fail-on", "broken"], "unknown outcome"),
        (["--timeout", "soon"], "invalid float"),
    ],
)
def test_bad_settings_exit_2_with_a_clear_message(
    workspace: Workspace, site: Site, capsys: pytest.CaptureFixture[str], flags: list[str], message: str
) -> None:
    workspace.write("a.md", f"# Doc\n\n[a]({site.set('/ok')})\n")
    try:
        code = workspace.check(*flags)
    except SystemExit as exit:  # argparse rejects a value of the wrong type itself
        code = int(str(exit.code))
    assert code == 2
    assert message in capsys.readouterr().err
    assert site.total() == 0


def test_bad_config_file_exits_2(
    workspace: Workspace, site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.write("a.md", f"# Doc\n\n[a]({site.set('/ok')})\n")
    config = workspace.root / "verifier.toml"
    config.write_text("max-concurency = 4\n")
    assert workspace.check() == 2
    assert "unknown setting 'max-concurency'" in capsys.readouterr().err


def test_config_file_precedence(workspace: Workspace, site: Site) -> None:
    private = site.set("/private/a")
    workspace.write("a.md", f"# Doc\n\n[a]({private})\n")
    (workspace.root / "pyproject.toml").write_text('[tool.verifier]\nexclude = ["/private/"]\n')
    assert workspace.check() == 0
    assert workspace.links()[private]["outcome"] == "skipped"
    (workspace.root / "verifier.toml").write_text('exclude = []\nfail-on = "live"\n')
    assert workspace.check() == 1  # verifier.toml beats pyproject; live now fails the run
    assert workspace.check("--fail-on", "dead") == 0  # and the command line beats both


def test_no_documents_is_a_usage_error(workspace: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    assert workspace.check() == 2
    assert "no documents" in capsys.readouterr().err


def test_unchanged_documents_are_not_extracted_again(workspace: Workspace, site: Site) -> None:
    ok = site.set("/ok/a")
    other = site.set("/ok/b")
    path = workspace.write("a.md", f"# Doc\n\n[a]({ok})\n")
    assert workspace.check() == 0
    first = workspace.report()["documents"]
    assert workspace.check() == 0
    assert workspace.report()["documents"] == first
    stored = sqlite3.connect(workspace.cache).execute("SELECT count(*) FROM extractions").fetchone()
    assert stored == (1,)
    path.write_text(f"# Doc\n\n[a]({ok}) and [b]({other})\n", encoding="utf-8")
    assert workspace.check() == 0
    assert set(workspace.links()) == {ok, other}


def test_an_archive_that_refuses_is_left_alone_for_the_rest_of_the_run(
    workspace: Workspace, site: Site
) -> None:
    # Answers 100 ms apart, one at a time: the refusal comes long before the next dead link.
    gone = [site.set(f"/gone/{n}", 404, delay=0.1) for n in range(5)]
    workspace.wayback.fail_next(429, times=1000, retry_after=0)
    workspace.write("a.md", "# Doc\n\n" + " ".join(f"[{n}]({url})" for n, url in enumerate(gone)) + "\n")
    assert workspace.check("--host-concurrency", "1") == 1
    links = workspace.links()
    assert all(links[url]["outcome"] == "dead" for url in gone)
    assert all("archive not consulted" in links[url]["reason"] for url in gone)
    assert workspace.wayback.count() == 1  # the refusal stops the lookups
    # Nothing was cached from the refusal: the next run asks again.
    asked = workspace.wayback.count()
    workspace.check("--ttl", "dead=0")
    assert workspace.wayback.count() > asked


def test_a_cut_url_is_reported_unchecked_not_dead(workspace: Workspace, site: Site) -> None:
    ok = site.set("/ok/a")
    workspace.write("paper.txt", f"Sources: http://www.exa mple.com/page and {ok} .\n")
    assert workspace.check("--no-archive") == 0
    links = workspace.links()
    cut = links["http://www.exa/"]
    assert cut["outcome"] == "skipped"
    assert cut["reason"].startswith("not checked: the host 'www.exa' ends in .exa")
    assert links[ok]["outcome"] == "live"
    (reference,) = [
        r for r in workspace.report()["documents"][0]["references"] if r["url"] == "http://www.exa/"
    ]
    assert [issue["kind"] for issue in reference["issues"]] == ["malformed-url"]
