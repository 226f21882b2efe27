"""The whole journey (issue 6, point 7) through the real stack: four services, the real broker,
real databases, separate processes; once per database backend."""

from __future__ import annotations

from decimal import Decimal

from devstack.journey import Endpoints, Journey
from devstack.stack import SERVICES
from medins_common.settings import DEV_JWT_SECRET


async def test_the_whole_journey_clears_to_the_fen(stack):
    endpoints = Endpoints(**{service.name: stack.base_url(service.name) for service in SERVICES})
    result = await Journey(endpoints, secret=DEV_JWT_SECRET).run()

    stay, visit = result.settled_bills
    assert result.reversed_setl_ids == [visit["setl_id"]]
    assert Decimal(stay["fund_pay_sumamt"]) > 0
    assert result.run["status"] == "closed"
    assert result.statement["status"] == "paid"
    # The statement's amount equals the fund share of the bills that stand, to the fen.
    assert Decimal(result.statement["amount_due"]) == Decimal(stay["fund_pay_sumamt"])
    assert result.expected_fund_pay == Decimal(stay["fund_pay_sumamt"])
    assert stay["fund_pay_sumamt"] in result.statement_csv
