"""Exact money: Decimal yuan, rounded to the fen half-up (DOMAIN.md, settlement arithmetic)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import Field, PlainSerializer

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def to_fen(amount: Decimal | int | str) -> Decimal:
    """Round to the fen, half-up. Refuses floats: they cannot hold yuan exactly."""
    if type(amount) is not Decimal:  # a Decimal needs no copy: bills round ~150 amounts
        if isinstance(amount, float):
            raise TypeError("money must not be a float")
        amount = Decimal(amount)
    return amount.quantize(FEN, ROUND_HALF_UP)  # positional: the keyword costs as much again


def money_str(amount: Decimal) -> str:
    return str(to_fen(amount))


# A money field in an API or event schema: accepts "12.30" or 12.3 from JSON (never a Python
# float), at most two decimals, and is written back as a string with two decimals.
Money = Annotated[
    Decimal,
    Field(max_digits=14, decimal_places=2, examples=["1280.50"]),
    PlainSerializer(money_str, return_type=str, when_used="json"),
]
