"""Time in the platform's zone: periods and dates are Asia/Shanghai (convention 5)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    return datetime.now(SHANGHAI)


def today() -> date:
    return now().date()


def period_of(moment: datetime) -> str:
    """The settlement month (YYYY-MM) a moment falls in, in Asia/Shanghai."""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m")
