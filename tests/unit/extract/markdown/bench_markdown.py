"""Throughput of the Markdown extractor on a generated document (not collected by pytest).

Run: python -m tests.unit.extract.markdown.bench_markdown [megabytes]
The document mixes what real documentation and wiki exports hold: headings, prose paragraphs
with inline and reference-style links, bare URLs, footnotes, lists, tables, code blocks and
images. It is measured twice: dense as a wiki page (a reference every ~270 bytes) and sparse
as documentation, and beside markdown-it-py's own parse of the same text for scale.
"""

from __future__ import annotations

import random
import sys
import time

from markdown_it import MarkdownIt

from verifier.extract.base import Source
from verifier.extract.markdown import extract_markdown

_VOCABULARY = """
the of and to in is that for it as was with be by on not this are or from at which but have an they
were been one all their summit nuclear security material report council agreement policy government
international leaders meeting programme energy reactor safety treaty
"""
_WORDS = tuple(_VOCABULARY.split())


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(8, 20))).capitalize() + "."


def _paragraph(rng: random.Random, number: int, density: float) -> str:
    sentences = []
    for index in range(rng.randint(3, 7)):
        sentence = _sentence(rng)
        roll = rng.random() / density
        if roll < 0.25:
            where = f"https://site{number % 97}.example.org/p/{number}-{index}"
            sentence += f" See [the {rng.choice(_WORDS)} page]({where})."
        elif roll < 0.30:
            sentence += f" More at https://www.example{number % 13}.com/a/{number}?id={index}."
        elif roll < 0.35:
            sentence += f" As [reported][r{number % 50}] in *the press*."
        elif roll < 0.40:
            sentence += f"[^{number}]"
        elif roll < 0.42:
            sentence += f" Run `tool --flag {index}` first."
        sentences.append(sentence)
    return " ".join(sentences)


def generate(size: int, seed: int = 7, density: float = 1.0) -> str:
    """A Markdown document of about ``size`` characters; ``density`` scales how often prose links."""
    rng = random.Random(seed)
    parts: list[str] = ["# Generated document"]
    footnotes: list[str] = []
    number = 0
    total = 0
    while total < size:
        number += 1
        roll = rng.random()
        if roll < 0.08:
            part = f"## Section {number}"
        elif roll < 0.16:
            part = "\n".join(
                f"- {_sentence(rng)} [item {i}](https://list.example.net/{number}/{i})" for i in range(4)
            )
        elif roll < 0.20:
            part = (
                "```python\n"
                + "\n".join(f"print('{_sentence(rng)}')  # http://code.example/{i}" for i in range(5))
                + "\n```"
            )
        elif roll < 0.23:
            part = "| name | link |\n|---|---|\n" + "\n".join(
                f"| {rng.choice(_WORDS)} | [x](https://table.example.com/{number}/{i}) |" for i in range(3)
            )
        elif roll < 0.25:
            part = f"![figure {number}](https://img.example.com/{number}.png)"
        else:
            part = _paragraph(rng, number, density)
        if f"[^{number}]" in part:
            footnotes.append(
                f"[^{number}]: {_sentence(rng)} [source](https://cite.example.org/{number}) "
                "Retrieved 2020-01-02."
            )
        parts.append(part)
        total += len(part) + 2
    parts.extend(f"[r{i}]: https://ref.example.com/{i}" for i in range(50))
    parts.extend(footnotes)
    return "\n\n".join(parts) + "\n"


def _measure(label: str, text: str) -> None:
    size = len(text.encode("utf-8"))
    started = time.process_time()
    extraction = extract_markdown(Source(text=text, path="generated.md"))
    elapsed = time.process_time() - started
    started = time.process_time()
    MarkdownIt("commonmark").parse(text)
    baseline = time.process_time() - started
    print(
        f"{label}: {size / 1e6:.1f} MB, {len(extraction.references)} references "
        f"(one per {size // max(1, len(extraction.references))} bytes): {size / 1e6 / elapsed:.2f} MB/s "
        f"(markdown-it-py parse alone: {size / 1e6 / baseline:.2f} MB/s)"
    )


def main() -> None:
    megabytes = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    size = int(megabytes * 1_000_000)
    extract_markdown(Source(text=generate(10_000), path="warm-up.md"))
    _measure("dense, wiki-like", generate(size))
    _measure("documentation-like", generate(size, density=0.15))


if __name__ == "__main__":
    main()
