"""The soft-404 helpers: wording in eleven languages, fingerprints, sibling URLs. No sockets."""

from __future__ import annotations

import pytest

from verifier.check.live.soft404 import (
    fingerprint,
    matches_probe,
    not_found_phrase,
    sibling_url,
    title_and_heading,
)

NOT_FOUND = [
    # English
    "404 Not Found",
    "Page not found | Example News",
    "Oops! That page can’t be found. – Example",
    "Error 404",
    "The page you were looking for doesn't exist (404)",
    "This page is no longer available",
    "Nothing found",
    # Chinese, simplified and traditional
    "页面不存在 - 示例网",
    "404 找不到页面",
    "抱歉，您访问的页面不存在",
    "找不到網頁",
    "頁面不存在｜範例",
    # Japanese
    "お探しのページは見つかりませんでした",
    "ページが見つかりません | 例",
    # Korean
    "페이지를 찾을 수 없습니다",
    "요청하신 페이지를 찾을 수 없습니다",
    # Spanish
    "Página no encontrada - Ejemplo",
    "Error 404: no encontrado",
    # French
    "Page non trouvée",
    "Erreur 404 - Page introuvable",
    # German
    "Seite nicht gefunden",
    "Fehler 404 – Nicht gefunden",
    # Portuguese
    "Página não encontrada",
    # Russian
    "Страница не найдена",
    "Ошибка 404 — не найдено",
    # Italian
    "Pagina non trovata",
    # Arabic
    "الصفحة غير موجودة",
    "لم يتم العثور على الصفحة",
]

ORDINARY = [
    "Annual report 2011 | Example",
    "Flight MH370 not found after years of searching",
    "Why the Higgs boson was not found sooner",
    "Route 404: a history of the bus line",
    "The 404 error page design gallery",
    "Lost and Found Office opening hours",
    "找到你的方向 - 示例",
    "Die Seite für Kinder",
    "Página principal",
    "",
    None,
]


@pytest.mark.parametrize("title", NOT_FOUND)
def test_not_found_wording_is_recognised(title: str) -> None:
    assert not_found_phrase(title) is not None


@pytest.mark.parametrize("title", ORDINARY)
def test_ordinary_titles_are_left_alone(title: str | None) -> None:
    assert not_found_phrase(title) is None


def test_title_and_heading_from_markup() -> None:
    markup = (
        "<html><head><TITLE>\n A &amp; B </TITLE></head><body><h1 class='x'>First <b>one</b></h1><h1>2</h1>"
    )
    assert title_and_heading(markup) == ("A & B", "First one")
    assert title_and_heading("<p>no title</p>") == (None, None)


def test_sibling_is_in_the_same_folder_with_a_random_name() -> None:
    url = "https://example.org/a/b/page.html?x=1#top"
    sibling = sibling_url(url)
    assert sibling.startswith("https://example.org/a/b/")
    assert "?" not in sibling and "#" not in sibling
    assert sibling != sibling_url(url)
    assert sibling_url("https://example.org", "zz") == "https://example.org/zz"


TEMPLATE = "<title>Example Library</title><p>Welcome to the library. Opening hours are nine to five.</p>"


def _fp(url: str, markup: str, final: str | None = None, status: int = 200) -> object:
    title, _ = title_and_heading(markup)
    return fingerprint(status=status, url=url, final_url=final or url, title=title, markup=markup)


def test_a_page_like_the_nonsense_answer_matches() -> None:
    probe = _fp("https://x.org/a/k3j4h5", TEMPLATE.replace("library.", "library. You asked for /a/k3j4h5."))
    page = _fp("https://x.org/a/report", TEMPLATE.replace("library.", "library. You asked for /a/report."))
    assert matches_probe(probe, page) is not None  # type: ignore[arg-type]


def test_a_distinct_page_does_not_match() -> None:
    probe = _fp("https://x.org/a/k3j4h5", "<title>Oops</title><p>We could not find that, sorry.</p>")
    page = _fp("https://x.org/a/report", "<title>Report 2011</title><p>Revenue rose by a third in 2011.</p>")
    assert matches_probe(probe, page) is None  # type: ignore[arg-type]


def test_same_redirect_target_matches() -> None:
    probe = _fp("https://x.org/a/k3j4h5", "<title>Search</title>", final="https://x.org/search")
    page = _fp("https://x.org/a/report", "<title>Search results</title>", final="https://x.org/search")
    assert matches_probe(probe, page) is not None  # type: ignore[arg-type]


def test_an_honest_host_never_matches() -> None:
    probe = _fp("https://x.org/a/k3j4h5", TEMPLATE, status=404)
    page = _fp("https://x.org/a/report", TEMPLATE)
    assert matches_probe(probe, page) is None  # type: ignore[arg-type]
    assert matches_probe(None, page) is None  # type: ignore[arg-type]


def test_an_app_shell_proves_nothing() -> None:
    shell = (
        "<title>Docs</title><div id='root'></div><script src='/app.js'></script>"
        "<noscript>You need to enable JavaScript to run this app.</noscript>"
    )
    probe = _fp("https://x.org/a/k3j4h5", shell)
    page = _fp("https://x.org/a/guide", shell)
    assert matches_probe(probe, page) is None  # type: ignore[arg-type]
