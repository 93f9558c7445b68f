"""Bare URLs in running text: exact boundaries, and speed on large or hostile input."""

from __future__ import annotations

import time

import pytest

from verifier.extract.bareurls import continuation_end, find_bare_urls


def urls(text: str) -> list[str]:
    return [text[start:end] for start, end in find_bare_urls(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see http://example.com/a.", ["http://example.com/a"]),
        ("see https://example.com/a, then", ["https://example.com/a"]),
        ("ftp://ftp.example.org/pub/file.tar.gz;", ["ftp://ftp.example.org/pub/file.tar.gz"]),
        ("Go to www.un.org/chinese: now", ["www.un.org/chinese"]),
        ("is it http://example.com/?", ["http://example.com/"]),
        ("wow http://example.com/!", ["http://example.com/"]),
        ("'http://example.com/a'", ["http://example.com/a"]),
        ('"http://example.com/a"', ["http://example.com/a"]),
        ("<http://example.com/a>", ["http://example.com/a"]),
        ("(see http://example.com/a)", ["http://example.com/a"]),
        ("[http://example.com/a]", ["http://example.com/a"]),
        ("https://en.wikipedia.org/wiki/Foo_(bar)", ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
        ("(https://en.wikipedia.org/wiki/Foo_(bar))", ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
        ("https://en.wikipedia.org/wiki/Foo_(bar).", ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
        ("http://x.org/a_(b)_(c)).", ["http://x.org/a_(b)_(c)"]),
        ("https://en.wikipedia.org/wiki/Ender's_Game", ["https://en.wikipedia.org/wiki/Ender's_Game"]),
        ("http://example.com/search?q=a&b=c;", ["http://example.com/search?q=a&b=c"]),
        ("http://example.com/a#frag.", ["http://example.com/a#frag"]),
        ("HTTPS://EXAMPLE.COM/A", ["HTTPS://EXAMPLE.COM/A"]),
        ("WWW.EXAMPLE.COM", ["WWW.EXAMPLE.COM"]),
        ("http://[::1]:8080/a.", ["http://[::1]:8080/a"]),
        ("http://bücher.de/straße.", ["http://bücher.de/straße"]),
        ("http://example.com/a...", ["http://example.com/a"]),
        ("http://example.com/a…", ["http://example.com/a"]),
        ("http://example.com/a—and more", ["http://example.com/a"]),
    ],
)
def test_ascii_boundaries(text: str, expected: list[str]) -> None:
    assert urls(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("见http://www.fmprc.gov.cn/t679505.shtml。下一句", ["http://www.fmprc.gov.cn/t679505.shtml"]),
        ("网址：http://example.com/a，另见", ["http://example.com/a"]),
        ("（http://example.com/a）", ["http://example.com/a"]),
        ("「http://example.com/a」", ["http://example.com/a"]),
        ("『http://example.com/a』", ["http://example.com/a"]),
        ("【http://example.com/a】", ["http://example.com/a"]),
        ("http://example.com/a；http://example.com/b！", ["http://example.com/a", "http://example.com/b"]),
        ("http://example.com/a：说明", ["http://example.com/a"]),
        ("http://example.com/a？", ["http://example.com/a"]),
        ("http://example.com/a、http://example.com/b", ["http://example.com/a", "http://example.com/b"]),
        ("http://example.com/a中文", ["http://example.com/a"]),
        ("http://example.com/a“引号”", ["http://example.com/a"]),
        ("http://example.com/a①", ["http://example.com/a"]),
        ("http://example.com/a¹", ["http://example.com/a"]),
        ("访问www.example.cn/x。", ["www.example.cn/x"]),
        ("http://example.com/ａｂｃ", ["http://example.com/"]),
    ],
)
def test_cjk_boundaries(text: str, expected: list[str]) -> None:
    assert urls(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "http://",
        "https:// spaced",
        "www.",
        "www.localhost",
        "awww.example.com",
        "user@www.example.com",
        "x.www.example.com",
        "see /www.example.com",
        "://example.com",
        "javascript://x",
        "sftp://host.example.com/file",
        "tftp://host.example.com/file",
        "nothing here at all",
    ],
)
def test_no_url(text: str) -> None:
    assert urls(text) == []


def test_url_glued_to_the_word_before_it() -> None:
    assert urls("Availablehttp://example.com/a and 见http://example.cn/b。") == [
        "http://example.com/a",
        "http://example.cn/b",
    ]


def test_several_urls_in_order_without_overlap() -> None:
    text = "a http://a.example/?next=http://b.example/x b www.c.example d https://d.example"
    assert urls(text) == ["http://a.example/?next=http://b.example/x", "www.c.example", "https://d.example"]


def test_offsets_point_into_the_text() -> None:
    text = "前文 http://example.com/路径 后文\n第二行 https://example.org/x。"
    for start, end in find_bare_urls(text):
        assert text[start:end].startswith(("http://", "https://"))
    assert [start for start, _ in find_bare_urls(text)] == [3, text.index("https")]


def test_continuation_end_balances_brackets_over_the_whole_url() -> None:
    # The "(" on the first line makes the ")" on the next one part of the URL...
    text = "http://x.org/Foo_(\nbar)."
    assert text[19 : continuation_end(text, 0, 19)] == "bar)"
    # ...while with no "(" before it, the ")" closes the sentence.
    text = "http://x.org/a/\nb)."
    assert text[16 : continuation_end(text, 0, 16)] == "b"


def test_speed_on_large_plain_text() -> None:
    paragraph = (
        "The committee published its findings in 2012; see http://www.example.com/reports/2012/summary.html "
        "and the annex at www.example.org/annex (pages 4-9). 核安全峰会于2010年召开，见http://www.fmprc.gov.cn/x.shtml。\n"
    ) + "Ordinary prose without any address, repeated to make the text long and realistic.\n" * 20
    text = paragraph * (20_000_000 // len(paragraph.encode()))
    started = time.process_time()
    count = sum(1 for _ in find_bare_urls(text))
    elapsed = time.process_time() - started
    megabytes = len(text.encode()) / 1e6
    assert count == 3 * (20_000_000 // len(paragraph.encode()))
    # The target is 20 MB/s; the bound leaves room for a slow or busy machine.
    assert megabytes / elapsed > 10, f"{megabytes / elapsed:.1f} MB/s"


@pytest.mark.parametrize(
    "hostile",
    [
        "http://" + "(" * 200_000,
        "http://x/" + ")" * 200_000,
        "http://x/" + "." * 200_000 + "a",
        ("http://x/" + "'a" * 100_000),
        "www." * 100_000,
        "http://" * 100_000,
    ],
)
def test_hostile_input_stays_linear(hostile: str) -> None:
    started = time.process_time()
    list(find_bare_urls(hostile))
    assert time.process_time() - started < 2.0
