"""Who is covered how, at which institution, on which day (D-F1, D-F5, D-F7, D-F9, D-F10,
D-S4, D-S5): the facts the policy engine's ``Coverage`` needs, decided from the read models.

Which filing counts when several could: a long-term filing first (the insured place's ratios),
then an emergency (deemed, D-F10), then a temporary filing, then the Beijing–Tianjin–Hebei
deemed filing (M10). The penalty points themselves are the engine's (D-S4, D-S5).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from settlement.domain.eligibility import KnownFiling, filings_in_force
from settlement.domain.errors import (
    ChronicInstitutionNotRegistered,
    EmergencyNotApplicable,
    NotCrossRegion,
    NotNetworkedForCare,
    NoValidFiling,
    PersonNotActive,
)
from settlement.domain.policy.model import CareType, Coverage, TraceStep

JJJ_PROVINCES = frozenset({"11", "12", "13"})  # Beijing, Tianjin, Hebei (M10)
# Where the whole province is one pooling region: the municipalities, and Hainan, Tibet and
# XPCC (D-F4); elsewhere each city is one.
PROVINCE_LEVEL_POOLING = frozenset({"11", "12", "31", "50", "46", "54", "66"})
EMERGENCY_CARE = frozenset({CareType.INPATIENT, CareType.GENERAL_OUTPATIENT})

# The networked service an institution must offer for each kind of care (D-F5, D-F12).
NETWORKED_SERVICE = {
    CareType.INPATIENT: "inpatient",
    CareType.GENERAL_OUTPATIENT: "general_outpatient",
    CareType.CHRONIC_OUTPATIENT: "chronic_outpatient",
    CareType.PHARMACY_OUTPATIENT: "pharmacy",
}
# The filing scope each kind of care needs (D-F5); chronic care is covered by its registration.
FILING_SCOPE = {
    CareType.INPATIENT: "inpatient",
    CareType.GENERAL_OUTPATIENT: "general_outpatient",
    CareType.PHARMACY_OUTPATIENT: "general_outpatient",
}

NO_FILING_REMEDIES = (
    "A filing made before discharge settlement makes this stay directly settleable (D-F7); "
    "after paying in full, the person can claim manual reimbursement at home (D-F8)."
)


@dataclass(frozen=True)
class KnownPerson:
    psn_no: str
    name: str
    insured_region: str
    insutype: str
    person_type: str
    status: str


@dataclass(frozen=True)
class Institution:
    code: str
    name: str
    region: str
    kind: str
    level: int | None
    designated: bool
    networked_services: frozenset[str]
    consortium_id: str | None
    jjj_mutual_recognition: bool


@dataclass(frozen=True)
class KnownReferral:
    referral_id: str
    target_institution: str
    valid_from: date
    valid_to: date
    covered_institutions: frozenset[str] = frozenset()  # the certificate's list (D-R4)
    consortium_id: str | None = None  # the target's consortium, if known
    revoked: bool = False

    def in_force(self, day: date) -> bool:
        return not self.revoked and self.valid_from <= day <= self.valid_to


@dataclass(frozen=True)
class ChronicRegistration:
    registration_id: str
    disease_code: str
    institution_codes: frozenset[str]
    active: bool


@dataclass(frozen=True)
class CareAt:
    """One episode of care: where, what kind, and when."""

    institution: Institution
    care_type: CareType
    admitted_on: date
    on: date  # discharge (or outpatient) date: the day that must be covered
    emergency: bool = False
    chronic_disease: str | None = None


@dataclass(frozen=True)
class CoverageDecision:
    coverage: Coverage
    trace: tuple[TraceStep, ...]


def region_within(region: str, area: str) -> bool:
    """Whether a region lies in an area: a province-level code (xx0000) covers its province,
    a city (xxxx00) its city, anything else only itself (D-F4)."""
    if area.endswith("0000"):
        return region[:2] == area[:2]
    if area.endswith("00"):
        return region[:4] == area[:4]
    return region == area


def pooling_region(region: str) -> str:
    """The pooling region 统筹区 a place belongs to: its agency is the treatment place's in
    clearing (clr_optins), and its catalogue applies (D-S2)."""
    if region[:2] in PROVINCE_LEVEL_POOLING:
        return f"{region[:2]}0000"
    return f"{region[:4]}00"


def jjj_deemed(insured_region: str, treatment_region: str) -> bool:
    """M10, D-F10: insured in one of Beijing, Tianjin, Hebei and treated in another."""
    insured, treated = insured_region[:2], treatment_region[:2]
    return insured in JJJ_PROVINCES and treated in JJJ_PROVINCES and insured != treated


def ensure_networked(institution: Institution, care_type: CareType) -> None:
    """Direct settlement only where the institution offers it for this care (D-F5, D-F12)."""
    service = NETWORKED_SERVICE[care_type]
    if service not in institution.networked_services:
        raise NotNetworkedForCare(
            f"Institution {institution.code} does not offer cross-region direct settlement "
            f"for {service} care.",
            field="care_type",
        )


def decide_coverage(
    *,
    person: KnownPerson,
    care: CareAt,
    filings: Sequence[KnownFiling],
    referrals: Sequence[KnownReferral],
    chronic_registrations: Sequence[ChronicRegistration],
    self_paid_claim: bool = False,
) -> CoverageDecision:
    """The coverage of one episode of care, with the trace of why; refuses when none holds.

    A manual claim after self-paid care (``self_paid_claim``, D-F8, D-S3) needs no filing: it
    is then valued as care on the person's own initiative, with the points of D-S5."""
    institution = care.institution
    if person.status != "active":
        raise PersonNotActive(
            f"Person {person.psn_no} is {person.status}: no direct settlement.", field="psn_no"
        )
    if region_within(institution.region, person.insured_region):
        raise NotCrossRegion(
            f"Institution {institution.code} lies in the insured region "
            f"{person.insured_region}: that care is settled locally (D-S1).",
            field="institution_code",
        )
    if care.emergency and care.care_type not in EMERGENCY_CARE:
        raise EmergencyNotApplicable(
            f"An emergency is inpatient or general outpatient care, not {care.care_type}.",
            field="emergency",
        )
    trace: list[TraceStep] = []
    if care.care_type is CareType.CHRONIC_OUTPATIENT:
        trace.append(_chronic_registration(care, chronic_registrations))
    basis = _basis(person, care, filings, self_paid_claim=self_paid_claim)
    referral, referral_step = _referral_status(institution, care.on, referrals)
    trace += [basis.step, referral_step]
    coverage = Coverage(
        basis=basis.name,
        filing_class=basis.filing.filing_class if basis.filing else None,
        subtype=basis.filing.subtype if basis.filing else None,
        referral=referral,
        institution_level=institution.level,
        institution_designated=institution.designated,
    )
    return CoverageDecision(coverage=coverage, trace=tuple(trace))


