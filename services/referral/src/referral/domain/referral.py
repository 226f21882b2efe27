"""Referrals 转诊 (D-R1–R5, Art. 16–20): who may issue on which path, to where, for how long.

A referral is written as a draft with a physician's opinion, approved by the department head,
and uploaded by the hospital's insurance office; only the upload issues it (D-R1, Art. 17).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from referral.domain.diagnosis import normalize_diagnosis_code
from referral.domain.errors import (
    EmergencyAdmissionRequired,
    InvalidValidity,
    IssuerNotQualified,
    NoLongTermFiling,
    NotForPath,
    NotInsuredInTianjin,
    OriginReferralNotInForce,
    OriginReferralRequired,
    OverlappingReferral,
    PersonNotActive,
    PhysicianTitleTooLow,
    ReferralAlreadyRevoked,
    ReferralExpired,
    ReferralStateConflict,
    ReferralUsed,
    TargetInTianjin,
    TargetNotQualified,
    TargetOutsidePath,
    TargetRegionMismatch,
    TargetUnknown,
)
from referral.domain.regions import in_tianjin, province_of, within

# A referral person is a temporary filer, whose filing lasts 12 months at most (Art. 7, 13):
# a referral valid for longer could not be used for longer.
MAX_VALIDITY_MONTHS = 12
# Art. 7(一), Art. 16: a referral goes to a level-2 or level-3 designated institution.
REFERRABLE_LEVELS = frozenset({2, 3})


class Path(StrEnum):
    """The five ways a referral comes about; settlement tells them apart by this value."""

    TERTIARY_OUTBOUND = "tertiary_outbound"  # D-R1: a Tianjin tertiary hospital refers out
    LONG_TERM_IN_PROVINCE = "long_term_in_province"  # D-R3: inside the filed province
    LONG_TERM_CROSS_PROVINCE = "long_term_cross_province"  # D-R3: to another province
    TEMPORARY_ONWARD = "temporary_onward"  # D-R4: the first receiving institution moves on
    EMERGENCY_ONWARD = "emergency_onward"  # D-R5: the emergency's first institution moves on

    @property
    def long_term(self) -> bool:
        return self in (Path.LONG_TERM_IN_PROVINCE, Path.LONG_TERM_CROSS_PROVINCE)


class PhysicianTitle(StrEnum):
    CHIEF = "chief"  # 主任医师
    ASSOCIATE_CHIEF = "associate_chief"  # 副主任医师


_QUALIFIED_TITLES = {
    "主任医师": PhysicianTitle.CHIEF,
    "副主任医师": PhysicianTitle.ASSOCIATE_CHIEF,
    **{title.value: title for title in PhysicianTitle},
}


def qualified_title(title: str) -> PhysicianTitle:
    """D-R1 (Art. 17): the opinion is written by a physician of associate-senior title or above."""
    try:
        return _QUALIFIED_TITLES[title.strip()]
    except KeyError:
        raise PhysicianTitleTooLow(
            f"A referral opinion needs a 副主任医师 or 主任医师 (D-R1); {title!r} is not one.",
            field="physician.title",
        ) from None


@dataclass(frozen=True)
class Institution:
    code: str
    name: str
    region: str
    level: int | None
    designated: bool = True
    kind: str = "hospital"
    consortium_id: str | None = None

    @property
    def designated_hospital(self) -> bool:
        return self.designated and self.kind == "hospital"


@dataclass(frozen=True)
class Patient:
    psn_no: str
    name: str
    insured_region: str
    status: str = "active"


@dataclass(frozen=True)
class KnownFiling:
    filing_id: str
    filing_class: str
    destination_region: str
    start_date: date
    end_date: date | None
    status: str = "active"

    def long_term_throughout(self, first: date, last: date) -> bool:
        return (
            self.filing_class == "long_term"
            and self.status == "active"
            and self.start_date <= first
            and (self.end_date is None or last <= self.end_date)
        )


@dataclass(frozen=True)
class Content:
    """What a referral says (D-R1, D-R2): one patient, one diagnosis, one target, one period."""

    path: Path
    psn_no: str
    diagnosis_code: str
    diagnosis_name: str
    reason: str
    target_institution: str
    target_region: str
    valid_from: date
    valid_to: date
    origin_referral_id: str | None = None  # temporary_onward: the referral that brought them
    emergency_admitted_on: date | None = None  # emergency_onward: the emergency admission

    def overlaps(self, other: Content) -> bool:
        return self.valid_from <= other.valid_to and other.valid_from <= self.valid_to


class State(StrEnum):
    DRAFT = "draft"  # the physician's opinion is written
    APPROVED = "approved"  # the department head approved it
    ISSUED = "issued"  # uploaded by the insurance office (registered by the agency): published
    REVOKED = "revoked"


class Status(StrEnum):
    """What a referral is today: its state, and ``expired`` once an issued one is past valid_to."""

    DRAFT = "draft"
    APPROVED = "approved"
    ISSUED = "issued"
    EXPIRED = "expired"
    REVOKED = "revoked"


class StepKind(StrEnum):
    OPINION = "opinion"
    APPROVAL = "approval"
    UPLOAD = "upload"
    REVOCATION = "revocation"


@dataclass(frozen=True)
class Actor:
    """Who acts, as the token says: its subject and role (the named person is on the step)."""

    subject: str
    role: str


@dataclass(frozen=True)
class Step:
    kind: StepKind
    actor_subject: str
    actor_role: str
    person_name: str
    at: datetime
    person_title: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Facts:
    """What the read models and earlier referrals say, gathered for one check."""

    patient: Patient
    issuer: Institution | None
    target: Institution | None
    filings: Sequence[KnownFiling] = ()  # the patient's
    hospitals_of_issuer_province: Sequence[Institution] = ()
    origin: Referral | None = None
    referrals_of_patient: Sequence[Referral] = ()
    consortium_of_target: Sequence[Institution] = ()


@dataclass
class Referral:
    referral_id: str
    content: Content
    issuing_institution: str
    verification_code: str
    state: State = State.DRAFT
    steps: list[Step] = field(default_factory=list)
    covered_institutions: tuple[str, ...] = ()
    consortium_id: str | None = None
    used: bool = False

    @classmethod
    def draft(
        cls,
        *,
        referral_id: str,
        content: Content,
        facts: Facts,
        actor: Actor,
        physician_name: str,
        physician_title: str,
        at: datetime,
        verification_code: str,
    ) -> Referral:
        """The physician's opinion (D-R1): checked in full now, and again when uploaded."""
        content = _with_normal_diagnosis(content)
        check_issuable(content, facts, today=at.date())
        title = qualified_title(physician_title)
        check_not_backdated(content, today=at.date())
        assert facts.issuer is not None  # check_issuable refuses an unknown issuer
        opinion = Step(StepKind.OPINION, actor.subject, actor.role, physician_name, at, title)
        return cls(
            referral_id=referral_id,
            content=content,
            issuing_institution=facts.issuer.code,
            verification_code=verification_code,
            steps=[opinion],
        )

    def status(self, today: date) -> Status:
        if self.state is State.ISSUED and self.content.valid_to < today:
            return Status.EXPIRED
        return Status(self.state.value)

    @property
    def was_issued(self) -> bool:
        """Issued at some time (a revoked referral may have been): its printout is genuine."""
        return any(step.kind is StepKind.UPLOAD for step in self.steps)

    def in_force_on(self, day: date) -> bool:
        return (
            self.state is State.ISSUED and self.content.valid_from <= day <= self.content.valid_to
        )

    def covers(self, institution_code: str) -> bool:
        return institution_code in self.covered_institutions

    def approve(self, *, actor: Actor, department_head: str, at: datetime) -> None:
        """D-R1: the department head approves the opinion."""
        self._require(State.DRAFT, StepKind.APPROVAL)
        self.state = State.APPROVED
        self.steps.append(Step(StepKind.APPROVAL, actor.subject, actor.role, department_head, at))

    def issue(self, *, actor: Actor, officer: str, facts: Facts, at: datetime) -> None:
        """D-R1: the upload issues the referral, if everything still holds on the day."""
        self._require(State.APPROVED, StepKind.UPLOAD)
        check_issuable(self.content, facts, today=at.date(), referral_id=self.referral_id)
        assert facts.target is not None  # check_issuable refuses an unknown target
        self.state = State.ISSUED
        self.covered_institutions = coverage(facts.target, facts.consortium_of_target)
        self.consortium_id = facts.target.consortium_id
        self.steps.append(Step(StepKind.UPLOAD, actor.subject, actor.role, officer, at))

    def revoke(self, *, actor: Actor, officer: str, reason: str, at: datetime) -> bool:
        """Revoke before use; a draft is withdrawn the same way. True if it had been issued."""
        if self.state is State.REVOKED:
            raise ReferralAlreadyRevoked(f"Referral {self.referral_id} is already revoked.")
        if self.status(at.date()) is Status.EXPIRED:
            raise ReferralExpired(
                f"Referral {self.referral_id} expired on {self.content.valid_to.isoformat()}.",
                field="valid_to",
            )
        if self.used:
            raise ReferralUsed(
                f"Referral {self.referral_id} has been used for a settled bill; "
                "only an unused referral can be revoked."
            )
        was_issued = self.state is State.ISSUED
        self.state = State.REVOKED
        step = Step(StepKind.REVOCATION, actor.subject, actor.role, officer, at, note=reason)
        self.steps.append(step)
        return was_issued

    def _require(self, state: State, step: StepKind) -> None:
        if self.state is not state:
            raise ReferralStateConflict(
                f"The {step.value} step needs a referral in state {state.value}; "
                f"referral {self.referral_id} is {self.state.value}.",
                extra={"referral_status": self.state.value},
            )


