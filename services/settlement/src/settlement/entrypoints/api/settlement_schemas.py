"""Bodies of the hospitals' settlement API, with the national interface's field names.

Inside, lines and diseases carry the policy engine's names (item_code, qty, price,
chronic_disease); ``national_field_names`` turns a refusal's ``field`` back into the names
the hospital posted.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, TypeAdapter

from medins_common.errors import ProblemError
from medins_common.money import Money, money_str
from settlement.adapters import codec
from settlement.domain.bill import Bill, Quote, SettlementRequest
from settlement.domain.policy import BillLine, LineResult

_NATIONAL_NAMES = {
    "item_code": "med_list_codg",
    "qty": "cnt",
    "price": "pric",
    "chronic_disease": "dise_codg",
    "care_type": "med_type",
}


def national_name(field: str) -> str:
    """``lines[2].item_code`` → ``lines[2].med_list_codg``."""
    return re.sub(r"[a-z_]+", lambda match: _NATIONAL_NAMES.get(match[0], match[0]), field)


@contextlib.contextmanager
def national_field_names() -> Iterator[None]:
    try:
        yield
    except ProblemError as exc:
        if exc.field:
            exc.field = national_name(exc.field)
        raise


Code = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[0-9A-Za-z_.\-]+$")]
PsnNo = Annotated[
    str,
    Field(
        min_length=1, max_length=30, pattern=r"^[0-9A-Za-z]+$", examples=["12000000000000000001"]
    ),
]
MedType = Literal["11", "14", "21", "41"]


def _ratio(ratio: Decimal) -> str:
    return f"{ratio:.4f}"


Ratio = Annotated[Decimal, PlainSerializer(_ratio, return_type=str, when_used="json")]

EXAMPLE = {
    "psn_no": "12000000000000000001",
    "mdtrt_id": "MDT2026110500001",
    "insutype": "310",
    "med_type": "21",
    "begndate": "2026-11-01",
    "enddate": "2026-11-05",
    "medfee_sumamt": "375.00",
    "lines": [
        {"med_list_codg": "XJ01CRA001", "cnt": "6", "pric": "12.50"},
        {"med_list_codg": "001102000010000", "cnt": "5", "pric": "60.00"},
    ],
}


class LineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    med_list_codg: Annotated[
        str,
        Field(
            min_length=1,
            max_length=50,
            description="医保目录编码: the item's code in the treatment place's catalogue",
            examples=["XJ01CRA001"],
        ),
    ]
    cnt: Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=4, examples=["6"])]
    pric: Annotated[
        Decimal,
        Field(ge=0, max_digits=14, decimal_places=4, description="unit price", examples=["12.50"]),
    ]


class PreSettlementIn(BaseModel):
    """One visit or stay as the hospital's system holds it (national 2206 / 2207)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    psn_no: PsnNo
    mdtrt_id: Annotated[Code, Field(description="就诊ID: the visit or stay", examples=["M1"])]
    insutype: Literal["310", "390"] = Field(description="310 employee, 390 resident")
    med_type: MedType = Field(
        description="11 general outpatient, 14 chronic outpatient, 21 inpatient, "
        "41 pharmacy purchase"
    )
    begndate: date = Field(description="Admission or visit day")
    enddate: date = Field(description="Discharge or visit day: filing, catalogue and policy")
    medfee_sumamt: Money = Field(description="Total of the lines; refused if it differs")
    emergency: bool = Field(False, description="Emergency care (deemed filing, D-F10)")
    dise_codg: Annotated[str, Field(min_length=1, max_length=30)] | None = Field(
        None, description="Chronic-disease code; required for med_type 14 (D-F9)"
    )
    lines: list[LineIn] = Field(min_length=1, max_length=2000)

    def to_request(self) -> SettlementRequest:
        return SettlementRequest(
            psn_no=self.psn_no,
            mdtrt_id=self.mdtrt_id,
            insutype=self.insutype,
            med_type=self.med_type,
            begndate=self.begndate,
            enddate=self.enddate,
            medfee_sumamt=self.medfee_sumamt,
            lines=tuple(BillLine(line.med_list_codg, line.cnt, line.pric) for line in self.lines),
            emergency=self.emergency,
            chronic_disease=self.dise_codg,
        )


class SettlementIn(PreSettlementIn):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"setl_id": "S2026110500001", **EXAMPLE}]},
    )

    setl_id: Annotated[
        Code,
        Field(description="结算ID: the hospital's id of this settlement, unique per institution"),
    ]


class ReversalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(min_length=1, max_length=200, examples=["收费错误"])] | None = None


class CoverageOut(BaseModel):
    basis: str = Field(description="filing | deemed_emergency | deemed_jjj")
    filing_class: str | None
    subtype: str | None
    referral: str = Field(
        description="none | receiving_institution | consortium_institution | "
        "jjj_mutual_recognition (D-S4)"
    )
    institution_level: int | None
    institution_designated: bool


class LineOut(BaseModel):
    med_list_codg: str
    name: str | None
    kind: str | None
    item_class: str | None = Field(description="A, B or C (甲/乙/丙)")
    cnt: Decimal
    pric: Decimal
    det_item_fee_sumamt: Money
    fulamt_ownpay_amt: Money
    overlmt_selfpay: Money
    preselfpay_amt: Money
    inscp_scp_amt: Money


class TraceStepOut(BaseModel):
    rule: str = Field(description="The DOMAIN.md rule or arithmetic step", examples=["D-S4"])
    detail: str
    amount: Decimal | None = Field(description="The figure the step produced (yuan or ratio)")


