"""Reading the inputs of a run, reusing what extracting each file gave last time.

A file is extracted again only when its bytes, its path or the extractors changed (a new
version, an edited extractor module, a newer public suffix list): the key covers all three.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from verifier import __version__, collector
from verifier.extract import extract_bytes
from verifier.extract.discover import NOTHING_OWN, InputFile, OwnFiles, StandardInput, iter_input_files
from verifier.extract.parallel import Job, Result
from verifier.model import Document, InputProblem
from verifier.store.base import ExtractionCache


@functools.cache
def extractor_fingerprint() -> str:
    """Changes whenever the extractors could: the version and every extractor module's stamp."""
    import verifier.extract as package

    stamps = [__version__]
    files = sorted(Path(package.__file__).parent.glob("*.py"))
    # The public suffix list decides which hosts are flagged as cut: a newer one may know more.
    suffixes = importlib.util.find_spec("publicsuffixlist")
    if suffixes is not None and suffixes.origin is not None:
        files += Path(suffixes.origin).parent.glob("*.dat")
    # PDF pages are read by pypdf: a new version may read their text differently.
    pdf_reader = importlib.util.find_spec("pypdf")
    if pdf_reader is not None and pdf_reader.origin is not None:
        files += Path(pdf_reader.origin).parent.glob("_version.py")
    for file in files:
        stat = file.stat()
        stamps.append(f"{file.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("|".join(stamps).encode()).hexdigest()[:16]


def plan_input(item: InputFile | StandardInput, cache: ExtractionCache | None) -> Job | Result:
    """What reading one input takes: its cached result, or the job that extracts it."""
    if isinstance(item, StandardInput):
        return extract_bytes(sys.stdin.buffer.read(), item.display_path)
    if cache is None:
        return Job(item.display_path, item.fs_path)
    try:
        data = item.fs_path.read_bytes()
    except OSError:
        return Job(item.display_path, item.fs_path)  # which reports the problem
    key = _cache_key(item.fs_path, hashlib.sha256(data).hexdigest())
    with collector.paused():
        cached = cache.get(item.display_path, key)
    if cached is not None:
        return cached
    if len(data) >= REREAD_BYTES:
        return Job(item.display_path, item.fs_path, key=key)
    return Job(item.display_path, item.fs_path, data=data, key=key)


#: Files at least this big are read again by their extraction rather than handed to it as
#: bytes, which would stay held (beside the decoded text) for as long as the extraction runs:
#: 50 MB more at the peak of a 50 MB file. The second read comes from the page cache.
REREAD_BYTES = 4_000_000


def _cache_key(fs_path: Path, digest: str) -> str:
    return f"{extractor_fingerprint()}:{fs_path.resolve()}:{digest}"


def read_inputs(
    paths: Iterable[str],
    documents: list[Document],
    problems: list[InputProblem],
    *,
    cache: ExtractionCache | None = None,
    on_problem: Callable[[InputProblem], None] | None = None,
    own: OwnFiles = NOTHING_OWN,
) -> None:
    """Append each path's documents and problems as they are read.

    The lists are the caller's, so that a run stopped half way (Ctrl-C) keeps what was read.
    """
    from verifier.extract.parallel import extract_in_order, input_size

    def plan(item: InputFile | StandardInput | InputProblem) -> Job | Result | None:
        return None if isinstance(item, InputProblem) else plan_input(item, cache)

    for item, job, result in extract_in_order(iter_input_files(list(paths), own), plan, size=input_size):
        found: list[InputProblem]
        if isinstance(item, InputProblem):
            document, found = None, [item]
        else:
            assert result is not None
            document, found = result
            if cache is not None and job is not None and job.key is not None:
                key: str | None = job.key
                if job.data is None:
                    # Read again by its extraction: kept under what that read found, and not
                    # at all when it found no document (the file gone or changed for a moment
                    # must not stand for the bytes hashed before).
                    key = (
                        None
                        if document is None or job.fs_path is None
                        else _cache_key(job.fs_path, document.digest)
                    )
                if key is not None:
                    cache.put(job.display_path, key, document, found)
        for problem in found:
            problems.append(problem)
            if on_problem is not None:
                on_problem(problem)
        if document is not None:
            documents.append(document)
