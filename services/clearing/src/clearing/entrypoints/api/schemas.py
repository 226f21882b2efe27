"""Request and response bodies of the clearing API. Money is a string with two decimals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from clearing.domain.advance import AdvanceFund
from clearing.domain.netting import Figures, RegionPosition
from clearing.domain.runs import ClearingRun, RunStatus, RunStep
from clearing.domain.statements import Statement, StatementStatus
from clearing.service_layer.advance_funds import MovementKind
from medins_common.money import Money

Period = Annotated[
    str,
    Field(
        pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
        description="Settlement month YYYY-MM (Asia/Shanghai)",
        examples=["2026-11"],
    ),
]
RegionCode = Annotated[str, Field(pattern=r"^\d{6}$", examples=["120000"])]


class NoBody(BaseModel):
    """Steps that carry nothing but the token (the Idempotency-Key hashes this)."""


# -- runs -----------------------------------------------------------------------------------------


class RunIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"period": "2026-11"}]}
    )

    period: Period


class ForceIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"reason": "Settlement unreachable at month end; totals checked by phone."}
            ]
        },
    )

    reason: str = Field(min_length=10, max_length=2000, description="Kept on the run for audit")


class ForcedOut(BaseModel):
    by: str
    at: datetime
    reason: str


class RunOut(BaseModel):
    run_id: str
    period: str
    status: RunStatus = Field(description="running | blocked (differences) | failed | closed")
    step: RunStep
    progress: dict[str, Any] = Field(
        description="Counts of the work so far",
        examples=[
            {"ledger_bills": 1200, "ledger_pairs": 3, "settlement_pairs": 3, "differences": 0}
        ],
    )
    attempt: int = Field(description="Reconciliations so far")
    started_by: str
    created_at: datetime
    updated_at: datetime
    forced: ForcedOut | None
    closed_at: datetime | None
    error: str | None

    @classmethod
    def of(cls, run: ClearingRun) -> RunOut:
        forced = (
            ForcedOut(by=run.forced_by or "", at=run.forced_at, reason=run.force_reason or "")
            if run.forced_at
            else None
        )
        return cls(
            run_id=run.run_id,
            period=run.period,
            status=run.status,
            step=run.step,
            progress=run.progress,
            attempt=run.attempt,
            started_by=run.started_by,
            created_at=run.created_at,
            updated_at=run.updated_at,
            forced=forced,
            closed_at=run.closed_at,
            error=run.error,
        )


class DifferenceOut(BaseModel):
    kind: str = Field(examples=["missing_in_ledger"])
    key: dict[str, str] = Field(
        examples=[
            {
                "insured_region": "120000",
                "treatment_region": "110000",
                "bill_id": "b-1",
                "kind": "bill_settled",
            }
        ]
    )
    detail: dict[str, Any]


class DifferencesOut(BaseModel):
    run_id: str
    period: str
    attempt: int
    differences: list[DifferenceOut]


# -- statements -----------------------------------------------------------------------------------


class FiguresOut(BaseModel):
    settled_count: int
    reversed_count: int
    medfee_sumamt: Money
    fund_pay_sumamt: Money = Field(description="Net fund share: settled minus reversed")
    psn_part_amt: Money
    psn_cash_pay: Money

    @classmethod
    def of(cls, figures: Figures) -> FiguresOut:
        return cls.model_validate(figures, from_attributes=True)


class InstitutionLineOut(FiguresOut):
    institution_code: str


class StatementOut(BaseModel):
    statement_id: str
    run_id: str
    period: str
    insured_region: str
    treatment_region: str
    status: StatementStatus
    amount_due: Money = Field(
        description="What the insured region pays the treatment region (negative: the reverse)",
        examples=["800.00"],
    )
    totals: FiguresOut
    adjustment_count: int = Field(description="Bills of earlier, closed periods cleared here")
    adjustment_fund_pay_sumamt: Money
    created_at: datetime
    insured_confirmed_by: str | None
    insured_confirmed_at: datetime | None
    treatment_confirmed_by: str | None
    treatment_confirmed_at: datetime | None
    paid_by: str | None
    paid_at: datetime | None
    institutions: list[InstitutionLineOut] = Field(
        default_factory=list, description="Per institution (only when one statement is read)"
    )

    @classmethod
    def of(cls, statement: Statement) -> StatementOut:
        return cls(
            **{
                name: getattr(statement, name)
                for name in (
                    "statement_id",
                    "run_id",
                    "period",
                    "insured_region",
                    "treatment_region",
                    "status",
                    "amount_due",
                    "adjustment_count",
                    "adjustment_fund_pay_sumamt",
                    "created_at",
                    "insured_confirmed_by",
                    "insured_confirmed_at",
                    "treatment_confirmed_by",
                    "treatment_confirmed_at",
                    "paid_by",
                    "paid_at",
                )
            },
            totals=FiguresOut.of(statement.figures),
            institutions=[
                InstitutionLineOut(
                    institution_code=line.institution_code,
                    **FiguresOut.of(line.figures).model_dump(),
                )
                for line in statement.institutions
            ],
        )


class RegionPositionOut(BaseModel):
    region: str
    receivable: Money = Field(description="Owed to it as treatment place")
    payable: Money = Field(description="Owed by it as insured place")
    net: Money

    @classmethod
    def of(cls, position: RegionPosition) -> RegionPositionOut:
        return cls(
            region=position.region,
            receivable=position.receivable,
            payable=position.payable,
            net=position.net,
        )


class RunStatementsOut(BaseModel):
    run_id: str
    period: str
    statements: list[StatementOut]
    regions: list[RegionPositionOut] = Field(
        description="Each region's net position in the period; they sum to zero"
    )


# -- advance funds --------------------------------------------------------------------------------


class MovementIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"kind": "payment", "amount": "500000.00", "reason": "2026 Q4 advance"}]
        },
    )

    kind: MovementKind
    amount: Money = Field(description="Payment: positive. Adjustment: signed.")
    reason: str = Field(min_length=3, max_length=400)


class MovementOut(BaseModel):
    movement_id: str
    kind: MovementKind
    amount: Money
    period: str
    reason: str | None
    recorded_by: str | None
    recorded_at: datetime


class AdvanceFundOut(BaseModel):
    insured_region: str
    treatment_region: str
    advanced: Money = Field(description="Paid in and adjusted, in total")
    outstanding: Money = Field(description="Bills posted and not yet paid for")
    left: Money = Field(
        description="advanced − outstanding: falls as bills post", examples=["120000.00"]
    )
    last_advance: Money | None
    warning_share: Decimal = Field(examples=["0.30"])
    below_warning: bool = Field(description="left < warning_share × last_advance")
    recent_monthly_use: list[Money] = Field(
        description="Net fund share of the latest cleared months"
    )
    suggested_next_advance: Money | None = Field(
        description="Average of recent_monthly_use × the months to cover, rounded up to the yuan"
    )
    suggested_top_up: Money | None
    movements: list[MovementOut] = Field(default_factory=list)

    @classmethod
    def of(
        cls,
        fund: AdvanceFund,
        *,
        warning_share: Decimal,
        cover_months: int,
        movements: Sequence[Any] = (),
    ) -> AdvanceFundOut:
        return cls(
            insured_region=fund.insured_region,
            treatment_region=fund.treatment_region,
            advanced=fund.advanced,
            outstanding=fund.outstanding,
            left=fund.left,
            last_advance=fund.last_advance,
            warning_share=warning_share,
            below_warning=fund.below_warning(warning_share),
            recent_monthly_use=list(fund.monthly_use),
            suggested_next_advance=fund.suggested_advance(cover_months),
            suggested_top_up=fund.suggested_top_up(cover_months),
            movements=[
                MovementOut(
                    movement_id=row.source_id,
                    kind=MovementKind.PAYMENT
                    if row.kind == "advance_payment"
                    else MovementKind.ADJUSTMENT,
                    amount=row.amount,
                    period=row.period,
                    reason=row.memo,
                    recorded_by=row.recorded_by,
                    recorded_at=row.posted_at,
                )
                for row in movements
            ],
        )


# -- ledger ---------------------------------------------------------------------------------------


class TrialBalanceRowOut(BaseModel):
    period: str
    insured_region: str
    treatment_region: str
    debits: Money
    credits: Money
    balanced: bool


class TrialBalanceOut(BaseModel):
    balanced: bool = Field(description="Debits equal credits for every period and pair")
    rows: list[TrialBalanceRowOut]


class ParkedEventOut(BaseModel):
    event_id: str
    event_type: str
    bill_id: str
    period: str
    reason: str = Field(examples=["amounts_inconsistent"])
    detail: str
    parked_at: datetime
