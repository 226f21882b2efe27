"""Effective-dated reference data: catalogues per treatment region, policies per insured
region (DOMAIN.md, settlement arithmetic: "the one in force on the discharge date applies").

A version is a whole catalogue or a whole policy of one region from one day on; the next
version of the region ends it. Versions are checked here before they are stored, all at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from medins_common.errors import Conflict, RuleViolation
from settlement.domain.policy.model import (
    ZERO,
    CareType,
    Catalogue,
    CatalogueItem,
    ItemClass,
    Policy,
)

ONE = Decimal(1)
INSUTYPES = ("310", "390")  # employee, resident
PERSON_TYPES = {"310": ("employee_in_service", "employee_retired"), "390": ("resident",)}
RETIREE = "employee_retired"
BENEFITS = (CareType.INPATIENT, CareType.GENERAL_OUTPATIENT, CareType.CHRONIC_OUTPATIENT)


def province_of(region: str) -> str:
    """A city's province (130100 -> 130000): its data applies where the city has none."""
    return region[:2] + "0000"


@dataclass(frozen=True)
class VersionRef:
    version_id: str
    region: str
    effective_from: date


def in_force(versions: Sequence[VersionRef], *, region: str, on: date) -> VersionRef | None:
    """The version that applies on a day: the region's own latest begun by then, else its
    province's. A version ends only where the next one of its region begins."""
    for candidate in dict.fromkeys((region, province_of(region))):
        begun = [v for v in versions if v.region == candidate and v.effective_from <= on]
        if begun:
            return max(begun, key=lambda version: version.effective_from)
    return None


@dataclass(frozen=True)
class DataProblem:
    """One thing wrong with an import: ``position`` is the 0-based item or rule index (None
    for the version's own fields)."""

    position: int | None
    field: str
    message: str


class InvalidReferenceData(RuleViolation):
    code = "invalid_reference_data"


class VersionExists(Conflict):
    code = "version_exists"


@dataclass(frozen=True)
class VersionSummary:
    """A stored version without its rows; ``entries`` counts them (items or rules)."""

    version_id: str
    region: str
    effective_from: date
    source: str
    created_by: str
    created_at: datetime
    entries: int


@dataclass(frozen=True)
class CatalogueVersion:
    KIND: ClassVar[str] = "catalogue"
    ENTRIES: ClassVar[str] = "items"

    region: str
    effective_from: date
    items: tuple[CatalogueItem, ...]
    source: str
    version_id: str = ""
    created_by: str = ""
    created_at: datetime | None = None

    def problems(self) -> list[DataProblem]:
        problems: list[DataProblem] = []
        if not self.items:
            problems.append(DataProblem(None, "items", "a catalogue needs at least one item"))
        seen: set[str] = set()
        for position, item in enumerate(self.items):
            if item.code in seen:
                problems.append(DataProblem(position, "item_code", f"{item.code} is listed twice"))
            seen.add(item.code)
            if item.item_class is ItemClass.B and not ZERO < item.self_pay_share < ONE:
                problems.append(
                    DataProblem(
                        position, "self_pay_share", "class B needs a share above 0 and below 1"
                    )
                )
            if item.item_class is not ItemClass.B and item.self_pay_share != ZERO:
                problems.append(
                    DataProblem(position, "self_pay_share", "only class B has a first share")
                )
            if item.price_cap is not None and item.price_cap <= ZERO:
                problems.append(DataProblem(position, "price_cap", "a price cap must be above 0"))
        return problems

    @property
    def entries(self) -> tuple[CatalogueItem, ...]:
        return self.items

    def as_catalogue(self) -> Catalogue:
        return Catalogue(
            region=self.region,
            effective_from=self.effective_from,
            items={item.code: item for item in self.items},
            version_id=self.version_id,
        )


@dataclass(frozen=True)
class PolicyRule:
    """One row of a policy: the benefits for an insutype, person type, benefit care type and
    institution level (None: any level without its own row, e.g. pharmacies)."""

    insutype: str
    person_type: str
    care_type: CareType
    institution_level: int | None
    fund_ratio: Decimal
    annual_cap: Decimal
    deductible_first_admission: Decimal = ZERO
    deductible_later_admission: Decimal = ZERO
    annual_deductible: Decimal = ZERO
    retiree_addition: Decimal = ZERO

    @property
    def key(self) -> tuple[str, str, CareType, int | None]:
        return (self.insutype, self.person_type, self.care_type, self.institution_level)

    def problems(self, position: int) -> list[DataProblem]:
        found: list[tuple[str, str]] = []
        if self.insutype not in INSUTYPES:
            found.append(("insutype", f"must be one of {', '.join(INSUTYPES)}"))
        elif self.person_type not in PERSON_TYPES[self.insutype]:
            allowed = ", ".join(PERSON_TYPES[self.insutype])
            found.append(("person_type", f"insutype {self.insutype} has {allowed}"))
        if self.care_type not in BENEFITS:
            found.append(("care_type", "pharmacy purchases use the general_outpatient rows"))
        if self.institution_level not in (None, 1, 2, 3):
            found.append(("institution_level", "must be 1, 2, 3 or empty (any level)"))
        if not ZERO <= self.fund_ratio <= ONE:
            found.append(("fund_ratio", "must be between 0 and 1"))
        if not ZERO <= self.retiree_addition <= ONE - self.fund_ratio:
            found.append(("retiree_addition", "the fund ratio with it must stay within 0..1"))
        if self.retiree_addition and self.person_type != RETIREE:
            found.append(("retiree_addition", f"only {RETIREE} rows have an addition"))
        for name in ("annual_cap", "deductible_first_admission", "deductible_later_admission"):
            if getattr(self, name) < ZERO:
                found.append((name, "must not be negative"))
        if self.annual_deductible < ZERO:
            found.append(("annual_deductible", "must not be negative"))
        inpatient = self.care_type is CareType.INPATIENT
        if inpatient and self.annual_deductible:
            found.append(("annual_deductible", "inpatients have deductibles per admission"))
        if not inpatient and (self.deductible_first_admission or self.deductible_later_admission):
            found.append(("deductible_first_admission", "outpatient care has an annual deductible"))
        return [DataProblem(position, name, message) for name, message in found]


