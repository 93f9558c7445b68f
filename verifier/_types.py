"""Type aliases shared across the package."""

from __future__ import annotations

from typing import Any

#: A JSON object as loaded by json.loads.
JSONObject = dict[str, Any]
