"""Reference data as the engine sees it: the version in force on a day, checks before a
version is stored, the rule of a level, and the shipped Tianjin figures (DOMAIN.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from settlement.domain.defaults import DEFAULT_CATALOGUES, DEFAULT_POLICIES, TIANJIN_POLICY
from settlement.domain.policy import CareType, settle
from settlement.domain.reference_data import (
    CatalogueVersion,
    InvalidReferenceData,
    PolicyRule,
    VersionRef,
    in_force,
    refuse_if_invalid,
)

from .conftest import (
    BEIJING,
    BEIJING_CATALOGUE,
    DRUG,
    B,
    D,
    bill,
    item,
    long_term,
    policy,
    settlement_input,
)

VERSIONS = [
    VersionRef("tj-2023", "120000", date(2023, 1, 1)),
    VersionRef("tj-2026", "120000", date(2026, 1, 1)),
    VersionRef("hb-2023", "130000", date(2023, 1, 1)),
    VersionRef("sjz-2026", "130100", date(2026, 1, 1)),
]


@pytest.mark.parametrize(
    ("region", "on", "expected"),
    [
        ("120000", date(2025, 12, 31), "tj-2023"),  # the eve of the new version
        ("120000", date(2026, 1, 1), "tj-2026"),  # its first day
        ("120000", date(2022, 12, 31), None),  # before any version
        ("130100", date(2025, 6, 1), "hb-2023"),  # the city has none yet: the province's
        ("130100", date(2026, 1, 1), "sjz-2026"),  # from then on the city's own
        ("130200", date(2026, 1, 1), "hb-2023"),  # another city: still the province's
        ("110000", date(2026, 1, 1), None),
    ],
)
def test_the_version_in_force_on_the_discharge_date_applies(region, on, expected):
    chosen = in_force(VERSIONS, region=region, on=on)
    assert (chosen.version_id if chosen else None) == expected


def test_the_trace_names_the_first_days_of_the_catalogue_and_policy_applied():
    result = settle(
        settlement_input(bill(("DRUG-A", "1", "1")), long_term()),
        catalogue=BEIJING_CATALOGUE,
        policy=policy(),
    )
    assert "catalogue of 110000 in force from 2025-01-01" in result.trace[0].detail
    assert "policy of 120000 in force from 2023-01-01" in result.trace[0].detail


# -- checks before storing ------------------------------------------------------------------


def test_a_catalogue_refuses_duplicates_and_shares_that_do_not_fit_the_class():
    version = CatalogueVersion(
        region=BEIJING,
        effective_from=date(2026, 1, 1),
        source="test",
        items=(
            item("X", DRUG, B, share="0.10"),
            item("X", DRUG, B, share="0.10"),  # listed twice
            item("Y", DRUG, B),  # class B without a share
            item("Z", DRUG, B, share="1"),  # a share of 100 % is class C
        ),
    )
    assert [(p.position, p.field) for p in version.problems()] == [
        (1, "item_code"),
        (2, "self_pay_share"),
        (3, "self_pay_share"),
    ]


def test_a_policy_rule_keeps_to_its_care_type_and_person_type():
    rule = PolicyRule(
        insutype="390",
        person_type="employee_retired",  # residents are "resident"
        care_type=CareType.PHARMACY_OUTPATIENT,  # pharmacies use the outpatient rules
        institution_level=4,
        fund_ratio=D("0.98"),
        annual_cap=D("1000"),
        deductible_first_admission=D("100"),  # outpatient care has an annual deductible
        retiree_addition=D("0.05"),  # 98 % + 5 points > 100 %
    )
    assert [p.field for p in rule.problems(0)] == [
        "person_type",
        "care_type",
        "institution_level",
        "retiree_addition",
        "deductible_first_admission",
    ]


def test_a_refusal_lists_every_problem_by_entry_or_by_csv_line():
    problems = CatalogueVersion(
        region=BEIJING,
        effective_from=date(2026, 1, 1),
        source="test",
        items=(item("Y", DRUG, B), item("Y", DRUG, B)),
    ).problems()
    with pytest.raises(InvalidReferenceData) as as_json:
        refuse_if_invalid(problems, describe="catalogue", collection="items")
    with pytest.raises(InvalidReferenceData) as as_csv:
        refuse_if_invalid(problems, describe="catalogue", collection="items", csv_lines=[2, 3])
    assert [e["field"] for e in as_json.value.extra["errors"]] == [
        "items.0.self_pay_share",
        "items.1.item_code",
        "items.1.self_pay_share",
    ]
    assert [(e["line"], e["field"]) for e in as_csv.value.extra["errors"]] == [
        (2, "self_pay_share"),
        (3, "item_code"),
        (3, "self_pay_share"),
    ]


# -- rules by level, and the shipped figures -------------------------------------------------


def test_an_institution_level_without_its_own_rule_takes_the_any_level_rule():
    outpatient = dict(insutype="310", person_type="employee_in_service")
    level_1 = TIANJIN_POLICY.policy_for(
        care_type=CareType.GENERAL_OUTPATIENT, institution_level=1, **outpatient
    )
    pharmacy = TIANJIN_POLICY.policy_for(
        care_type=CareType.PHARMACY_OUTPATIENT, institution_level=None, **outpatient
    )
    inpatient_pharmacy = TIANJIN_POLICY.policy_for(
        care_type=CareType.INPATIENT, institution_level=None, **outpatient
    )
    assert (level_1.institution_level, level_1.fund_ratio) == (1, D("0.75"))
    assert (pharmacy.institution_level, pharmacy.fund_ratio) == (None, D("0.55"))
    assert inpatient_pharmacy is None


@pytest.mark.parametrize(
    ("insutype", "person_type", "level", "first", "later", "ratio", "addition", "cap"),
    [
        ("310", "employee_in_service", 1, "800", "270", "0.85", "0", "350000"),
        ("310", "employee_in_service", 2, "1100", "350", "0.85", "0", "350000"),
        ("310", "employee_in_service", 3, "1700", "500", "0.80", "0", "350000"),
        ("310", "employee_retired", 3, "1700", "500", "0.80", "0.05", "350000"),
        ("390", "resident", 1, "500", "0", "0.75", "0", "250000"),
        ("390", "resident", 2, "500", "0", "0.70", "0", "250000"),
        ("390", "resident", 3, "500", "0", "0.65", "0", "250000"),
    ],
)
def test_the_shipped_tianjin_inpatient_figures_are_domain_mds(
    insutype, person_type, level, first, later, ratio, addition, cap
):
    found = TIANJIN_POLICY.policy_for(
        insutype=insutype,
        person_type=person_type,
        care_type=CareType.INPATIENT,
        institution_level=level,
    )
    assert (
        found.deductible_first_admission,
        found.deductible_later_admission,
        found.fund_ratio,
        found.retiree_addition,
        found.annual_cap,
    ) == (D(first), D(later), D(ratio), D(addition), D(cap))


def test_every_shipped_version_passes_the_checks_an_import_would():
    for version in (*DEFAULT_CATALOGUES, *DEFAULT_POLICIES):
        assert version.problems() == [], version.version_id
        assert version.source
    assert replace(DEFAULT_POLICIES[0], rules=()).problems()  # the checks do bite
