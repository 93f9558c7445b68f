"""verifier: finds every reference in a document and tells whether it still resolves."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
