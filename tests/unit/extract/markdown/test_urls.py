"""What each URL becomes: normalised form, kind, archive and DOI details, malformed input."""

from __future__ import annotations

from pathlib import Path

from tests.unit.extract.markdown.bench_markdown import generate
from tests.unit.extract.markdown.helpers import extract
from verifier.extract.urls import is_normalised, normalise_url
from verifier.model import ReferenceIssueKind, ReferenceKind


def test_international_host_and_path_are_normalised_while_raw_keeps_the_text() -> None:
    (reference,) = extract("[x](https://BÜCHER.example/中文/页面?q=值#frag)\n").references
    assert reference.raw == "https://BÜCHER.example/中文/页面?q=值#frag"
    assert reference.url == (
        "https://xn--bcher-kva.example/%E4%B8%AD%E6%96%87/%E9%A1%B5%E9%9D%A2?q=%E5%80%BC"
    )


def test_already_encoded_url_is_not_encoded_twice() -> None:
    (reference,) = extract("<https://example.com/a%20b>\n").references
    assert reference.url == "https://example.com/a%20b"


def test_wayback_url_is_an_archive_with_its_original() -> None:
    (reference,) = extract(
        "[copy](https://web.archive.org/web/20120923011644/http://example.com/page)\n"
    ).references
    assert reference.kind is ReferenceKind.ARCHIVE
    assert reference.wayback is not None
    assert reference.wayback.timestamp == "20120923011644"
    assert reference.wayback.original == "http://example.com/page"


def test_doi_links_and_doi_scheme() -> None:
    found = extract("[a](https://doi.org/10.1000/XYZ.1) and [b](doi:10.1234/abc)\n").references
    assert [(r.kind, r.url) for r in found] == [
        (ReferenceKind.DOI, "https://doi.org/10.1000/XYZ.1"),
        (ReferenceKind.DOI, "https://doi.org/10.1234/abc"),
    ]


def test_malformed_urls_become_references_with_an_issue() -> None:
    text = "[v6](http://[::1) and [space](<http://exa mple.com>)\n"
    found = extract(text).references
    assert [r.raw for r in found] == ["http://[::1", "http://exa mple.com"]
    for reference in found:
        assert reference.url == reference.raw
        (issue,) = reference.issues
        assert issue.kind is ReferenceIssueKind.MALFORMED_URL
        assert issue.message


def test_internal_link_present_and_missing(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "Page").mkdir()
    (tmp_path / "Page" / "存在.md").write_text("here", encoding="utf-8")
    document = tmp_path / "docs" / "index.md"
    text = (
        '[ok](../Page/存在.md#part) [gone](../Page/美国.md "wikilink") '
        "[anchor](#top) [enc](../Page/%E5%AD%98%E5%9C%A8.md)\n"
    )
    found = extract(text, path="docs/index.md", fs_path=document).references
    assert [r.kind for r in found] == [ReferenceKind.INTERNAL] * 4
    ok, gone, anchor, encoded = found
    assert ok.url == "Page/存在.md" and ok.issues == ()
    assert gone.url == "Page/美国.md"
    (issue,) = gone.issues
    assert issue.kind is ReferenceIssueKind.MISSING_TARGET
    assert issue.message == "links to ../Page/美国.md, which does not exist"
    assert anchor.url == "#top" and anchor.issues == ()
    assert encoded.issues == ()


def test_internal_link_without_a_file_on_disk_is_not_judged() -> None:
    (reference,) = extract("[x](../Page/美国.md)\n", path="<stdin>").references
    assert reference.kind is ReferenceKind.INTERNAL
    assert reference.issues == ()


def test_absolute_wiki_link_is_external() -> None:
    (reference,) = extract('[南韓](https://zh.wikipedia.org/wiki/南韓 "wikilink")\n').references
    assert reference.kind is ReferenceKind.EXTERNAL
    assert reference.text == "南韓"


def test_fast_normal_check_agrees_with_normalise_url() -> None:
    samples = [
        "https://example.com/a?b=c&d=%20e",
        "http://a.b-c.org/p/(x)?q=?",
        "https://Example.com/a",
        "https://example.com",
        "https://example.com/a#frag",
        "https://example.com:443/a",
        "https://example.com./a",
        "https://user@example.com/a",
        "https://example.com/a b",
        "https://example.com/中文",
        "ftp://files.example.org/pub/x.tar.gz",
        "https://example.com/100%",
        "https://example.com/a%2fb",
        "https://example.com/a%2Fb",
        "https://a..b.example.com/x",
        "https://-a.example.com/x",
    ]
    text = generate(50_000, seed=5)
    samples.extend(reference.raw for reference in extract(text).references)
    for url in samples:
        if is_normalised(url):
            assert normalise_url(url) == url, url
    assert sum(is_normalised(url) for url in samples) > 50
