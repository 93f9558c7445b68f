"""URLs in the raw HTML of Markdown: srcset, custom elements, <object codebase>."""

from __future__ import annotations

from tests.unit.extract.markdown.helpers import extract, urls


def test_srcset_in_a_raw_html_block() -> None:
    text = (
        'Intro.\n\n<img src="http://a.test/s.png" srcset="http://a.test/1.png 1x,\n'
        '  http://a.test/2.png 2x">\n'
    )
    found = extract(text)
    assert [(r.url, r.line) for r in found.references] == [
        ("http://a.test/s.png", 3),
        ("http://a.test/1.png", 3),
        ("http://a.test/2.png", 4),
    ]


def test_srcset_in_inline_html_and_in_picture_sources() -> None:
    text = (
        'A picture <img srcset="http://b.test/a.png 640w, http://b.test/b.png 1280w"> inline.\n\n'
        '<picture><source srcset="http://b.test/c.webp" type="image/webp"></picture>\n'
    )
    assert urls(extract(text)) == ["http://b.test/a.png", "http://b.test/b.png", "http://b.test/c.webp"]


def test_custom_elements_in_raw_html() -> None:
    text = (
        'See <my-link href="http://c.test/">c</my-link> here.\n\n'
        '<x-card src="http://d.test/" cite="http://e.test/" data="http://not.test/"></x-card>\n'
    )
    assert urls(extract(text)) == ["http://c.test/", "http://d.test/", "http://e.test/"]


def test_object_codebase_in_raw_html() -> None:
    text = '<object codebase="http://f.test/cab/" data="http://f.test/m.swf"></object>\n'
    assert urls(extract(text)) == ["http://f.test/cab/", "http://f.test/m.swf"]
