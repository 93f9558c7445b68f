"""The fake Wayback Machine itself speaks the real APIs, so tests built on it mean something."""

from __future__ import annotations

import httpx
import pytest

from tests.servers.wayback import Capture, FakeWayback

URL = "http://www.example.com/a"


@pytest.fixture
def fake(wayback: FakeWayback) -> FakeWayback:
    wayback.add(
        URL,
        ("20100101000000", 200, "text/html", "<p>2010</p>"),
        ("20120326120000", 404, "text/html", "gone"),
        ("20130101000000", 200, "warc/revisit", ""),
        Capture("20140101000000", 301, "text/html", b"", location="http://example.com/"),
        ("20150101000000", 200, "text/html", "<p>2015</p>"),
    )
    return wayback


def cdx(fake: FakeWayback, **params: str | list[str]) -> httpx.Response:
    return httpx.get(f"{fake.url}/cdx/search/cdx", params={"url": URL, **params}, timeout=5)


def test_cdx_json_with_fields_filters_and_closest_sort(fake: FakeWayback) -> None:
    reply = cdx(
        fake,
        output="json",
        fl="timestamp,statuscode",
        filter=["statuscode:200", "!mimetype:warc/revisit"],
        sort="closest",
        closest="20120326",
    )
    assert reply.json() == [["timestamp", "statuscode"], ["20100101000000", "200"], ["20150101000000", "200"]]


def test_cdx_text_default_fields_limits_and_dates(fake: FakeWayback) -> None:
    lines = cdx(fake, limit="2").text.splitlines()
    assert len(lines) == 2
    assert lines[0].split() == [
        "com,example)/a",
        "20100101000000",
        URL,
        "text/html",
        "200",
        Capture("x", body=b"<p>2010</p>").digest,
        "11",
    ]
    assert cdx(fake, limit="-1", fl="timestamp").text == "20150101000000\n"
    assert cdx(fake, fastLatest="true", limit="-2", fl="timestamp").text.split() == [
        "20140101000000",
        "20150101000000",
    ]
    assert cdx(fake, fl="timestamp", to="2012").text.split() == ["20100101000000", "20120326120000"]
    assert cdx(fake, fl="timestamp", **{"from": "2014"}).text.split() == ["20140101000000", "20150101000000"]
    assert cdx(fake, fl="timestamp", sort="reverse", limit="1").text == "20150101000000\n"


def test_cdx_matches_urls_the_way_the_archive_does(fake: FakeWayback) -> None:
    reply = httpx.get(
        f"{fake.url}/cdx/search/cdx", params={"url": "https://EXAMPLE.com:443/a", "fl": "timestamp"}
    )
    assert len(reply.text.split()) == 5
    assert cdx(fake, url="http://example.com/other", output="json").json() == []


def test_cdx_refuses_bad_parameters(fake: FakeWayback) -> None:
    assert cdx(fake, filter="nonsense").status_code == 400
    assert cdx(fake, sort="sideways").status_code == 400
    assert httpx.get(f"{fake.url}/cdx/search/cdx").status_code == 400


def test_availability_names_the_nearest_capture_whatever_its_status(fake: FakeWayback) -> None:
    reply = httpx.get(f"{fake.url}/wayback/available", params={"url": URL, "timestamp": "20120301"})
    closest = reply.json()["archived_snapshots"]["closest"]
    assert closest["timestamp"] == "20120326120000" and closest["status"] == "404"
    assert closest["url"] == f"{fake.url}/web/20120326120000/{URL}"
    newest = httpx.get(f"{fake.url}/wayback/available", params={"url": URL}).json()
    assert newest["archived_snapshots"]["closest"]["timestamp"] == "20150101000000"
    nothing = httpx.get(f"{fake.url}/wayback/available", params={"url": "http://x.example/"}).json()
    assert nothing["archived_snapshots"] == {}


def test_replay_redirects_to_the_nearest_capture_and_serves_it(fake: FakeWayback) -> None:
    moved = httpx.get(f"{fake.url}/web/2010id_/{URL}")
    assert moved.status_code == 302
    assert moved.headers["location"] == f"{fake.url}/web/20100101000000id_/{URL}"
    served = httpx.get(moved.headers["location"])
    assert served.status_code == 200 and served.text == "<p>2010</p>"
    assert httpx.get(f"{fake.url}/web/20120326120000id_/{URL}").status_code == 404
    redirect = httpx.get(f"{fake.url}/web/20140101000000id_/{URL}")
    assert redirect.status_code == 301 and redirect.headers["location"] == "http://example.com/"
    assert httpx.get(f"{fake.url}/web/2010/http://never.example/").status_code == 404


def test_save_records_a_capture(fake: FakeWayback) -> None:
    reply = httpx.get(f"{fake.url}/save/http://example.com/new")
    assert reply.status_code == 302
    timestamp = reply.headers["location"].split("/web/")[1][:14]
    assert [c.timestamp for _, c in fake.captures("http://example.com/new")] == [timestamp]


