"""JSON text of plain values, fast: bills carry 20-line answers and traces on the hot path."""

from __future__ import annotations

from typing import Any

import orjson


def json_text(value: Any) -> str:
    """Compact JSON, UTF-8 text unescaped (as pydantic writes it); money must be strings."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def from_json_text(text: str | bytes) -> Any:
    return orjson.loads(text)
