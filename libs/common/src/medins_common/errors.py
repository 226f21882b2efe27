"""Refusals with a stable machine ``code``; the API answers them as problem+json.

Plain Python, so domain and service code raise them without knowing about HTTP.
"""

from __future__ import annotations

from typing import Any


class ProblemError(Exception):
    status = 400
    code = "bad_request"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        field: str | None = None,
        status: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code or self.code
        self.field = field
        self.status = status or self.status
        self.extra = extra or {}


class Unauthenticated(ProblemError):
    status, code = 401, "unauthenticated"


class Forbidden(ProblemError):
    status, code = 403, "forbidden"


class NotFound(ProblemError):
    status, code = 404, "not_found"


class Conflict(ProblemError):
    status, code = 409, "conflict"


class RuleViolation(ProblemError):
    """A business rule refused the request (HTTP 422)."""

    status, code = 422, "rule_violation"
