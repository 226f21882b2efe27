from decimal import Decimal

import pytest
from pydantic import BaseModel

from medins_common.money import Money, to_fen


def test_rounds_to_the_fen_half_up():
    assert to_fen(Decimal("1.005")) == Decimal("1.01")
    assert to_fen(Decimal("1.004")) == Decimal("1.00")
    assert to_fen(Decimal("-1.005")) == Decimal("-1.01")  # half away from zero
    assert to_fen("12") == Decimal("12.00")


def test_refuses_floats():
    with pytest.raises(TypeError):
        to_fen(0.1)  # type: ignore[arg-type]


class Bill(BaseModel):
    amount: Money


def test_money_is_written_as_a_string_with_two_decimals():
    assert Bill(amount=Decimal("3.5")).model_dump(mode="json") == {"amount": "3.50"}
    assert Bill.model_validate_json('{"amount": "0.10"}').amount == Decimal("0.10")


def test_money_with_more_than_two_decimals_is_refused():
    with pytest.raises(ValueError, match="decimal"):
        Bill.model_validate({"amount": "1.001"})
