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
    # Spelled out: it runs for every line of every bill (asdict() would also deep-copy
    # every Decimal). ``line_of`` reads back exactly these keys.
    return {
        "item_code": line.item_code,
        "name": line.name,
        "kind": line.kind,
        "item_class": line.item_class,
        "qty": str(line.qty),
        "price": str(line.price),
        "amount": str(line.amount),
        "fulamt_ownpay_amt": str(line.fulamt_ownpay_amt),
        "overlmt_selfpay": str(line.overlmt_selfpay),
        "preselfpay_amt": str(line.preselfpay_amt),
        "inscp_scp_amt": str(line.inscp_scp_amt),
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
