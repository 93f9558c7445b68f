"""A 50 MB document is extracted in memory bounded by a small multiple of its size."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks.corpus import pdf_text_document

MB = 1_000_000
SIZE = 50 * MB
# Bytes once, text once, the extractor's own structures: a small multiple of the file.
RSS_BOUND = 6 * SIZE + 80 * MB

# The peak is read from /proc after clearing it at the start: a child's ru_maxrss still counts
# the pages of the pytest process it was forked from, however large that has grown.
_MEASURE = """
import json, sys
from pathlib import Path
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")
from verifier.extract import extract_file
document, problems = extract_file(Path(sys.argv[1]), "big.txt")
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))
print(json.dumps({
    "peak_rss": peak,
    "format": document.format.value,
    "references": len(document.references),
    "last_line": document.references[-1].line,
    "last_url": document.references[-1].url,
    "problems": [str(problem) for problem in problems],
}))
"""


def test_a_50_mb_pdf_text_file_is_extracted_in_bounded_memory(tmp_path: Path) -> None:
    block = pdf_text_document(MB)
    copies = SIZE // len(block.encode("utf-8")) + 1
    path = tmp_path / "big.txt"
    path.write_text(block * copies, encoding="utf-8")
    assert path.stat().st_size >= SIZE

    completed = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, timeout=180, check=False
    )

    assert completed.returncode == 0, completed.stderr
    measured = json.loads(completed.stdout)
    assert measured["peak_rss"] < RSS_BOUND, f"peak RSS {measured['peak_rss'] / MB:.0f} MB"
    assert measured["format"] == "text"
    assert measured["problems"] == []
    small = json.loads(subprocess.check_output([sys.executable, "-c", _MEASURE, _write(tmp_path, block)]))
    assert measured["references"] == copies * small["references"]
    assert measured["last_url"] == small["last_url"]
    assert measured["last_line"] == (copies - 1) * block.count("\n") + small["last_line"]


def _write(directory: Path, text: str) -> str:
    path = directory / "block.txt"
    path.write_text(text, encoding="utf-8")
    return str(path)
