"""Extraction: from files on disk to documents with every reference they make.

The front door reads each file once, decodes it, tells its format by content and hands it to
that format's extractor. Whatever goes wrong with one file (unreadable, binary, an extractor
that fails) becomes an InputProblem naming the file, and the run goes on with the next.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

from verifier._exceptions import InputError
from verifier.extract.base import Extraction, Source
from verifier.extract.discover import STDIN, InputFile, StandardInput, iter_input_files
from verifier.model import Document, Format, InputProblem

if TYPE_CHECKING:
    from verifier.extract.decode import Decoded

__all__ = [
    "STDIN",
    "Extractor",
    "ExtractorTable",
    "extract_bytes",
    "extract_file",
    "extract_text_as",
    "extractor_for",
    "iter_documents",
]

Extractor = Callable[[Source], Extraction]
#: Extractors to use instead of the standard ones, by format (an embedding tool's own, say).
ExtractorTable = Mapping[Format, Extractor]

# Module and function of each format's extractor, imported on first use so that one
# extractor failing to import does not take the others down with it.
_EXTRACTORS: dict[Format, tuple[str, str]] = {
    Format.MARKDOWN: ("verifier.extract.markdown", "extract_markdown"),
    Format.TEXT: ("verifier.extract.text", "extract_text"),
    Format.HTML: ("verifier.extract.html", "extract_html"),
    Format.WIKITEXT: ("verifier.extract.wikitext", "extract_wikitext"),
    Format.PDF: ("verifier.extract.pdf", "extract_pdf"),
}


def extractor_for(fmt: Format) -> Extractor:
    """The function that extracts references from documents in ``fmt``."""
    module_name, function_name = _EXTRACTORS[fmt]
    module = importlib.import_module(module_name)
    return cast(Extractor, getattr(module, function_name))


def import_extractors(formats: Iterable[Format]) -> None:
    """Import the extractors of ``formats`` now; one that fails to import fails when it is used."""
    for fmt in formats:
        with contextlib.suppress(Exception):  # reported by extractor_for, file by file
            importlib.import_module(_EXTRACTORS[fmt][0])


def extract_text_as(text: str, fmt: Format, path: str, fs_path: Path | None = None) -> Extraction:
    """Run the ``fmt`` extractor on ``text``; its exceptions are left to the caller."""
    return extractor_for(fmt)(Source(text=text, path=path, fs_path=fs_path))


def _failure(display_path: str, fmt: Format, error: Exception) -> InputProblem:
    if isinstance(error, InputError):
        return InputProblem(display_path, error.line, str(error).split(": ", 1)[-1])
    name = type(error).__name__
    detail = f"{name}: {error}" if str(error) else name
    # Parsers' own errors (html.parser, SyntaxError and kin) say where they stopped.
    line = getattr(error, "lineno", None)
    return InputProblem(
        display_path,
        line if isinstance(line, int) and line > 0 else None,
        f"the {fmt.value} extractor failed ({detail}); file skipped",
    )


def _decode_warning(display_path: str, decoded: Decoded) -> InputProblem:
    line = decoded.text.count("\n", 0, decoded.first_replaced) + 1
    noun = "byte sequence" if decoded.replaced == 1 else "byte sequences"
    return InputProblem(
        display_path,
        line,
        f"{decoded.replaced} {noun} could not be decoded as {decoded.encoding} and were replaced with U+FFFD",
        severity="warning",
    )


def _extract(
    read: Callable[[], bytes],
    display_path: str,
    fs_path: Path | None,
    extractors: ExtractorTable | None,
    fmt: Format | None,
) -> tuple[Document | None, list[InputProblem]]:
    # The bytes are read here and dropped as soon as they are decoded, so a large file is
    # never held twice over while its extractor runs.
    try:
        data = read()
    except OSError as error:
        return None, [InputProblem(display_path, None, f"cannot read file: {error.strerror or error}")]
    except MemoryError:
        return None, [InputProblem(display_path, None, "file too large to read into memory")]
    digest = hashlib.sha256(data).hexdigest()
    # Loaded once there are bytes to decode: a run served from the extraction cache never needs them.
    from verifier.extract.decode import Binary, decode_document
    from verifier.extract.sniff import sniff_bytes, sniff_format

    if fmt is Format.PDF or (fmt is None and sniff_bytes(data) is Format.PDF):
        # A PDF is read from its bytes: there is no text to decode before its pages are parsed.
        source = Source(text="", path=display_path, fs_path=fs_path, data=data)
        return _document(source, Format.PDF, "binary", digest, extractors, [])
    decoded = decode_document(data)
    del data
    if isinstance(decoded, Binary):
        message = f"binary file ({decoded.kind}), skipped"
        return None, [InputProblem(display_path, None, message, severity="warning")]
    problems: list[InputProblem] = []
    if decoded.first_replaced is not None:
        problems.append(_decode_warning(display_path, decoded))
    # Not ``text.strip()``, which would copy a large document once more just to look at it.
    if not decoded.text or decoded.text.isspace():
        problems.append(InputProblem(display_path, None, "empty document, no references", severity="warning"))
    if fmt is None:
        fmt = sniff_format(decoded.text)
    source = Source(text=decoded.text, path=display_path, fs_path=fs_path)
    return _document(source, fmt, decoded.encoding, digest, extractors, problems)


def _document(
    source: Source,
    fmt: Format,
    encoding: str,
    digest: str,
    extractors: ExtractorTable | None,
    problems: list[InputProblem],
) -> tuple[Document | None, list[InputProblem]]:
    """Run ``fmt``'s extractor on ``source``: its document, and ``problems`` with its own added."""
    display_path = source.path
    try:
        extractor = extractors[fmt] if extractors is not None and fmt in extractors else extractor_for(fmt)
        extraction = extractor(source)
    except Exception as error:
        # Any failure inside an extractor is a fault in reading this one file; the run goes on.
        problems.append(_failure(display_path, fmt, error))
        return None, problems
    problems.extend(extraction.problems)
    document = Document(
        path=display_path,
        format=fmt,
        encoding=encoding,
        references=tuple(extraction.references),
        footnote_issues=tuple(extraction.footnote_issues),
        date=extraction.date,
        digest=digest,
    )
    return document, problems


