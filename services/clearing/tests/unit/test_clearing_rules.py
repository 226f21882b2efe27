"""Netting, reconciliation, statements, runs and advance funds (DOMAIN.md, money between
regions), as plain Python."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from clearing.domain.advance import AdvanceFund
from clearing.domain.errors import WrongOrder, WrongSide
from clearing.domain.ledger import EntryKind
from clearing.domain.netting import (
    Figures,
    PostedGroup,
    institution_lines,
    net_statements,
    region_positions,
)
from clearing.domain.reconciliation import (
    BillLine,
    DayFigures,
    DifferenceKind,
    HospitalDay,
    compare_bills,
    compare_hospital_days,
    compare_totals,
    declaration_verdicts,
    declared_months,
    institution_months,
    institutions_to_drill,
    ledger_pair_totals,
)
from clearing.domain.runs import (
    PeriodNotStarted,
    RunStatus,
    check_period_may_close,
    resumes_on_request,
)
from clearing.domain.statements import (
    INSURED_CONFIRMATION,
    PAYMENT,
    TREATMENT_CONFIRMATION,
    StatementStatus,
    take_step,
)
from medins_common.timeutil import SHANGHAI

TIANJIN, BEIJING, HEBEI = "120000", "110000", "130000"
D = Decimal


def group(
    kind: EntryKind = EntryKind.BILL_SETTLED,
    *,
    fund: str,
    count: int = 1,
    pair: tuple[str, str] = (TIANJIN, BEIJING),
    institution: str = "H1",
    event_period: str = "2026-10",
    original_period: str = "2026-10",
) -> PostedGroup:
    return PostedGroup(
        insured_region=pair[0],
        treatment_region=pair[1],
        institution_code=institution,
        kind=kind,
        event_period=event_period,
        original_period=original_period,
        count=count,
        medfee_sumamt=D(fund) * 2,
        fund_pay_sumamt=D(fund),
        psn_cash_pay=D(fund),
    )


# --- netting -------------------------------------------------------------------------------------


def test_a_statement_nets_settled_minus_reversed_per_pair_and_institution():
    groups = [
        group(fund="800.00", count=2, institution="H1"),
        group(EntryKind.BILL_REVERSED, fund="100.01", institution="H1"),
        group(fund="0.02", institution="H2"),
    ]
    [statement] = net_statements("2026-10", groups)
    assert statement.amount_due == D("700.01")
    assert (statement.figures.settled_count, statement.figures.reversed_count) == (3, 1)
    assert statement.figures.psn_part_amt == D("700.01")  # medfee is twice the fund here
    lines = institution_lines(groups)
    assert [(line.institution_code, line.figures.fund_pay_sumamt) for line in lines] == [
        ("H1", D("699.99")),
        ("H2", D("0.02")),
    ]


def test_bills_of_earlier_periods_cleared_now_are_shown_as_adjustments():
    [statement] = net_statements(
        "2026-11",
        [
            group(fund="50.00", event_period="2026-11", original_period="2026-11"),
            group(
                EntryKind.BILL_REVERSED,
                fund="80.00",
                event_period="2026-11",
                original_period="2026-10",
            ),
            group(fund="5.00", event_period="2026-10", original_period="2026-10"),
        ],
    )
    assert statement.amount_due == D("-25.00")
    assert statement.adjustments.fund_pay_sumamt == D("-75.00")
    assert statement.adjustments.reversed_count + statement.adjustments.settled_count == 2


def test_region_positions_sum_to_zero():
    drafts = net_statements(
        "2026-10",
        [
            group(fund="100.00", pair=(TIANJIN, BEIJING)),
            group(fund="30.00", pair=(BEIJING, TIANJIN)),
            group(fund="7.00", pair=(HEBEI, BEIJING)),
        ],
    )
    positions = {p.region: p.net for p in region_positions(drafts)}
    assert positions == {TIANJIN: D("-70.00"), BEIJING: D("77.00"), HEBEI: D("-7.00")}
    assert sum(positions.values()) == 0


# --- reconciliation ------------------------------------------------------------------------------


def test_the_ledger_side_of_the_totals_leaves_out_adjustments_for_other_periods():
    totals = ledger_pair_totals(
        "2026-11",
        [group(fund="10.00", event_period="2026-11"), group(fund="99.00", event_period="2026-10")],
    )
    assert totals[(TIANJIN, BEIJING)].fund_pay_sumamt == D("10.00")


def test_agreeing_totals_give_no_difference_and_a_missing_pair_counts_as_zero():
    same = Figures(settled_count=1, fund_pay_sumamt=D("1.00"))
    assert compare_totals({(TIANJIN, BEIJING): same}, {(TIANJIN, BEIJING): same}) == []
    assert compare_totals({(TIANJIN, BEIJING): Figures()}, {}) == []
    [difference] = compare_totals({}, {(TIANJIN, HEBEI): same})
    assert difference.kind is DifferenceKind.TOTALS_MISMATCH
    assert difference.key == {"insured_region": TIANJIN, "treatment_region": HEBEI}
    assert difference.detail["settlement"]["fund_pay_sumamt"] == "1.00"


def bill(bill_id: str, fund: str = "1.00", kind: EntryKind = EntryKind.BILL_SETTLED) -> BillLine:
    return BillLine(bill_id, kind, "H1", D(fund) * 2, D(fund), D(fund))


def test_bill_level_differences_name_the_bill_and_what_differs():
    found = compare_bills(
        (TIANJIN, BEIJING),
        ledger=[bill("A"), bill("B", "2.00"), bill("C")],
        settlement=[
            bill("A"),
            bill("A"),
            bill("B", "2.01"),
            bill("D"),
            bill("C", kind=EntryKind.BILL_REVERSED),
        ],
    )
    kinds = [(d.kind, d.key["bill_id"], d.key["kind"]) for d in found]
    assert kinds == [  # ordered by bill key: kind, then bill id
        (DifferenceKind.MISSING_IN_LEDGER, "C", "bill_reversed"),
        (DifferenceKind.DUPLICATE, "A", "bill_settled"),
        (DifferenceKind.AMOUNT_MISMATCH, "B", "bill_settled"),
        (DifferenceKind.MISSING_IN_SETTLEMENT, "C", "bill_settled"),
        (DifferenceKind.MISSING_IN_LEDGER, "D", "bill_settled"),
    ]
    amounts = next(d for d in found if d.kind is DifferenceKind.AMOUNT_MISMATCH)
    assert (
        amounts.detail["ledger"]["fund_pay_sumamt"],
        amounts.detail["settlement"]["fund_pay_sumamt"],
    ) == (
        "2.00",
        "2.01",
    )


def day(
    declared: DayFigures, computed: DayFigures | None = None, result: str = "match"
) -> HospitalDay:
    return HospitalDay("H1", date(2026, 10, 5), declared, computed or declared, result)


def test_a_hospital_day_that_agrees_three_ways_is_no_difference():
    figures = DayFigures(
        count=2, medfee_sumamt=D("20.00"), fund_pay_sumamt=D("16.00"), cash=D("4.00")
    )
    assert compare_hospital_days({("H1", date(2026, 10, 5)): figures}, [day(figures)]) == []


def test_a_hospital_day_can_differ_from_the_ledger_or_be_undeclared():
    ours = DayFigures(count=1, fund_pay_sumamt=D("8.00"))
    declared = DayFigures(count=2, fund_pay_sumamt=D("16.00"))
    found = compare_hospital_days(
        {("H1", date(2026, 10, 5)): ours, ("H1", date(2026, 10, 6)): ours},
        [day(declared, computed=ours, result="mismatch")],
    )
    assert [(d.kind, d.key["day"]) for d in found] == [
        (DifferenceKind.HOSPITAL_LEDGER_MISMATCH, "2026-10-05"),
        (DifferenceKind.HOSPITAL_DAY_UNDECLARED, "2026-10-06"),
    ]


def test_settlements_verdict_on_a_declared_day_is_listed_when_it_is_a_mismatch():
    ours = DayFigures(count=1, fund_pay_sumamt=D("8.00"))
    declared = DayFigures(count=2, fund_pay_sumamt=D("16.00"))
    [verdict] = declaration_verdicts([day(ours), day(declared, computed=ours, result="mismatch")])
    assert verdict.kind is DifferenceKind.HOSPITAL_DECLARATION_MISMATCH
    assert verdict.detail["declared"]["count"] == 2
    assert verdict.detail["computed"]["fund_pay_sumamt"] == "8.00"


def test_only_institutions_whose_month_differs_from_their_declarations_are_drilled_by_day():
    groups = [
        group(fund="10.00", institution="H1"),
        group(EntryKind.BILL_REVERSED, fund="4.00", institution="H1"),
        group(fund="7.00", institution="H2"),
        group(fund="99.00", institution="H3", event_period="2026-09"),  # an adjustment: not here
    ]
    months = institution_months("2026-10", groups)
    assert months["H1"] == DayFigures(
        count=0, medfee_sumamt=D("12.00"), fund_pay_sumamt=D("6.00"), cash=D("6.00")
    )
    assert "H3" not in months
    declared = [
        HospitalDay("H1", date(2026, 10, 5), months["H1"], months["H1"], "match"),
        HospitalDay(
            "H2",
            date(2026, 10, 5),
            DayFigures(count=1, medfee_sumamt=D("14.00")),
            DayFigures(),
            "match",
        ),
        HospitalDay("H4", date(2026, 10, 6), DayFigures(count=1), DayFigures(count=1), "match"),
    ]
    assert institutions_to_drill(months, declared_months(declared)) == {"H2", "H4"}


# --- statements: generated → insured → treatment → paid -----------------------------------------


def step(step_, status: StatementStatus, region: str | None) -> StatementStatus:
    return take_step(
        step_, status=status, actor_region=region, insured_region=TIANJIN, treatment_region=BEIJING
    )


def test_the_statement_moves_insured_then_treatment_then_paid_by_the_treatment_side():
    status = step(INSURED_CONFIRMATION, StatementStatus.GENERATED, TIANJIN)
    status = step(TREATMENT_CONFIRMATION, status, BEIJING)
    assert step(PAYMENT, status, BEIJING) is StatementStatus.PAID


@pytest.mark.parametrize(
    ("step_", "region"),
    [
        (INSURED_CONFIRMATION, BEIJING),
        (TREATMENT_CONFIRMATION, TIANJIN),
        (PAYMENT, TIANJIN),
        (PAYMENT, None),
    ],
)
def test_a_step_belongs_to_one_side(step_, region):
    with pytest.raises(WrongSide):
        step(step_, step_.before, region)


def test_a_step_out_of_turn_is_refused():
    with pytest.raises(WrongOrder):
        step(TREATMENT_CONFIRMATION, StatementStatus.GENERATED, BEIJING)
    with pytest.raises(WrongOrder):
        step(INSURED_CONFIRMATION, StatementStatus.CONFIRMED_BY_INSURED, TIANJIN)


# --- runs ----------------------------------------------------------------------------------------


def test_the_current_month_may_be_cleared_but_not_one_that_has_not_begun():
    assert check_period_may_close("2026-11", current_period="2026-11") == "2026-11"
    with pytest.raises(PeriodNotStarted):
        check_period_may_close("2026-12", current_period="2026-11")


def test_asking_again_restarts_only_a_failed_run_or_one_whose_worker_is_gone():
    now = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
    later, earlier = now + timedelta(seconds=30), now - timedelta(seconds=1)
    assert resumes_on_request(RunStatus.FAILED, lease_until=None, now=now)
    assert resumes_on_request(RunStatus.RUNNING, lease_until=earlier, now=now)
    assert not resumes_on_request(RunStatus.RUNNING, lease_until=later, now=now)
    assert not resumes_on_request(RunStatus.CLOSED, lease_until=None, now=now)
    assert not resumes_on_request(RunStatus.BLOCKED, lease_until=None, now=now)


# --- advance funds -------------------------------------------------------------------------------


def fund(
    advanced: str, outstanding: str, last: str | None, use: tuple[str, ...] = ()
) -> AdvanceFund:
    return AdvanceFund(
        TIANJIN, BEIJING, D(advanced), D(outstanding), D(last) if last else None, tuple(map(D, use))
    )


def test_what_is_left_of_the_advance_falls_as_bills_post():
    assert fund("1000.00", "250.50", "1000.00").left == D("749.50")


def test_the_warning_is_below_the_share_of_the_last_advance():
    share = D("0.30")
    assert not fund("1000.00", "700.00", "1000.00").below_warning(share)
    assert fund("1000.00", "700.01", "1000.00").below_warning(share)
    assert fund("0.00", "0.01", None).below_warning(share)  # nothing advanced, something owed
    assert not fund("0.00", "0.00", None).below_warning(share)


def test_the_suggested_advance_is_the_average_use_times_the_months_rounded_up_to_the_yuan():
    assert fund("0.00", "0.00", None).suggested_advance(2) is None
    suggested = fund("500.00", "100.00", "500.00", ("300.01", "200.00", "100.00"))
    assert suggested.suggested_advance(2) == D("401.00")
    assert suggested.suggested_top_up(2) == D("1.00")
    assert fund("500.00", "0.00", "500.00", ("-50.00",)).suggested_advance(2) == D("0.00")
