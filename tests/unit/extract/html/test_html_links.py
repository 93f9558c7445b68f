"""Links, embeds and quotations in HTML: which are references, where they are, what they point at."""

from __future__ import annotations

from pathlib import Path

from verifier.extract.base import Extraction, Source
from verifier.extract.html import extract_html
from verifier.model import Reference, ReferenceIssueKind, ReferenceKind


def extract(html: str, fs_path: Path | None = None) -> Extraction:
    found = extract_html(Source(html, "page.html", fs_path))
    for reference in found.references:
        assert html[reference.start : reference.end] == reference.raw
    return found


def only(html: str) -> Reference:
    references = extract(html).references
    assert len(references) == 1, references
    return references[0]


def test_anchor_href_with_position_and_text() -> None:
    reference = only(
        '<html>\n<body>\n  <p>See <a href="https://Example.COM:443/a%20b">the  <b>report</b></a>.</p>\n'
    )
    assert reference.url == "https://example.com/a%20b"
    assert reference.raw == "https://Example.COM:443/a%20b"
    assert (reference.line, reference.column) == (3, 19)
    assert reference.text == "the report"
    assert reference.kind is ReferenceKind.EXTERNAL


def test_every_element_that_points_somewhere() -> None:
    html = (
        '<link rel="stylesheet" href="http://h.test/s.css">'
        '<img src="http://h.test/i.png" alt="An  image">'
        '<blockquote cite="http://h.test/bq">q</blockquote>'
        '<q cite="http://h.test/q">q</q>'
        '<map><area href="http://h.test/area" alt="Area"></map>'
        '<iframe src="http://h.test/frame"></iframe>'
        '<video src="http://h.test/v.mp4" poster="http://h.test/poster.jpg"><source src="http://h.test/v.webm">'
        '<track src="http://h.test/t.vtt"></video>'
        '<audio src="http://h.test/a.ogg"></audio><embed src="http://h.test/e.swf">'
        '<del cite="http://h.test/del">x</del><ins cite="http://h.test/ins">y</ins>'
    )
    references = extract(html).references
    assert [r.url for r in references] == [
        "http://h.test/s.css",
        "http://h.test/i.png",
        "http://h.test/bq",
        "http://h.test/q",
        "http://h.test/area",
        "http://h.test/frame",
        "http://h.test/v.mp4",
        "http://h.test/poster.jpg",
        "http://h.test/v.webm",
        "http://h.test/t.vtt",
        "http://h.test/a.ogg",
        "http://h.test/e.swf",
        "http://h.test/del",
        "http://h.test/ins",
    ]
    assert references[1].text == "An image"
    assert references[4].text == "Area"


def test_srcset_candidates_are_each_a_reference() -> None:
    html = (
        '<img src="http://h.test/small.png"\n     srcset="http://h.test/a.png 1x,\n'
        '             http://h.test/b(2).png 2x, data:image/png;base64,AA 3x,http://h.test/c.png?x=1&amp;y=2">'
        '<picture><source srcset="http://h.test/wide.webp 1200w"></picture>'
    )
    references = extract(html).references
    assert [(r.url, r.line, r.column) for r in references] == [
        ("http://h.test/small.png", 1, 11),
        ("http://h.test/a.png", 2, 14),
        ("http://h.test/b(2).png", 3, 14),
        ("http://h.test/c.png?x=1&y=2", 3, 69),
        ("http://h.test/wide.webp", 3, 127),
    ]


def test_meta_refresh_target_and_object_data() -> None:
    html = (
        '<meta name="description" content="http://not-a-link.test/">'
        '<meta http-equiv="Refresh" content="0; URL=\'http://moved.test/new?a=1&amp;b=2\'">'
        '<meta http-equiv="refresh" content="30">'
        '<object data="http://h.test/movie.swf"></object>'
    )
    references = extract(html).references
    assert [(r.url, r.raw) for r in references] == [
        ("http://moved.test/new?a=1&b=2", "http://moved.test/new?a=1&amp;b=2"),
        ("http://h.test/movie.swf", "http://h.test/movie.swf"),
    ]