class AmountsOut(BaseModel):
    medfee_sumamt: Money
    fulamt_ownpay_amt: Money = Field(description="全自费: class C and unlisted")
    overlmt_selfpay: Money = Field(description="超限价自费: above price caps")
    preselfpay_amt: Money = Field(description="先行自付: first self-pay of class B")
    inscp_scp_amt: Money = Field(description="政策范围内: in the policy's scope")
    act_pay_dedc: Money = Field(description="起付线: the deductible paid now")
    hifp_pay: Money = Field(description="统筹基金支付")
    pool_prop_selfpay: Ratio = Field(description="The personal ratio above the deductible")
    fund_pay_sumamt: Money
    psn_part_amt: Money
    acct_pay: Money = Field(description="Personal account: not held by this platform, 0")
    psn_cash_pay: Money


class QuoteOut(AmountsOut):
    psn_no: str
    mdtrt_id: str
    insutype: str
    med_type: str
    institution_code: str
    insured_region: str
    treatment_region: str
    clr_optins: str = Field(description="Clearing institution: the treatment region")
    begndate: date
    enddate: date
    coverage: CoverageOut
    lines: list[LineOut]
    trace: list[TraceStepOut]


class BillOut(QuoteOut):
    bill_id: str
    setl_id: str
    setl_time: datetime
    period: str = Field(description="Settlement month booked (YYYY-MM, Asia/Shanghai)")
    status: Literal["settled", "reversed"]
    reversed_at: datetime | None = None
    reversal_period: str | None = None


class BillSummaryOut(BaseModel):
    bill_id: str
    setl_id: str
    mdtrt_id: str
    psn_no: str
    med_type: str
    setl_time: datetime
    period: str
    status: Literal["settled", "reversed"]
    reversed_at: datetime | None
    reversal_period: str | None
    medfee_sumamt: Money
    fund_pay_sumamt: Money
    psn_part_amt: Money
    psn_cash_pay: Money

    @classmethod
    def of(cls, bill: Bill) -> BillSummaryOut:
        amounts = bill.quote.amounts
        return cls(
            mdtrt_id=bill.quote.request.mdtrt_id,
            psn_no=bill.quote.request.psn_no,
            med_type=bill.quote.request.med_type,
            medfee_sumamt=amounts.medfee_sumamt,
            fund_pay_sumamt=amounts.fund_pay_sumamt,
            psn_part_amt=amounts.psn_part_amt,
            psn_cash_pay=amounts.psn_cash_pay,
            **_bill_fields(bill),
        )


class DayOut(BaseModel):
    institution_code: str
    day: date
    bills: list[BillSummaryOut]


# -- answers ---------------------------------------------------------------------------------
# A settlement's answer is built as plain JSON values and serialised once, rather than through
# the models above: constructing ~80 models for a 20-line bill and its trace cost more CPU than
# the settlement's SQL. The models stay the answer's schema (OpenAPI, response_model); a unit
# test holds these builders to them.

_MONEY_NAMES = tuple(name for name in AmountsOut.model_fields if name != "pool_prop_selfpay")
_DATETIME = TypeAdapter(datetime)


def quote_answer(quote: Quote) -> dict[str, Any]:
    """A pre-settlement's answer (``QuoteOut``) as JSON values."""
    request, amounts = quote.request, quote.amounts
    return {
        **{name: money_str(getattr(amounts, name)) for name in _MONEY_NAMES},
        "pool_prop_selfpay": _ratio(amounts.pool_prop_selfpay),
        "psn_no": request.psn_no,
        "mdtrt_id": request.mdtrt_id,
        "insutype": request.insutype,
        "med_type": request.med_type,
        "institution_code": quote.institution_code,
        "insured_region": quote.insured_region,
        "treatment_region": quote.treatment_region,
        "clr_optins": quote.treatment_region,
        "begndate": request.begndate.isoformat(),
        "enddate": request.enddate.isoformat(),
        "coverage": dict(vars(quote.coverage)),
        "lines": [line_answer(line) for line in quote.lines],
        "trace": [codec.step_json(step) for step in quote.trace],  # as the bill row stores it
    }


def bill_answer(bill: Bill) -> dict[str, Any]:
    """A settlement's or reversal's answer (``BillOut``) as JSON values."""
    fields = _bill_fields(bill)
    return {
        **quote_answer(bill.quote),
        **fields,
        "setl_time": _moment(fields["setl_time"]),
        "reversed_at": _moment(fields["reversed_at"]),
    }


def line_answer(line: LineResult) -> dict[str, Any]:
    return {
        "med_list_codg": line.item_code,
        "name": line.name,
        "kind": line.kind,
        "item_class": line.item_class,
        "cnt": str(line.qty),
        "pric": str(line.price),
        "det_item_fee_sumamt": money_str(line.amount),
        "fulamt_ownpay_amt": money_str(line.fulamt_ownpay_amt),
        "overlmt_selfpay": money_str(line.overlmt_selfpay),
        "preselfpay_amt": money_str(line.preselfpay_amt),
        "inscp_scp_amt": money_str(line.inscp_scp_amt),
    }


def _moment(moment: Any) -> str | None:
    return None if moment is None else _DATETIME.dump_python(moment, mode="json")


def _bill_fields(bill: Bill) -> dict[str, object]:
    return {
        "bill_id": bill.bill_id,
        "setl_id": bill.setl_id,
        "setl_time": bill.settled_at,
        "period": bill.period,
        "status": bill.status,
        "reversed_at": bill.reversal.reversed_at if bill.reversal else None,
        "reversal_period": bill.reversal.period if bill.reversal else None,
    }