def coverage(target: Institution, consortium: Sequence[Institution]) -> tuple[str, ...]:
    """D-R4 (Art. 19, 25): the receiving institution's certificate also covers the designated
    institutions of its medical consortium 医联体."""
    members = sorted(
        member.code
        for member in consortium
        if target.consortium_id
        and member.consortium_id == target.consortium_id
        and member.designated
        and member.code != target.code
    )
    return (target.code, *members)


def latest_valid_to(valid_from: date) -> date:
    """The last day of the longest validity: 12 months less a day."""
    month_index = valid_from.month - 1 + MAX_VALIDITY_MONTHS
    year, month = valid_from.year + month_index // 12, month_index % 12 + 1
    day = min(valid_from.day, calendar.monthrange(year, month)[1])
    return date(year, month, day) - timedelta(days=1)


def check_validity(content: Content) -> None:
    if content.valid_to < content.valid_from:
        raise InvalidValidity("valid_to is before valid_from.", field="valid_to")
    latest = latest_valid_to(content.valid_from)
    if content.valid_to > latest:
        raise InvalidValidity(
            f"A referral is valid for at most {MAX_VALIDITY_MONTHS} months: the latest valid_to "
            f"for this valid_from is {latest.isoformat()}.",
            field="valid_to",
        )


def check_not_backdated(content: Content, *, today: date) -> None:
    """A new referral starts today or later; an onward emergency transfer may start on the
    day of the emergency admission (D-R5), which cannot lie in the future."""
    admitted = content.emergency_admitted_on
    if admitted is not None and admitted > today:
        raise InvalidValidity(
            "The emergency admission cannot be in the future.", field="emergency_admitted_on"
        )
    earliest = admitted if admitted is not None else today
    if content.valid_from < earliest:
        raise InvalidValidity(
            f"valid_from cannot be before {earliest.isoformat()}.", field="valid_from"
        )


