"""Advance funds 预付金 (DOMAIN.md: prepaid, then cleared monthly).

The insured region keeps an advance fund at the treatment place. What is left of it falls as
bills post and rises again when a monthly statement is paid. Below a configurable share of the
last advance paid in, the pair is flagged so the insured region tops it up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from medins_common.money import ZERO

_YUAN = Decimal("1")


@dataclass(frozen=True)
class AdvanceFund:
    insured_region: str
    treatment_region: str
    advanced: Decimal  # paid in and adjusted, in total
    outstanding: Decimal  # bills posted and not yet paid for
    last_advance: Decimal | None  # the most recent payment into the fund
    monthly_use: Sequence[Decimal]  # net fund share of the latest cleared months, newest first

    @property
    def left(self) -> Decimal:
        return self.advanced - self.outstanding

    def below_warning(self, share: Decimal) -> bool:
        """Left below ``share`` × the last advance (with no advance yet: anything owed)."""
        return self.left < share * (self.last_advance or ZERO)

    def suggested_advance(self, cover_months: int) -> Decimal | None:
        """The average monthly use of the cleared months × the months to cover, up to the yuan."""
        if not self.monthly_use:
            return None
        average = sum(self.monthly_use, ZERO) / len(self.monthly_use)
        suggested = (average * cover_months).quantize(_YUAN, rounding=ROUND_CEILING)
        return max(suggested, ZERO).quantize(Decimal("0.01"))

    def suggested_top_up(self, cover_months: int) -> Decimal | None:
        suggested = self.suggested_advance(cover_months)
        return None if suggested is None else max(suggested - self.left, ZERO)