def _chronic_registration(care: CareAt, registrations: Sequence[ChronicRegistration]) -> TraceStep:
    for registration in registrations:
        if (
            registration.active
            and registration.disease_code == care.chronic_disease
            and care.institution.code in registration.institution_codes
        ):
            return TraceStep(
                "D-F9",
                f"chronic disease {registration.disease_code} registered "
                f"({registration.registration_id}) at institution {care.institution.code}",
            )
    raise ChronicInstitutionNotRegistered(
        f"The person has no active chronic-disease registration for {care.chronic_disease!r} "
        f"at institution {care.institution.code} (D-F9).",
        field="chronic_disease",
    )


@dataclass(frozen=True)
class _Basis:
    name: str  # Coverage.basis
    filing: KnownFiling | None
    step: TraceStep


def _basis(
    person: KnownPerson, care: CareAt, filings: Sequence[KnownFiling], *, self_paid_claim: bool
) -> _Basis:
    region = care.institution.region
    scope = FILING_SCOPE.get(care.care_type)
    usable = [
        filing
        for filing in filings_in_force(list(filings), care.on)
        if region_within(region, filing.destination_region)
        and (scope is None or scope in filing.scope)
    ]
    long_term = [filing for filing in usable if filing.filing_class == "long_term"]
    if long_term:
        return _filed(long_term[0], care)
    if care.emergency:
        step = TraceStep("D-F10", f"emergency care on {care.on}: deemed filed")
        return _Basis("deemed_emergency", None, step)
    if usable:
        return _filed(usable[0], care)
    if jjj_deemed(person.insured_region, region):
        step = TraceStep(
            "D-F10",
            f"insured in {person.insured_region}, treated in {region}: "
            "Beijing–Tianjin–Hebei deemed filing (M10)",
        )
        return _Basis("deemed_jjj", None, step)
    if self_paid_claim:
        step = TraceStep("D-S3", "no filing: self-paid care valued as own-initiative care (D-S5)")
        return _Basis("filing", None, step)
    raise NoValidFiling(
        f"Person {person.psn_no} holds no filing in force on {care.on} for region {region}, "
        f"and no deemed filing applies (D-F1). {NO_FILING_REMEDIES}",
        field="psn_no",
        extra={"remedies": ["D-F7", "D-F8"]},
    )


def _filed(filing: KnownFiling, care: CareAt) -> _Basis:
    detail = (
        f"filing {filing.filing_id} ({filing.filing_class} {filing.subtype}) to "
        f"{filing.destination_region} in force on {care.on}"
    )
    if filing.start_date > care.admitted_on:
        step = TraceStep("D-F7", f"{detail}; made after admission, before discharge settlement")
    else:
        step = TraceStep("D-F1", detail)
    return _Basis("filing", filing, step)


def _referral_status(
    institution: Institution, on: date, referrals: Sequence[KnownReferral]
) -> tuple[str, TraceStep]:
    in_force = [referral for referral in referrals if referral.in_force(on)]
    receiving = [r for r in in_force if r.target_institution == institution.code]
    consortium = [
        r
        for r in in_force
        if institution.code in r.covered_institutions
        or (institution.consortium_id is not None and r.consortium_id == institution.consortium_id)
    ]
    matched = (receiving or consortium or [None])[0]
    if matched is None:
        return "none", TraceStep("D-S4", "no referral in force for this institution")
    where = (
        "the receiving institution"
        if receiving
        else "in the medical consortium of its receiving institution"
    )
    if institution.jjj_mutual_recognition:
        return "jjj_mutual_recognition", TraceStep(
            "D-S4",
            f"referral {matched.referral_id}: this institution is {where} and a "
            "Beijing–Tianjin–Hebei mutually recognised one",
        )
    status = "receiving_institution" if receiving else "consortium_institution"
    return status, TraceStep("D-S4", f"referral {matched.referral_id}: this institution is {where}")
