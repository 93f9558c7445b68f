"""PDF files: each page's text read as PDF text is, and the link annotations on the page.

A PDF's text layer breaks URLs (across lines, or with a space inside a path); a link
annotation's ``/URI`` is the address exactly. Each annotation is matched to the URL found
where its page's text spells it, whose place it keeps; an annotation with no such text is
recorded by itself. Footnotes are read page by page, as their numbering restarts per page.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from verifier._exceptions import InputError
from verifier.extract.base import Extraction, Source
from verifier.extract.sniff import sniff_bytes
from verifier.extract.text import extract_page_text
from verifier.extract.urls import read_url
from verifier.model import Format, InputProblem, Reference

if TYPE_CHECKING:
    from pypdf import PageObject, PdfReader

# pypdf reports what it repairs in a damaged file through logging; with no handler of the
# application's, Python would print each of those notes on stderr in the middle of a run.
logging.getLogger("pypdf").addHandler(logging.NullHandler())

_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*://", re.IGNORECASE)
# What may follow the last character of a URL spelled in text: it ends the URL there.
_URL_END = frozenset(" \t\r\n\u00a0\u3000.,;:!?'\")]}>/。，；：！？）」』】、")


def extract_pdf(source: Source) -> Extraction:
    """Every reference on every page of the PDF in ``source.data``."""
    data = source.data
    if data is None or sniff_bytes(data) is not Format.PDF:
        raise InputError(source.path, "not a PDF file (it does not start with %PDF-); file skipped")
    reader = _open(data, source.path)
    extraction = Extraction()
    try:
        pages = list(reader.pages)
    except Exception as error:  # pypdf raises many kinds on a broken page tree
        raise InputError(source.path, f"damaged PDF: {_describe(error)}; file skipped") from error
    for number, page in enumerate(pages, start=1):
        try:
            text = page.extract_text() or ""
        except Exception as error:
            # One unreadable page (a broken content stream) leaves the others readable.
            message = f"page {number}: its text could not be read ({_describe(error)}); only its links are"
            extraction.problems.append(InputProblem(source.path, None, message, severity="warning"))
            text = ""
        found = extract_page_text(Source(text=text, path=source.path, fs_path=source.fs_path), number)
        extraction.references.extend(_with_annotations(found.references, _link_uris(page), text, number))
        extraction.footnote_issues.extend(found.footnote_issues)
        if number == 1:
            extraction.date = found.date
    return extraction


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _open(data: bytes, path: str) -> PdfReader:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
    except Exception as error:
        raise InputError(path, f"damaged PDF: {_describe(error)}; file skipped") from error
    if reader.is_encrypted:
        # Many PDFs are encrypted only against editing, with an empty password to read them.
        try:
            opened = reader.decrypt("")
        except Exception as error:
            raise InputError(
                path, f"encrypted PDF that cannot be opened ({_describe(error)}); file skipped"
            ) from error
        if not opened:
            raise InputError(path, "encrypted PDF: a password is needed to read it; file skipped")
    return reader


def _link_uris(page: PageObject) -> list[str]:
    """The /URI of every annotation on ``page`` whose action opens a web address, in order."""
    try:
        annotations = page.get("/Annots")
        annotations = annotations.get_object() if annotations is not None else None
        if not isinstance(annotations, list):
            return []
        uris: list[str] = []
        for item in annotations:
            uri = _uri_of(item.get_object())
            if uri:
                uris.append(uri)
        return uris
    except Exception:
        return []  # a broken annotation array hides the links, not the page's text


def _uri_of(annotation: Any) -> str | None:
    if not isinstance(annotation, dict):
        return None
    action = annotation.get("/A")
    action = action.get_object() if action is not None else None
    if not isinstance(action, dict) or action.get("/S") != "/URI":
        return None
    uri = action.get("/URI")
    uri = uri.get_object() if uri is not None else None
    if isinstance(uri, bytes):
        uri = uri.decode("utf-8", errors="replace")
    return uri.strip() if isinstance(uri, str) else None


def _spelled_at(text: str, start: int, uri: str) -> bool:
    """Whether the text at ``start`` spells ``uri``, blanks and line breaks in it aside.

    That is how a text layer breaks a URL the annotation has whole; the scheme may be left
    out ("www.example.org/…"), and the URL must end where the text's does.
    """
    wanted = _SCHEME.sub("", uri, count=1)
    scheme = _SCHEME.match(text, start)
    position = scheme.end() if scheme else start
    limit = min(len(text), position + 2 * len(wanted) + 16)
    matched = 0
    while matched < len(wanted):
        if position >= limit:
            return False
        char = text[position]
        if char.isspace():
            position += 1
            continue
        if char != wanted[matched]:
            return False
        matched += 1
        position += 1
    return position >= len(text) or text[position] in _URL_END


def _refers_to(reference: Reference, url: str, uri: str, text: str) -> bool:
    """Whether the text's ``reference`` is the link drawn by an annotation to ``uri`` (read as ``url``)."""
    if not reference.url:
        return False  # a note that names no URL
    if reference.url == url or url in reference.alternatives:
        return True
    return _spelled_at(text, reference.start, uri)


def _with_annotations(found: list[Reference], uris: list[str], text: str, page: int) -> list[Reference]:
    """The page's references once its link annotations have said where each link goes."""
    references = list(found)
    standalone: list[Reference] = []
    seen: set[str] = set()
    for uri in uris:
        reading = read_url(uri)
        if reading.url in seen:
            continue  # a link over two lines has one annotation per line
        seen.add(reading.url)
        matched = False
        for position, reference in enumerate(references):
            if not _refers_to(reference, reading.url, uri, text):
                continue
            # The annotation is exact: it replaces the text's reading and any guess at a cut.
            references[position] = replace(
                reference,
                url=reading.url,
                kind=reading.kind,
                wayback=reading.wayback,
                issues=reading.issues,
                alternatives=(),
            )
            matched = True
        if not matched:
            standalone.append(
                Reference(
                    url=reading.url,
                    raw=uri,
                    kind=reading.kind,
                    # Where on the page the link is drawn has no line in the text: the page's
                    # first line stands for it, with an empty span at the page's start.
                    line=1,
                    column=1,
                    start=0,
                    end=0,
                    wayback=reading.wayback,
                    issues=reading.issues,
                    page=page,
                )
            )
    return references + standalone
