"""Whether a stay or visit is settled directly, and why (D-F1, D-F5, D-F9, D-F10, D-S5).

Like the national benefit check: given a person, an institution, a day and a care type, the
answer names the basis (a filing, or a deemed filing) or every reason it does not apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from filing.domain.chronic import ChronicRegistration
from filing.domain.filing import Filing, FilingClass, Subtype
from filing.domain.institution import Institution, Level, NetworkedService
from filing.domain.person import Person
from filing.domain.regions import is_jjj, place_of, province_of


class CareType(StrEnum):
    INPATIENT = "inpatient"
    GENERAL_OUTPATIENT = "general_outpatient"
    CHRONIC_OUTPATIENT = "chronic_outpatient"
    EMERGENCY = "emergency"


class Basis(StrEnum):
    FILING = "filing"
    DEEMED_EMERGENCY = "deemed_emergency"
    DEEMED_JJJ = "deemed_jjj"


# D-F5: which networked service lets the institution settle this care type directly.
_SERVICES_FOR = {
    CareType.INPATIENT: {NetworkedService.INPATIENT},
    CareType.GENERAL_OUTPATIENT: {NetworkedService.GENERAL_OUTPATIENT, NetworkedService.PHARMACY},
    CareType.CHRONIC_OUTPATIENT: {NetworkedService.CHRONIC_OUTPATIENT},
    CareType.EMERGENCY: {NetworkedService.INPATIENT, NetworkedService.GENERAL_OUTPATIENT},
}
# Art. 7 and 26: referral and own-initiative temporary care goes to level-2/3 institutions.
_NEEDS_LEVEL_2 = {Subtype.REFERRAL, Subtype.OTHER_TEMPORARY}
_AFTERWARDS = (
    " File before discharge settlement (late filing, D-F7), or pay and claim manual "
    "reimbursement at home (D-F8)."
)


@dataclass(frozen=True)
class Reason:
    code: str
    detail: str


@dataclass(frozen=True)
class Eligibility:
    direct_settlement: bool
    detail: str
    basis: Basis | None = None
    filing_class: FilingClass | None = None
    subtype: Subtype | None = None
    filing_id: str | None = None
    chronic_registration_id: str | None = None
    reasons: tuple[Reason, ...] = field(default_factory=tuple)


def assess(
    *,
    person: Person,
    institution: Institution,
    filings: Sequence[Filing],
    registrations: Sequence[ChronicRegistration],
    on: date,
    care_type: CareType,
) -> Eligibility:
    refusal = _refusal_before_filings(person, institution, care_type)
    if refusal is not None:
        return _refused([refusal], afterwards=False)
    reasons: list[Reason] = []
    for filing in _filings_to_try(filings, institution=institution, on=on, reasons=reasons):
        registration, problem = _check_filing_for_care(
            filing, institution=institution, registrations=registrations, care_type=care_type
        )
        if problem is None:
            return Eligibility(
                direct_settlement=True,
                detail=f"{filing.filing_class.value} filing ({filing.subtype.value}) to "
                f"{filing.destination_region} covers {on.isoformat()} (D-F1).",
                basis=Basis.FILING,
                filing_class=filing.filing_class,
                subtype=filing.subtype,
                filing_id=filing.filing_id,
                chronic_registration_id=registration and registration.registration_id,
            )
        reasons.append(problem)
    deemed = _deemed(person, institution, registrations=registrations, care_type=care_type)
    if isinstance(deemed, Eligibility):
        return deemed
    if deemed is not None:
        reasons.append(deemed)
    return _refused(reasons, afterwards=True)


def _refusal_before_filings(
    person: Person, institution: Institution, care_type: CareType
) -> Reason | None:
    if not person.is_active:
        return Reason("person_not_active", f"The person's insurance is {person.status.value}.")
    if not institution.designated:
        return Reason("institution_not_designated", f"{institution.code} is not designated.")
    if not any(institution.offers(service) for service in _SERVICES_FOR[care_type]):
        return Reason(
            "institution_not_networked",
            f"{institution.code} has not opened {care_type.value} cross-region direct "
            "settlement (D-F5, D-F12).",
        )
    if institution.place == place_of(person.insured_region):
        return Reason(
            "local_care",
            f"{institution.code} lies in the insured place {institution.place}: local "
            "settlement, not cross-region.",
        )
    return None


def _filings_to_try(
    filings: Sequence[Filing], *, institution: Institution, on: date, reasons: list[Reason]
) -> list[Filing]:
    """The filings for this day and place, long-term first; why there are none if so."""
    if not filings:
        reasons.append(Reason("no_filing", "The person holds no cross-region filing (D-F1)."))
        return []
    in_force = [filing for filing in filings if filing.covers(on)]
    if not in_force:
        reasons.append(
            Reason(
                "filing_not_in_force",
                f"No filing covers {on.isoformat()}: not yet started, expired or cancelled (D-F6).",
            )
        )
        return []
    here = [f for f in in_force if f.destination_region == institution.place]
    if not here:
        filed_to = ", ".join(sorted({f.destination_region for f in in_force}))
        reasons.append(
            Reason(
                "destination_mismatch",
                f"The filing(s) in force name {filed_to}; {institution.code} lies in "
                f"{institution.place} (D-F4).",
            )
        )
    return sorted(here, key=lambda f: (f.filing_class is not FilingClass.LONG_TERM, f.start_date))


def _check_filing_for_care(
    filing: Filing,
    *,
    institution: Institution,
    registrations: Sequence[ChronicRegistration],
    care_type: CareType,
) -> tuple[ChronicRegistration | None, Reason | None]:
    if care_type is CareType.CHRONIC_OUTPATIENT:
        if filing.filing_class is not FilingClass.LONG_TERM:
            return None, Reason(
                "chronic_needs_long_term_filing",
                "Chronic outpatient direct settlement is for long-term filers (D-F9).",
            )
        active = [r for r in registrations if r.is_active]
        if not active:
            return None, Reason(
                "no_chronic_registration", "No chronic-disease registration (D-F9)."
            )
        chosen = [r for r in active if institution.code in r.institution_codes]
        if not chosen:
            return None, Reason(
                "chronic_institution_not_chosen",
                f"{institution.code} is not among the institutions chosen for chronic "
                "direct settlement (D-F9).",
            )
        return chosen[0], None
    if filing.subtype in _NEEDS_LEVEL_2 and (institution.level or 0) < Level.TWO:
        return None, Reason(
            "institution_level_too_low",
            f"A {filing.subtype.value} filing is settled at level-2 or level-3 institutions "
            "only (Art. 7, D-S5).",
        )
    return None, None


def _deemed(
    person: Person,
    institution: Institution,
    *,
    registrations: Sequence[ChronicRegistration],
    care_type: CareType,
) -> Eligibility | Reason | None:
    """D-F10: emergencies, and care inside Beijing–Tianjin–Hebei, need no filing record."""
    if care_type is CareType.EMERGENCY:
        return Eligibility(
            direct_settlement=True,
            detail="Emergency care is deemed filed: no filing record is needed (D-F10).",
            basis=Basis.DEEMED_EMERGENCY,
            filing_class=FilingClass.TEMPORARY,
            subtype=Subtype.EMERGENCY,
        )
    crosses_jjj = (
        is_jjj(person.insured_region)
        and is_jjj(institution.region)
        and province_of(person.insured_region) != province_of(institution.region)
    )
    if not crosses_jjj:
        return None
    registration = None
    if care_type is CareType.CHRONIC_OUTPATIENT:  # M8: JJJ chronic care, disease registered
        registration = next((r for r in registrations if r.is_active), None)
        if registration is None:
            return Reason("no_chronic_registration", "No chronic-disease registration (M8).")
    return Eligibility(
        direct_settlement=True,
        detail="Care inside Beijing–Tianjin–Hebei is deemed filed: no filing record is "
        "needed (D-F10, M10).",
        basis=Basis.DEEMED_JJJ,
        chronic_registration_id=registration and registration.registration_id,
    )


def _refused(reasons: list[Reason], *, afterwards: bool) -> Eligibility:
    detail = "; ".join(reason.detail for reason in reasons)
    return Eligibility(
        direct_settlement=False,
        detail=detail + (_AFTERWARDS if afterwards else ""),
        reasons=tuple(reasons),
    )