def test_pressure_answers_429_with_retry_after_and_the_log_counts_everything(fake: FakeWayback) -> None:
    fake.pressure(limit=2, window=10, retry_after=7)
    statuses = [cdx(fake).status_code for _ in range(4)]
    assert statuses == [200, 200, 429, 429]
    assert cdx(fake).headers["retry-after"] == "7"
    log = fake.requests
    assert [r.route for r in log] == ["cdx"] * 5
    assert [r.status for r in log] == [200, 200, 429, 429, 429]
    assert log[0].query["url"] == [URL]


@pytest.fixture
def host(wayback: FakeWayback) -> FakeWayback:
    wayback.add("http://b.example.org/x/2", ("20110101000000", 200, "text/html", "x2"))
    wayback.add("https://www.b.example.org/x/1/", ("20100101000000", 200, "text/html", "x1"))
    wayback.add("http://b.example.org/x/1", ("20090101000000", 404, "text/html", "gone"))
    wayback.add("http://b.example.org/y", ("20120101000000", 200, "text/html", "y"))
    wayback.add("http://sub.b.example.org/z", ("20130101000000", 200, "text/html", "z"))
    wayback.add("http://other.example.org/w", ("20140101000000", 200, "text/html", "w"))
    return wayback


def listed(fake: FakeWayback, url: str, **params: str | list[str]) -> list[list[str]]:
    reply = httpx.get(
        f"{fake.url}/cdx/search/cdx",
        params={"url": url, "output": "json", "fl": "urlkey,timestamp", **params},
        timeout=5,
    )
    assert reply.status_code == 200, reply.text
    data = reply.json()
    return data[1:] if data else []


def test_cdx_match_types_list_rows_by_surt_key_then_time(host: FakeWayback) -> None:
    assert listed(host, "b.example.org", matchType="host") == [
        ["org,example,b)/x/1", "20090101000000"],
        ["org,example,b)/x/1", "20100101000000"],
        ["org,example,b)/x/2", "20110101000000"],
        ["org,example,b)/y", "20120101000000"],
    ]
    assert [row[0] for row in listed(host, "b.example.org/x/", matchType="prefix")] == [
        "org,example,b)/x/1",
        "org,example,b)/x/1",
        "org,example,b)/x/2",
    ]
    assert listed(host, "b.example.org/x/*") == listed(host, "b.example.org/x/", matchType="prefix")
    assert [row[0] for row in listed(host, "b.example.org", matchType="domain")][-1] == "org,example,b,sub)/z"
    assert listed(host, "*.b.example.org") == listed(host, "b.example.org", matchType="domain")
    # Exact match by SURT: scheme, www., case and a trailing slash do not matter.
    assert len(listed(host, "HTTPS://B.example.org/X/1/")) == 2


def test_cdx_filter_and_collapse(host: FakeWayback) -> None:
    good = listed(host, "b.example.org", matchType="host", filter="statuscode:200")
    assert [row[1] for row in good] == ["20100101000000", "20110101000000", "20120101000000"]
    once_per_key = listed(host, "b.example.org", matchType="host", collapse="urlkey")
    assert [row[0] for row in once_per_key] == [
        "org,example,b)/x/1",
        "org,example,b)/x/2",
        "org,example,b)/y",
    ]
    by_year_prefix = listed(host, "b.example.org", matchType="host", collapse="urlkey:17")
    assert [row[0] for row in by_year_prefix] == ["org,example,b)/x/1", "org,example,b)/y"]


def test_cdx_paging_counts_index_blocks_before_filters(host: FakeWayback) -> None:
    host.block_rows = 1
    pages = httpx.get(
        f"{host.url}/cdx/search/cdx",
        params={"url": "b.example.org", "matchType": "host", "showNumPages": "true", "pageSize": "2"},
        timeout=5,
    )
    assert pages.text.strip() == "2"  # four captures, two a page
    first = listed(host, "b.example.org", matchType="host", page="0", pageSize="2", filter="statuscode:200")
    second = listed(host, "b.example.org", matchType="host", page="1", pageSize="2", filter="statuscode:200")
    assert [row[1] for row in first] == ["20100101000000"]
    assert [row[1] for row in second] == ["20110101000000", "20120101000000"]
    assert listed(host, "b.example.org", matchType="host", page="2", pageSize="2") == []


def test_cdx_blocked_urls_are_left_out_of_wider_queries(host: FakeWayback) -> None:
    host.block("http://b.example.org/y")
    assert [row[0] for row in listed(host, "b.example.org", matchType="host")][-1] == "org,example,b)/x/2"
    host.block("http://b.example.org/")
    reply = httpx.get(f"{host.url}/cdx/search/cdx", params={"url": "b.example.org", "matchType": "host"})
    assert reply.status_code == 403 and "Blocked Site Error" in reply.text
