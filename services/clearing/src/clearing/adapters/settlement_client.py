"""Settlement's period endpoints (the settlement ↔ clearing HTTP contract), as clearing reads them.

Anything short of a proper answer (refused connection, timeout, an error status, a body off
the contract) raises ``SettlementUnavailable``: reconciliation lists it as a difference rather
than failing the run.
"""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Literal, Self, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from clearing.domain.ledger import EntryKind
from clearing.domain.netting import Figures, Pair
from clearing.domain.reconciliation import BillLine, HospitalDay
from medins_common.auth import Role, mint
from medins_common.money import Money

SUBJECT = "service:clearing"
_TOKEN_SECONDS = 3600


class SettlementUnavailable(Exception):
    def __init__(self, endpoint: str, reason: str) -> None:
        super().__init__(f"{endpoint}: {reason}")
        self.endpoint = endpoint
        self.reason = reason


class _PairTotals(BaseModel):
    insured_region: str
    treatment_region: str
    settled_count: int
    reversed_count: int
    medfee_sumamt: Money
    fund_pay_sumamt: Money
    psn_part_amt: Money
    psn_cash_pay: Money


class _Totals(BaseModel):
    period: str
    pairs: list[_PairTotals]


class _Bill(BaseModel):
    bill_id: str
    kind: Literal["settled", "reversed"]
    institution_code: str
    setl_id: str
    insured_region: str
    treatment_region: str
    medfee_sumamt: Money
    fund_pay_sumamt: Money
    psn_cash_pay: Money
    at: datetime


class _Bills(BaseModel):
    period: str
    bills: list[_Bill]


class _HospitalDays(BaseModel):
    period: str
    days: list[HospitalDay]  # validated straight into the domain's dataclasses: a month has
    # thousands of them


Answer = TypeVar("Answer", bound=BaseModel)

_KINDS = {"settled": EntryKind.BILL_SETTLED, "reversed": EntryKind.BILL_REVERSED}


class SettlementClient:
    """Use as ``async with SettlementClient(...) as settlement:``."""

    def __init__(
        self,
        *,
        base_url: str,
        jwt_secret: str,
        timeout_seconds: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        token = mint(
            secret=jwt_secret, role=Role.ADMIN, subject=SUBJECT, ttl_seconds=_TOKEN_SECONDS
        )
        self._http = httpx.AsyncClient(
            base_url=base_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout_seconds,
            transport=transport,
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._http.aclose()

    async def period_totals(self, period: str) -> dict[Pair, Figures]:
        answer = await self._get(f"/v1/periods/{period}/totals", _Totals)
        return {
            (pair.insured_region, pair.treatment_region): Figures(
                settled_count=pair.settled_count,
                reversed_count=pair.reversed_count,
                medfee_sumamt=pair.medfee_sumamt,
                fund_pay_sumamt=pair.fund_pay_sumamt,
                psn_part_amt=pair.psn_part_amt,
                psn_cash_pay=pair.psn_cash_pay,
            )
            for pair in answer.pairs
        }

    async def period_bills(self, period: str, pair: Pair) -> list[BillLine]:
        answer = await self._get(
            f"/v1/periods/{period}/bills",
            _Bills,
            params={"insured_region": pair[0], "treatment_region": pair[1]},
        )
        return [
            BillLine(
                bill_id=bill.bill_id,
                kind=_KINDS[bill.kind],
                institution_code=bill.institution_code,
                medfee_sumamt=bill.medfee_sumamt,
                fund_pay_sumamt=bill.fund_pay_sumamt,
                psn_cash_pay=bill.psn_cash_pay,
            )
            for bill in answer.bills
            if (bill.insured_region, bill.treatment_region) == pair
        ]

    async def hospital_days(self, period: str) -> list[HospitalDay]:
        answer = await self._get(f"/v1/periods/{period}/hospital-reconciliations", _HospitalDays)
        return answer.days

    async def _get(
        self, path: str, answer: type[Answer], params: dict[str, str] | None = None
    ) -> Answer:
        try:
            response = await self._http.get(path, params=params)
        except httpx.HTTPError as exc:
            raise SettlementUnavailable(path, f"{type(exc).__name__}: {exc}") from exc
        if response.status_code != 200:
            raise SettlementUnavailable(path, f"HTTP {response.status_code}: {response.text[:300]}")
        try:
            return answer.model_validate_json(response.content)
        except ValidationError as exc:
            raise SettlementUnavailable(path, f"answer off the contract: {exc}") from exc