def check_issuable(
    content: Content, facts: Facts, *, today: date, referral_id: str | None = None
) -> None:
    """Every rule a referral must meet to be issued on its path (D-R1–R5)."""
    _check_path_fields(content)
    check_validity(content)
    if content.valid_to < today:
        raise ReferralExpired(
            f"The referral expired on {content.valid_to.isoformat()}.", field="valid_to"
        )
    _check_patient(facts.patient)
    anchor, same_province = _check_issuer(content, facts)
    _check_target(content, facts, anchor=anchor, same_province=same_province)
    _check_one_at_a_time(content, facts.referrals_of_patient, referral_id=referral_id)


def _with_normal_diagnosis(content: Content) -> Content:
    code = normalize_diagnosis_code(content.diagnosis_code)
    return replace(content, diagnosis_code=code)


def _check_path_fields(content: Content) -> None:
    onward = content.path is Path.TEMPORARY_ONWARD
    emergency = content.path is Path.EMERGENCY_ONWARD
    if onward and content.origin_referral_id is None:
        raise OriginReferralRequired(
            "An onward referral names the referral that brought the patient (D-R4).",
            field="origin_referral_id",
        )
    if emergency and content.emergency_admitted_on is None:
        raise EmergencyAdmissionRequired(
            "An emergency onward referral gives the day of the emergency admission (D-R5).",
            field="emergency_admitted_on",
        )
    if not onward and content.origin_referral_id is not None:
        raise NotForPath(
            "origin_referral_id belongs to temporary_onward referrals only.",
            field="origin_referral_id",
        )
    if not emergency and content.emergency_admitted_on is not None:
        raise NotForPath(
            "emergency_admitted_on belongs to emergency_onward referrals only.",
            field="emergency_admitted_on",
        )


def _check_patient(patient: Patient) -> None:
    if patient.status != "active":
        raise PersonNotActive(
            f"Person {patient.psn_no} is {patient.status}; only an active person is referred.",
            field="psn_no",
        )
    if not in_tianjin(patient.insured_region):
        raise NotInsuredInTianjin(
            "These referral rules are Tianjin's, for people insured in Tianjin (Art. 2).",
            field="psn_no",
        )


