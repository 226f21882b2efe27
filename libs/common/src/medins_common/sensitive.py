"""Sensitive identifiers: stored only as a keyed hash (HMAC-SHA256), never in clear."""

from __future__ import annotations

import hashlib
import hmac


def keyed_hash(value: str, *, key: str) -> str:
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()
