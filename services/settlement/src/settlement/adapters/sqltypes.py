"""Exact money columns on both databases."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from medins_common.money import FEN, to_fen


class Fen(TypeDecorator[Decimal]):
    """Yuan as ``Decimal``: NUMERIC(14, 2) on PostgreSQL, whole fen in an INTEGER on SQLite.

    SQLite keeps NUMERIC values as binary floats, so sums there could drift off the fen;
    integers add up exactly. ``SUM`` over the column comes back as yuan on both.
    """

    impl = Numeric(14, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(14, 2))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = to_fen(value)
        return int(amount / FEN) if dialect.name == "sqlite" else amount

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(value) * FEN) if dialect.name == "sqlite" else to_fen(value)
