"""Content drift end to end: saved copies of real-looking pages served on loopback, cited with titles.

The pages in ``pages/`` are what a citation meets in the wild: a news article whose <title>
ends in the site's name, an institute page whose <title> is only the institute's name but
whose <h1> is the brief cited, a Chinese resolution cited with full-width punctuation, a
headline in capitals and curly quotes, a script-rendered page whose only matching title is
og:title. None of them may draw a warning. A domain taken over by a casino and an article
address that now shows the section front must.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.integration.check_run.conftest import Site, Workspace
from verifier.check.drift import THRESHOLD, compare, og_title, usable_title
from verifier.check.live.soft404 import title_and_heading

PAGES = Path(__file__).parent / "pages"
SCHEMA = json.loads((Path(__file__).parents[3] / "verifier" / "report" / "schema.json").read_text())


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def page_titles(name: str) -> list[str | None]:
    markup = page(name).decode("utf-8")
    title, heading = title_and_heading(markup)
    return [title, og_title(markup), heading]


# (page, the title a citation gives it): the page is the one cited.
SAME_PAGE = [
    ("news_article.html", "Seoul Nuclear Security Summit Gets Underway Monday"),
    ("generic_title.html", "Securing nuclear materials: priorities for the 2012 Seoul summit"),
    ("cjk_resolution.html", "联合国安理会第 1373（2001）号决议"),
    ("punctuation.html", "Obama vows “fresh” proliferation push, as summit ends"),
    ("og_title_only.html", "Summit Draft Calls for Securing All Nuclear Materials in Four Years"),
]
# (page, the title cited): the page is clearly another.
OTHER_PAGE = [
    ("taken_over.html", "Seoul Nuclear Security Summit Gets Underway Monday"),
    ("section_front.html", "Obama Vows Fresh Proliferation Push as Summit Ends"),
]


@pytest.mark.parametrize(("name", "cited"), SAME_PAGE)
def test_the_cited_page_is_never_called_drifted(name: str, cited: str) -> None:
    assert compare([cited], page_titles(name)) is None


@pytest.mark.parametrize(("name", "cited"), OTHER_PAGE)
def test_another_page_is(name: str, cited: str) -> None:
    drift = compare([cited], page_titles(name))
    assert drift is not None and drift.similarity < THRESHOLD
    assert drift.cited_title == cited


def test_titles_in_another_script_are_not_compared() -> None:
    # A citation translated into English of a Chinese page says nothing about drift.
    assert compare(["Security Council Resolution 1373 (2001)"], page_titles("cjk_resolution.html")) is None
    assert compare(["联合国安理会第 1373（2001）号决议"], page_titles("taken_over.html")) is None


@pytest.mark.parametrize(
    "text", ["here", "click here", "PDF", "Google", "https://example.org/a", "example.org/report", "首爾", ""]
)
def test_link_text_is_no_title(text: str) -> None:
    assert usable_title(text) is None


def test_og_title_in_either_attribute_order() -> None:
    assert og_title('<meta content="A &amp; B" property="og:title">') == "A & B"
    assert og_title("<meta property='og:title' content='Quoted \"title\"'>") == 'Quoted "title"'
    assert og_title('<meta property="og:site_name" content="Site">') is None


def _cite(workspace: Workspace, entries: list[tuple[str, str]]) -> None:
    """A Markdown document whose footnotes cite each URL by its title, as an editor writes them."""
    marks = " ".join(f"Claim {n}.[^{n}]" for n in range(1, len(entries) + 1))
    notes = "\n".join(
        f"[^{n}]: [{title}]({url}), accessed 2012-04-01." for n, (url, title) in enumerate(entries, 1)
    )
    workspace.write("a.md", f"# Sources\n\n{marks}\n\n{notes}\n")


def _serve(site: Site, names: list[str]) -> dict[str, str]:
    return {name: site.set(f"/{name}", body=page(name)) for name in names}


def test_no_warning_where_the_page_is_the_cited_one(workspace: Workspace, site: Site) -> None:
    urls = _serve(site, [name for name, _ in SAME_PAGE])
    _cite(workspace, [(urls[name], cited) for name, cited in SAME_PAGE])
    assert workspace.check() == 0
    report = workspace.report()
    jsonschema.validate(report, SCHEMA)
    for url in urls.values():
        link = workspace.links()[url]
        assert link["outcome"] == "live"
        assert "warnings" not in link, link["warnings"]


def test_a_warning_where_the_page_is_another(workspace: Workspace, site: Site) -> None:
    urls = _serve(site, ["taken_over.html", "news_article.html"])
    _cite(
        workspace,
        [
            (urls["taken_over.html"], "Seoul Nuclear Security Summit Gets Underway Monday"),
            (urls["news_article.html"], "Seoul Nuclear Security Summit Gets Underway Monday"),
        ],
    )
    assert workspace.check() == 0  # a warning, never a failure
    report = workspace.report()
    jsonschema.validate(report, SCHEMA)
    link = workspace.links()[urls["taken_over.html"]]
    assert link["outcome"] == "live"
    [warning] = link["warnings"]
    assert warning["kind"] == "content-drift"
    assert warning["cited_title"] == "Seoul Nuclear Security Summit Gets Underway Monday"
    # The page's own words, as it shows them, whichever of its titles came closest.
    assert "Casino" in warning["found_title"]
    assert 0 <= warning["similarity"] < THRESHOLD
    assert warning["snapshot"] is None
    assert "warnings" not in workspace.links()[urls["news_article.html"]]


def test_a_warm_run_keeps_the_warning(workspace: Workspace, site: Site) -> None:
    urls = _serve(site, ["taken_over.html"])
    _cite(workspace, [(urls["taken_over.html"], "Seoul Nuclear Security Summit Gets Underway Monday")])
    assert workspace.check() == 0
    first = workspace.links()[urls["taken_over.html"]]["warnings"]
    assert workspace.check() == 0
    link = workspace.links()[urls["taken_over.html"]]
    assert link["from_cache"] is True  # reused from the store, not asked again
    assert link["warnings"] == first


def test_drift_never_fails_the_run_even_on_fail_on_live(workspace: Workspace, site: Site) -> None:
    urls = _serve(site, ["taken_over.html"])
    _cite(workspace, [(urls["taken_over.html"], "Obama Vows Fresh Proliferation Push as Summit Ends")])
    assert workspace.check("--fail-on", "dead") == 0
    assert workspace.links()[urls["taken_over.html"]]["warnings"]


def test_the_snapshot_is_what_the_citation_meant(workspace: Workspace, site: Site) -> None:
    urls = _serve(site, ["section_front.html"])
    url = urls["section_front.html"]
    workspace.wayback.add(url, ("20100414051200", 200, "text/html", b"<title>Obama Vows</title>"))
    workspace.wayback.add(url, ("20240105000000", 200, "text/html", b"<title>World News</title>"))
    workspace.write(
        "a.md",
        f"# Sources\n\nClaim.[^1]\n\n[^1]: [Obama Vows Fresh Proliferation Push as Summit Ends]({url}),"
        " accessed 2010-04-15.\n",
    )
    assert workspace.check("--archive-all") == 0
    link = workspace.links()[url]
    [warning] = link["warnings"]
    assert link["archive"]["timestamp"] == "20100414051200"
    assert warning["snapshot"] == link["archive"]


def test_a_soft_404_is_dead_not_drifted(workspace: Workspace, site: Site) -> None:
    urls = _serve(site, ["not_found.html"])
    _cite(workspace, [(urls["not_found.html"], "Seoul Nuclear Security Summit Gets Underway Monday")])
    workspace.check()
    link = workspace.links()[urls["not_found.html"]]
    assert link["outcome"] in ("dead", "archived")
    assert "warnings" not in link


def test_titled_links_are_read_with_get_and_counted(workspace: Workspace, site: Site) -> None:
    titled = site.set("/titled", body=page("news_article.html"))
    untitled = site.set("/untitled", body=page("news_article.html"))
    link_text = site.set("/link-text", body=page("news_article.html"))
    workspace.write(
        "a.md",
        "# Sources\n\nOne.[^1] Two.[^2] Three [untitled](" + untitled + ").\n\n"
        f"[^1]: [Seoul Nuclear Security Summit Gets Underway Monday]({titled}).\n"
        # Link text that is no title leaves the link to a HEAD.
        f"[^2]: [here]({link_text}).\n",
    )
    assert workspace.check() == 0
    assert site.methods[("GET", "/titled")] == 1 and site.methods[("HEAD", "/titled")] == 0
    assert site.methods[("HEAD", "/untitled")] == 1 and site.methods[("GET", "/untitled")] == 0
    assert site.methods[("HEAD", "/link-text")] == 1 and site.methods[("GET", "/link-text")] == 0
    requests = workspace.report()["run"]["requests"]
    assert requests["title"] == 1
    assert requests["live"] == 3


def test_a_run_without_titles_reports_no_title_requests(workspace: Workspace, site: Site) -> None:
    ok = site.set("/ok")
    workspace.write("a.md", f"# Doc\n\n[a]({ok})\n")
    assert workspace.check() == 0
    assert workspace.report()["run"]["requests"] == {"live": 1, "archive": 0}


def test_every_format_shows_the_warning(
    workspace: Workspace, site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = _serve(site, ["taken_over.html"])
    url = urls["taken_over.html"]
    _cite(workspace, [(url, "Seoul Nuclear Security Summit Gets Underway Monday")])
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert workspace.check("--formats", "json,html,md,junit,sarif,csv") == 0
    out = capsys.readouterr()
    printed = out.out + out.err
    assert any(
        line.startswith("::warning ") and "title=Content drift" in line for line in printed.splitlines()
    )
    reports = workspace.reports
    assert "## Content drift (1)" in (reports / "link-health.md").read_text(encoding="utf-8")
    junit = (reports / "link-health.junit.xml").read_text(encoding="utf-8")
    assert 'name="content-drift"' in junit and "<failure" not in junit
    sarif: dict[str, Any] = json.loads((reports / "link-health.sarif").read_text(encoding="utf-8"))
    [drift] = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "link/content-drift"]
    assert drift["level"] == "warning"
    csv = (reports / "link-health.csv").read_text(encoding="utf-8-sig")
    assert csv.splitlines()[0].endswith(",content_drift") and "Casino" in csv
    html = (reports / "link-health.html").read_text(encoding="utf-8")
    assert 'id="drift"' in html and "content drift" in html


def test_summary_counts_drift(workspace: Workspace, site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    urls = _serve(site, ["taken_over.html"])
    _cite(workspace, [(urls["taken_over.html"], "Seoul Nuclear Security Summit Gets Underway Monday")])
    assert workspace.check() == 0
    out = capsys.readouterr()
    assert "Content drift: 1 live link shows another title than cited" in out.out + out.err
