"""Reading the archive's replies and building its queries: pure, no sockets."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from verifier.check.archive.cdx import (
    CDXReplyError,
    cdx_listing_url,
    cdx_query_url,
    parse_cdx,
    parse_cdx_page,
    surt,
)
from verifier.check.archive.client import listing_scope
from verifier.check.archive.replies import (
    AvailabilityReplyError,
    parse_availability,
    saved_capture,
    web_location,
)

ORIGINAL = "http://example.com/page?a=1&b=2"


def test_the_cdx_query_asks_for_good_captures_nearest_a_time() -> None:
    address = cdx_query_url("https://web.archive.org/cdx/search/cdx", ORIGINAL, "20120326235959")
    parts = urlsplit(address)
    query = parse_qs(parts.query)
    assert parts.path == "/cdx/search/cdx"
    assert query["url"] == [ORIGINAL]
    assert query["filter"] == ["statuscode:200", "!mimetype:warc/revisit"]
    assert query["sort"] == ["closest"]
    assert query["closest"] == ["20120326235959"]
    assert query["output"] == ["json"]
    assert query["fl"] == ["timestamp,original,statuscode,mimetype,digest"]
    assert query["limit"] == ["10"]
    assert "to" not in query


def test_the_listing_asks_for_every_good_capture_under_a_prefix_or_host_in_index_order() -> None:
    query = parse_qs(
        urlsplit(cdx_listing_url("http://x/cdx", "example.com/blog/", match_type="prefix")).query
    )
    assert query["url"] == ["example.com/blog/"]
    assert query["matchType"] == ["prefix"]
    assert query["filter"] == ["statuscode:200", "!mimetype:warc/revisit"]
    assert query["fl"] == ["urlkey,timestamp,original,statuscode,mimetype"]
    assert query["limit"] == ["2000"]
    assert "sort" not in query and "closest" not in query


def test_surt_keys_as_the_archive_canonicalizes() -> None:
    assert surt("http://www.Example.com:80/A/b/?y=2&x=1#top") == "com,example)/a/b?x=1&y=2"
    assert surt("https://example.com") == surt("http://www2.example.com/") == "com,example)/"
    assert surt("http://127.0.0.1:8080/x/") == "1,0,0,127:8080)/x"


def test_a_listing_covers_the_folder_the_urls_share_or_their_host() -> None:
    assert listing_scope(["http://www.ex.com/blog/2012/a", "https://ex.com/Blog/2013/b"]) == (
        "ex.com/blog/",
        "prefix",
    )
    assert listing_scope(["http://ex.com/a/b/c", "http://ex.com/a/b/d?x"]) == ("ex.com/a/b/", "prefix")
    assert listing_scope(["http://ex.com/a", "http://ex.com/b/c"]) == ("ex.com", "host")
    assert listing_scope(["http://ex.com:8080/", "http://ex.com:8080/b"]) == ("ex.com:8080", "host")


def test_a_page_counts_the_rows_sent_even_those_it_cannot_read() -> None:
    body = json.dumps(
        [
            ["urlkey", "timestamp", "original", "statuscode", "mimetype"],
            ["com,example)/a", "20120326101010", "http://example.com/a", "200", "text/html"],
            ["com,example)/b", "20121326101010", "http://example.com/b", "200", "text/html"],
        ]
    )
    rows, sent = parse_cdx_page(body, ("urlkey", "timestamp", "original", "statuscode", "mimetype"))
    assert [row.urlkey for row in rows] == ["com,example)/a"]
    assert sent == 2


def test_cdx_json_rows() -> None:
    body = json.dumps(
        [
            ["timestamp", "original", "statuscode", "mimetype", "digest"],
            ["20120326101010", ORIGINAL, "200", "text/html", "ABC"],
            ["20150101000000", ORIGINAL, "404", "text/html", "DEF"],
        ]
    )
    rows = parse_cdx(body)
    assert [(r.timestamp, r.status, r.mimetype) for r in rows] == [
        ("20120326101010", 200, "text/html"),
        ("20150101000000", 404, "text/html"),
    ]
    assert rows[0].original == ORIGINAL
    assert (
        rows[0].snapshot("http://archive.test/").url == f"http://archive.test/web/20120326101010/{ORIGINAL}"
    )


def test_cdx_json_stops_at_a_resume_key() -> None:
    body = json.dumps(
        [
            ["timestamp", "original", "statuscode", "mimetype", "digest"],
            ["20120326101010", ORIGINAL, "200", "text/html", "ABC"],
            [],
            ["com%2Cexample%29%2Fpage+20120326101010%21"],
        ]
    )
    assert [r.timestamp for r in parse_cdx(body)] == ["20120326101010"]


def test_cdx_text_rows_in_the_asked_order_and_in_the_default_order() -> None:
    asked = f"20120326101010 {ORIGINAL} 200 text/html ABC\n"
    default = f"com,example)/page 20130101000000 {ORIGINAL} text/html 301 DEF 512\n"
    rows = parse_cdx(asked + default)
    assert [(r.timestamp, r.status) for r in rows] == [("20120326101010", 200), ("20130101000000", 301)]


def test_empty_replies_mean_no_captures() -> None:
    assert parse_cdx("") == []
    assert parse_cdx("[]") == []
    assert parse_cdx("\n") == []


def test_unreadable_rows_are_left_out() -> None:
    body = f"2012 {ORIGINAL} 200 text/html A\n20121301000000 {ORIGINAL} 200 text/html B\n"
    assert parse_cdx(body) == []


@pytest.mark.parametrize(
    "body",
    ["<html>error</html>", '{"error": 1}', "[[1, 2", '"text"', "Service temporarily down, retry later"],
)
def test_a_reply_that_is_not_cdx_is_an_error(body: str) -> None:
    with pytest.raises(CDXReplyError):
        parse_cdx(body)


def availability(closest: dict[str, object] | None) -> str:
    snapshots = {} if closest is None else {"closest": closest}
    return json.dumps({"url": ORIGINAL, "archived_snapshots": snapshots})


def test_availability_good_capture() -> None:
    body = availability(
        {
            "status": "200",
            "available": True,
            "url": f"http://web.archive.org/web/20120326000000/{ORIGINAL}",
            "timestamp": "20120326000000",
        }
    )
    answer = parse_availability(body, ORIGINAL, "http://archive.test")
    assert answer.snapshot is not None
    assert answer.snapshot.url == f"http://archive.test/web/20120326000000/{ORIGINAL}"
    assert answer.snapshot.original == ORIGINAL


def test_availability_rejects_a_capture_that_was_not_a_200() -> None:
    body = availability({"status": "302", "available": True, "url": "x", "timestamp": "20120326000000"})
    answer = parse_availability(body, ORIGINAL, "http://archive.test")
    assert answer.snapshot is None
    assert answer.bad_status == 302


def test_availability_with_nothing_archived() -> None:
    answer = parse_availability(availability(None), ORIGINAL, "http://archive.test")
    assert answer.snapshot is None
    assert answer.bad_status is None


@pytest.mark.parametrize("body", ["nope", "[]", availability({"status": "200", "timestamp": "x"})])
def test_availability_garbage(body: str) -> None:
    with pytest.raises(AvailabilityReplyError):
        parse_availability(body, ORIGINAL, "http://archive.test")


def test_web_location_keeps_the_original_whole() -> None:
    assert web_location(f"https://web.archive.org/web/20120326000000id_/{ORIGINAL}") == (
        "20120326000000",
        ORIGINAL,
    )
    assert web_location("/web/20120326000000/http:/example.com/a") == (
        "20120326000000",
        "http://example.com/a",
    )
    inner = "http://example.com/web/20000101000000/x"
    assert web_location(f"/web/20120326000000/{inner}") == ("20120326000000", inner)
    assert web_location("https://example.com/page") is None


@pytest.mark.parametrize(
    "headers",
    [
        {"content-location": f"/web/20240101010101/{ORIGINAL}"},
        {
            "link": f'<{ORIGINAL}>; rel="original", <https://web.archive.org/web/20240101010101/{ORIGINAL}>; '
            'rel="memento"; datetime="Mon, 01 Jan 2024 01:01:01 GMT"'
        },
        {"location": f"https://web.archive.org/web/20240101010101/{ORIGINAL}"},
    ],
)
def test_save_page_now_names_its_capture_in_several_ways(headers: dict[str, str]) -> None:
    assert saved_capture(headers, "https://web.archive.org/save/x") == ("20240101010101", ORIGINAL)


def test_save_page_now_capture_from_the_final_address_or_none() -> None:
    final = f"https://web.archive.org/web/20240101010101/{ORIGINAL}"
    assert saved_capture({}, final) == ("20240101010101", ORIGINAL)
    assert saved_capture({}, f"https://web.archive.org/save/{ORIGINAL}") is None
