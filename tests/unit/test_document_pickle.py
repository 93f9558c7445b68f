"""Documents cross to and from extraction workers by pickle: exactly, and compactly."""

from __future__ import annotations

import copy
import datetime as dt
import pickle
import tracemalloc

from verifier.model import (
    Citation,
    Document,
    FootnoteIssue,
    FootnoteIssueKind,
    Format,
    Reference,
    ReferenceIssue,
    ReferenceIssueKind,
    ReferenceKind,
    WaybackLocation,
)


def _document(count: int) -> Document:
    urls = [f"http://a.test/{n}" for n in range(10)]  # one string per URL, as extraction makes them
    references = tuple(
        Reference(
            urls[n % 10],
            urls[n % 10],
            ReferenceKind.EXTERNAL,
            n + 1,
            2,
            n * 30,
            n * 30 + 16,
            f"Title {n}",
        )
        for n in range(count)
    )
    rich = Reference(
        "https://web.archive.org/web/2012/http://b.test/",
        "web.archive.org/web/2012/http://b.test/",
        ReferenceKind.ARCHIVE,
        1,
        1,
        0,
        40,
        text=None,
        footnote="3",
        citation=Citation(title="T", accessed=dt.date(2012, 3, 1)),
        wayback=WaybackLocation("http://b.test/", "2012", "id_"),
        issues=(ReferenceIssue(ReferenceIssueKind.MALFORMED_URL, "cut"),),
        alternatives=("http://b.test/x",),
        page=2,
    )
    return Document(
        "docs/a.md",
        Format.MARKDOWN,
        "utf-8",
        (*references, rich),
        footnote_issues=(FootnoteIssue(FootnoteIssueKind.MISSING_DEFINITION, "4", 9, "no definition"),),
        date=dt.date(2020, 1, 1),
        digest="ef" * 32,
    )


def test_a_document_comes_back_from_pickle_exactly() -> None:
    for document in (_document(0), _document(50), Document("b.md", Format.HTML, "latin-1", ())):
        again = pickle.loads(pickle.dumps(document, protocol=pickle.HIGHEST_PROTOCOL))
        assert again == document
        assert copy.deepcopy(document) == document


def test_references_to_one_url_share_one_string_after_the_trip() -> None:
    again = pickle.loads(pickle.dumps(_document(30)))
    assert again.references[0].url is again.references[10].url


def test_pickling_a_document_holds_no_record_per_reference() -> None:
    document = _document(20_000)

    def peak(value: object) -> int:
        """What pickling ``value`` held at its peak, besides the pickle itself."""
        tracemalloc.start()
        try:
            written = len(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            return tracemalloc.get_traced_memory()[1] - written
        finally:
            tracemalloc.stop()

    # Pickled one by one, each reference's state stays in pickle's memo until the end.
    assert peak(document) < peak(document.references) * 0.6
