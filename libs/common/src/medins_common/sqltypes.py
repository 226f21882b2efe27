"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from medins_common.timeutil import SHANGHAI


class Timestamp(TypeDecorator[datetime]):
    """An aware moment: stored in UTC, read back aware in Asia/Shanghai.

    SQLite keeps no offset, so a plain ``DateTime(timezone=True)`` would come back naive.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return (
            value.astimezone(UTC)
            if dialect.name == "postgresql"
            else (value.astimezone(UTC).replace(tzinfo=None))
        )

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(SHANGHAI)
