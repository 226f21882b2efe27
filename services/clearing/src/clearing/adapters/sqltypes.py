"""Money columns that add up exactly on both databases."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from medins_common.money import FEN, to_fen


class Yuan(TypeDecorator[Decimal]):
    """Yuan as ``Decimal`` in Python, whole fen in a BIGINT on both databases.

    Integers sum exactly and fast (SQLite would keep NUMERIC as a float); ``SUM`` over the
    column comes back as yuan too.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        return None if value is None else int(to_fen(value) / FEN)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(int(value)) * FEN
