"""Lines and rule traces as JSON: money and ratios as strings, so they come back exact."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from settlement.domain.policy.model import ItemClass, ItemKind, LineResult, TraceStep

_LINE_FIGURES = (
    "qty",
    "price",
    "amount",
    "fulamt_ownpay_amt",
    "overlmt_selfpay",
    "preselfpay_amt",
    "inscp_scp_amt",
)


def line_json(line: LineResult) -> dict[str, Any]:
    # vars(), not asdict(): asdict deep-copies every Decimal, which costs on every bill.
    return {
        name: (str(value) if isinstance(value, Decimal) else value)
        for name, value in vars(line).items()
    }


def line_of(value: dict[str, Any]) -> LineResult:
    return LineResult(
        item_code=value["item_code"],
        name=value["name"],
        kind=ItemKind(value["kind"]) if value["kind"] else None,
        item_class=ItemClass(value["item_class"]) if value["item_class"] else None,
        **{name: Decimal(value[name]) for name in _LINE_FIGURES},
    )


def step_json(step: TraceStep) -> dict[str, Any]:
    return {
        "rule": step.rule,
        "detail": step.detail,
        "amount": None if step.amount is None else str(step.amount),
    }


def step_of(value: dict[str, Any]) -> TraceStep:
    amount = value["amount"]
    return TraceStep(
        rule=value["rule"],
        detail=value["detail"],
        amount=None if amount is None else Decimal(amount),
    )