def _check_issuer(content: Content, facts: Facts) -> tuple[str, bool | None]:
    """Who may issue on the path. Returns the place the target's province is judged against
    and whether the target must lie in that province (True), outside it (False), or either."""
    issuer = facts.issuer
    path = content.path
    # The first institution of an emergency need not be designated (D-R5); the others must be.
    if issuer is None or issuer.kind != "hospital":
        raise _not_qualified(path, "it is not a hospital the agency knows")
    if path is not Path.EMERGENCY_ONWARD and not issuer.designated:
        raise _not_qualified(path, "it is not a designated institution")
    if path is Path.TERTIARY_OUTBOUND:
        if not (in_tianjin(issuer.region) and issuer.level == 3):
            raise _not_qualified(path, "only a Tianjin level-3 designated institution issues it")
        return issuer.region, None
    if path.long_term:
        place = _filed_place_of(content, facts, issuer)
        return place, path is Path.LONG_TERM_IN_PROVINCE
    if path is Path.TEMPORARY_ONWARD:
        _check_first_receiving(content, facts.origin, issuer)
        return issuer.region, True
    if in_tianjin(issuer.region):
        raise _not_qualified(path, "an emergency away from Tianjin is received outside Tianjin")
    return issuer.region, False


def _filed_place_of(content: Content, facts: Facts, issuer: Institution) -> str:
    """D-R3 (Art. 18): the highest-level institution of the filed place issues the referral."""
    filed = [
        filing
        for filing in facts.filings
        if filing.long_term_throughout(content.valid_from, content.valid_to)
    ]
    if not filed:
        raise NoLongTermFiling(
            "The patient holds no long-term filing in force for the whole validity (D-R3).",
            field="psn_no",
        )
    places = [f.destination_region for f in filed if within(issuer.region, f.destination_region)]
    if not places:
        raise _not_qualified(content.path, "it is not an institution of the filed place")
    place = places[0]
    highest = max(
        hospital.level or 0
        for hospital in (*facts.hospitals_of_issuer_province, issuer)
        if hospital.designated_hospital and within(hospital.region, place)
    )
    if issuer.level != highest:
        raise _not_qualified(
            content.path, f"it is not of the highest level (level {highest}) of the filed place"
        )
    return place


def _check_first_receiving(content: Content, origin: Referral | None, issuer: Institution) -> None:
    """D-R4 (Art. 19): the institution a referral sent the patient to moves them on."""
    if (
        origin is None
        or origin.content.psn_no != content.psn_no
        or origin.content.path is not Path.TERTIARY_OUTBOUND
        or origin.state is not State.ISSUED
        or content.valid_from < origin.content.valid_from
        or content.valid_to > origin.content.valid_to
    ):
        raise OriginReferralNotInForce(
            "origin_referral_id must name the patient's issued tertiary_outbound referral, "
            "in force over this referral's whole validity.",
            field="origin_referral_id",
        )
    if origin.content.target_institution != issuer.code:
        raise _not_qualified(
            content.path, "only the first receiving institution (the origin's target) issues it"
        )


def _check_target(
    content: Content, facts: Facts, *, anchor: str, same_province: bool | None
) -> None:
    target = facts.target
    if target is None:
        raise TargetUnknown(
            f"No institution {content.target_institution} is known.", field="target_institution"
        )
    if not target.designated_hospital or target.level not in REFERRABLE_LEVELS:
        raise TargetNotQualified(
            "A referral goes to a designated level-2 or level-3 institution (D-R1).",
            field="target_institution",
        )
    if target.region != content.target_region:
        raise TargetRegionMismatch(
            f"Institution {target.code} lies in {target.region}, not {content.target_region}.",
            field="target_region",
        )
    if in_tianjin(target.region):
        raise TargetInTianjin(
            "A referral goes to an institution outside Tianjin (D-R1).", field="target_institution"
        )
    if facts.issuer is not None and target.code == facts.issuer.code:
        raise TargetOutsidePath(
            "An institution does not refer a patient to itself.", field="target_institution"
        )
    if same_province is not None and (province_of(target.region) == province_of(anchor)) != (
        same_province
    ):
        where = "inside" if same_province else "outside"
        raise TargetOutsidePath(
            f"On the {content.path.value} path the target lies {where} the province of "
            f"{anchor} (D-R3–R5).",
            field="target_institution",
        )


def _check_one_at_a_time(
    content: Content, referrals: Sequence[Referral], *, referral_id: str | None
) -> None:
    """D-R2 (Art. 19, 转外就医限一家医疗机构): one institution at a time on a path."""
    for other in referrals:
        if (
            other.referral_id != referral_id
            and other.state is State.ISSUED
            and other.content.path is content.path
            and other.content.overlaps(content)
        ):
            raise OverlappingReferral(
                f"Referral {other.referral_id} of this patient on the same path is in force "
                "over part of this period; revoke it first (D-R2).",
                field="valid_from",
                extra={"conflicting_referral_id": other.referral_id},
            )


def _not_qualified(path: Path, why: str) -> IssuerNotQualified:
    return IssuerNotQualified(
        f"This institution may not issue a {path.value} referral: {why}.", field="path"
    )