def test_base_href_resolves_relative_links() -> None:
    html = (
        '<head><base href="https://wiki.test/wiki/Main"></head>'
        '<a href="Other_page">o</a> <a href="/w/index.php?title=X">x</a> <a href="//cdn.test/f">f</a>'
    )
    urls = [r.url for r in extract(html).references]
    assert urls == [
        "https://wiki.test/wiki/Other_page",
        "https://wiki.test/w/index.php?title=X",
        "https://cdn.test/f",
    ]
    assert all(r.kind is ReferenceKind.EXTERNAL for r in extract(html).references)


def test_relative_base_is_ignored_and_relative_links_stay_internal() -> None:
    references = extract('<base href="sub/"><a href="page.html">p</a>').references
    assert [(r.url, r.kind) for r in references] == [("page.html", ReferenceKind.INTERNAL)]


def test_protocol_relative_without_base_defaults_to_https() -> None:
    assert only('<a href="//cdn.test/lib.js">x</a>').url == "https://cdn.test/lib.js"


def test_scripts_and_inline_data_are_not_references() -> None:
    html = (
        '<a href="javascript:void(0)">j</a><a href=" JavaScript:go()">j</a>'
        '<img src="data:image/png;base64,AAAA"><a href="about:blank">b</a><a href="">empty</a>'
        '<a href="http://kept.test/">kept</a>'
    )
    assert [r.url for r in extract(html).references] == ["http://kept.test/"]


def test_fragment_links_to_existing_anchors_are_not_references() -> None:
    html = (
        '<h2 id="History">H</h2><a name="old"></a>'
        '<a href="#History">h</a><a href="#old">o</a><a href="#">t</a>'
    )
    assert extract(html).references == []


def test_fragment_link_to_missing_anchor_is_reported() -> None:
    reference = only('<p id="here">x</p>\n<a href="#nowhere">broken</a>')
    assert reference.kind is ReferenceKind.INTERNAL
    assert reference.url == "#nowhere"
    assert (reference.line, reference.column) == (2, 10)
    assert [issue.kind for issue in reference.issues] == [ReferenceIssueKind.MISSING_TARGET]


def test_entities_in_href_are_decoded_for_the_url_and_kept_in_raw() -> None:
    reference = only('<a href="http://e.test/q?a=1&amp;b=2&#38;c=%C3%A9">x</a>')
    assert reference.raw == "http://e.test/q?a=1&amp;b=2&#38;c=%C3%A9"
    assert reference.url == "http://e.test/q?a=1&b=2&c=%C3%A9"


def test_uppercase_tags_and_attributes() -> None:
    reference = only('<P><A HREF="HTTP://UPPER.TEST/Path">Up</A></P>')
    assert reference.url == "http://upper.test/Path"
    assert reference.raw == "HTTP://UPPER.TEST/Path"
    assert reference.column == 13


def test_attributes_spanning_lines() -> None:
    html = '<a\n   class="x"\n   href="http://lines.test/a\n/b\tc">t</a>'
    reference = only(html)
    assert (reference.line, reference.column) == (3, 10)
    assert reference.raw == "http://lines.test/a\n/b\tc"
    # Browsers drop line breaks and tabs inside a URL, so the link works and is checked whole.
    assert reference.url == "http://lines.test/a/bc"
    assert reference.issues == ()


def test_spaces_inside_a_wrapped_href_are_malformed() -> None:
    reference = only('<a href="http://lines.test/a\n   /b">t</a>')
    assert reference.url == "http://lines.test/a   /b"
    assert [issue.kind for issue in reference.issues] == [ReferenceIssueKind.MALFORMED_URL]


