"""The names verifier.extract offers other stages, pinned so a change to them is deliberate."""

from __future__ import annotations

import verifier.extract


def test_public_names() -> None:
    assert verifier.extract.__all__ == [
        "STDIN",
        "Extractor",
        "ExtractorTable",
        "extract_bytes",
        "extract_file",
        "extract_text_as",
        "extractor_for",
        "iter_documents",
    ]
    for name in verifier.extract.__all__:
        assert hasattr(verifier.extract, name)
