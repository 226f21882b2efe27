"""Request-scoped context carried across HTTP, the outbox and consumers."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)


def current_correlation_id() -> str:
    """The correlation id of the work in progress, or a fresh one for work that has none."""
    return correlation_id_var.get() or new_correlation_id()


def new_correlation_id() -> str:
    return uuid.uuid4().hex