def test_unquoted_single_quoted_and_duplicate_attributes() -> None:
    html = (
        "<a href=http://bare.test/x>b</a> <a href='http://single.test/y'>s</a>"
        ' <a href="http://first.test" href="http://second.test">d</a>'
    )
    references = extract(html).references
    assert [r.raw for r in references] == ["http://bare.test/x", "http://single.test/y", "http://first.test"]
    assert references[2].url == "http://first.test/"


def test_attribute_name_inside_another_value_is_not_taken() -> None:
    reference = only('<a title="href=http://decoy.test" href="http://real.test/">x</a>')
    assert reference.url == "http://real.test/"
    assert reference.column == 41


def test_comments_and_scripts_hide_links() -> None:
    html = (
        '<!-- <a href="http://commented.test/">c</a> -->\n'
        "<script>document.write('<a href=\"http://scripted.test/\">s</a>')</script>\n"
        '<a href="http://visible.test/">v</a>'
    )
    reference = only(html)
    assert reference.url == "http://visible.test/"
    assert reference.line == 3


def test_malformed_urls_become_issues_not_exceptions() -> None:
    references = extract('<a href="http://[::1">v6</a><a href="http://exa mple.com/">space</a>').references
    assert [r.url for r in references] == ["http://[::1", "http://exa mple.com/"]
    for reference in references:
        assert [issue.kind for issue in reference.issues] == [ReferenceIssueKind.MALFORMED_URL]


def test_mail_doi_and_archive_links() -> None:
    html = (
        '<a href="mailto:editor@example.org">mail</a>'
        '<a href="https://dx.doi.org/10.1000/xyz123">doi</a>'
        '<a href="https://web.archive.org/web/20120326000000/http://www.example.com/page">archived</a>'
    )
    mail, doi, archive = extract(html).references
    assert (mail.kind, mail.url) == (ReferenceKind.EMAIL, "mailto:editor@example.org")
    assert (doi.kind, doi.url) == (ReferenceKind.DOI, "https://doi.org/10.1000/xyz123")
    assert archive.kind is ReferenceKind.ARCHIVE
    assert archive.wayback is not None
    assert (archive.wayback.timestamp, archive.wayback.original) == (
        "20120326000000",
        "http://www.example.com/page",
    )


def test_origin_hints_are_not_references() -> None:
    html = '<link rel="preconnect" href="https://fonts.test"><link rel="dns-prefetch" href="//cdn.test">'
    assert (
        extract(html + '<link rel="icon" href="http://h.test/i.ico">').references[0].url
        == "http://h.test/i.ico"
    )
    assert extract(html).references == []


def test_columns_count_characters_not_bytes() -> None:
    reference = only('<p>日本語の文章 <a href="http://cjk.test/">リンク</a></p>')
    assert reference.column == 20
    assert reference.text == "リンク"


def test_crlf_line_endings() -> None:
    reference = only('<html>\r\n<body>\r\n<a href="http://crlf.test/">x</a>\r\n')
    assert (reference.line, reference.column) == (3, 10)


def test_relative_links_to_missing_local_files(tmp_path: Path) -> None:
    (tmp_path / "exists.html").write_text("ok", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    page = tmp_path / "page.html"
    html = (
        '<a href="exists.html#part">e</a><a href="missing%20file.html">m</a>'
        '<a href="docs/">d</a><a href="/site/root.html">r</a><a href="?page=2">q</a>'
    )
    references = extract(html, fs_path=page).references
    issues = {r.raw: [i.kind for i in r.issues] for r in references}
    assert issues == {
        "exists.html#part": [],
        "missing%20file.html": [ReferenceIssueKind.MISSING_TARGET],
        "docs/": [],
        "/site/root.html": [],
        "?page=2": [],
    }
    assert all(r.kind is ReferenceKind.INTERNAL for r in references)


def test_empty_document_and_text_without_markup() -> None:
    assert extract("").references == []
    assert extract("just words, http://not-a-link.test in plain text").references == []