def extract_bytes(
    data: bytes,
    display_path: str,
    fs_path: Path | None = None,
    *,
    fmt: Format | None = None,
    extractors: ExtractorTable | None = None,
) -> tuple[Document | None, list[InputProblem]]:
    """Decode, sniff (unless ``fmt`` is given) and extract one document given as bytes."""
    return _extract(lambda: data, display_path, fs_path, extractors, fmt)


def extract_file(
    path: Path,
    display_path: str,
    *,
    fmt: Format | None = None,
    extractors: ExtractorTable | None = None,
) -> tuple[Document | None, list[InputProblem]]:
    """Read, decode, sniff (unless ``fmt`` is given) and extract one file.

    The problems say what went wrong or looked odd.
    """
    return _extract(path.read_bytes, display_path, path, extractors, fmt)


def iter_documents(
    paths: Sequence[str], *, fmt: Format | None = None, extractors: ExtractorTable | None = None
) -> Iterator[Document | InputProblem]:
    """Each document the paths name (files, directories, globs; ``-`` for standard input).

    ``fmt`` reads every document in that format instead of sniffing each. Problems come out
    before the document they concern, in order, and never stop the iteration.
    """
    from verifier.extract.parallel import Job, Result, extract_in_order, input_size

    def plan(item: InputFile | StandardInput | InputProblem) -> Job | Result | None:
        if isinstance(item, InputProblem):
            return None
        if isinstance(item, StandardInput):
            return _extract(sys.stdin.buffer.read, item.display_path, None, extractors, fmt)
        if extractors is not None:
            # An embedding tool's extractors may not survive the trip to another process.
            return extract_file(item.fs_path, item.display_path, fmt=fmt, extractors=extractors)
        return Job(item.display_path, item.fs_path, fmt=fmt)

    for item, _job, result in extract_in_order(iter_input_files(paths), plan, size=input_size):
        if isinstance(item, InputProblem):
            yield item
            continue
        assert result is not None
        document, problems = result
        yield from problems
        if document is not None:
            yield document