@dataclass(frozen=True)
class ChronicDisease:
    code: str
    name: str | None = None


@dataclass(frozen=True)
class PolicyVersion:
    KIND: ClassVar[str] = "policy"
    ENTRIES: ClassVar[str] = "rules"

    insured_region: str
    effective_from: date
    rules: tuple[PolicyRule, ...]
    source: str
    referral_share_increase: Decimal = Decimal("0.05")  # D-S4
    own_initiative_share_increase: Decimal = Decimal("0.10")  # D-S5
    chronic_diseases: tuple[ChronicDisease, ...] = ()
    version_id: str = ""
    created_by: str = ""
    created_at: datetime | None = None

    @property
    def region(self) -> str:
        return self.insured_region

    @property
    def entries(self) -> tuple[PolicyRule, ...]:
        return self.rules

    def problems(self) -> list[DataProblem]:
        problems: list[DataProblem] = []
        if not self.rules:
            problems.append(DataProblem(None, "rules", "a policy needs at least one rule"))
        for name in ("referral_share_increase", "own_initiative_share_increase"):
            if not ZERO <= getattr(self, name) <= ONE:
                problems.append(DataProblem(None, name, "must be between 0 and 1"))
        codes = [disease.code for disease in self.chronic_diseases]
        if len(set(codes)) != len(codes):
            problems.append(DataProblem(None, "chronic_diseases", "a disease is listed twice"))
        seen: set[tuple[str, str, CareType, int | None]] = set()
        for position, rule in enumerate(self.rules):
            problems += rule.problems(position)
            if rule.key in seen:
                problems.append(
                    DataProblem(position, "institution_level", "a rule for this key exists")
                )
            seen.add(rule.key)
        return problems

    def policy_for(
        self, *, insutype: str, person_type: str, care_type: CareType, institution_level: int | None
    ) -> Policy | None:
        """The rule of the institution's level, else the policy's any-level rule."""
        by_key = {rule.key: rule for rule in self.rules}
        benefit = care_type.benefit
        rule = by_key.get((insutype, person_type, benefit, institution_level)) or by_key.get(
            (insutype, person_type, benefit, None)
        )
        if rule is None:
            return None
        return Policy(
            insured_region=self.insured_region,
            insutype=insutype,
            person_type=person_type,
            care_type=benefit,
            institution_level=rule.institution_level,
            effective_from=self.effective_from,
            fund_ratio=rule.fund_ratio,
            annual_cap=rule.annual_cap,
            deductible_first_admission=rule.deductible_first_admission,
            deductible_later_admission=rule.deductible_later_admission,
            annual_deductible=rule.annual_deductible,
            retiree_addition=rule.retiree_addition,
            referral_share_increase=self.referral_share_increase,
            own_initiative_share_increase=self.own_initiative_share_increase,
            chronic_diseases=frozenset(disease.code for disease in self.chronic_diseases),
            version_id=self.version_id,
        )


def refuse_if_invalid(
    problems: list[DataProblem],
    *,
    describe: str,
    collection: str,
    csv_lines: Sequence[int] | None = None,
) -> None:
    """All or nothing: one problem refuses the whole import, and the refusal lists every
    problem by field: ``items.3.price_cap`` for JSON, CSV line number and column for CSV."""
    if not problems:
        return
    errors = [_located(problem, collection, csv_lines) for problem in problems]
    first = errors[0]
    raise InvalidReferenceData(
        f"The {describe} has {len(errors)} problem(s); nothing was stored. "
        f"First: {first['field']}: {first['message']}",
        field=str(first["field"]),
        extra={"errors": errors},
    )


def _located(
    problem: DataProblem, collection: str, csv_lines: Sequence[int] | None
) -> dict[str, object]:
    if problem.position is None:
        return {"field": problem.field, "message": problem.message}
    if csv_lines is not None:
        return {
            "line": csv_lines[problem.position],
            "field": problem.field,
            "message": problem.message,
        }
    return {"field": f"{collection}.{problem.position}.{problem.field}", "message": problem.message}
