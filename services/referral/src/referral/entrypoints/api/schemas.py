"""Request and response bodies of the referral API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from referral.domain.referral import Path, Status
from referral.domain.verification import grouped
from referral.service_layer.queries import HospitalMonth
from referral.service_layer.services import ReferralView

RegionCode = Annotated[str, Field(pattern=r"^\d{6}$", examples=["110105"])]
Code = Annotated[
    str, Field(min_length=1, max_length=30, pattern=r"^[0-9A-Za-z]+$", examples=["H11010500001"])
]
PsnNo = Annotated[
    str,
    Field(
        min_length=1, max_length=30, pattern=r"^[0-9A-Za-z]+$", examples=["12000000000000000001"]
    ),
]


def _text(max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


PersonName = Annotated[str, _text(100), Field(examples=["王建国"])]
DiagnosisName = Annotated[str, _text(200), Field(examples=["上叶，支气管或肺恶性肿瘤"])]
Reason = Annotated[
    str, _text(1000), Field(examples=["需行胸腔镜下肺叶切除术，本院暂无相应技术条件"])
]
RevocationReason = Annotated[str, _text(500), Field(examples=["患者病情好转，放弃转诊"])]


class PhysicianIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: PersonName
    title: Annotated[
        str,
        Field(
            min_length=1,
            max_length=30,
            examples=["副主任医师"],
            description="主任医师 or 副主任医师 (or chief / associate_chief). Lower titles "
            "(主治医师, 住院医师, …) are refused with physician_title_too_low (D-R1).",
        ),
    ]


class ReferralIn(BaseModel):
    """The physician's opinion: the content of the referral (D-R1, D-R2)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "path": "tertiary_outbound",
                    "psn_no": "12000000000000000001",
                    "diagnosis_code": "C34.1",
                    "diagnosis_name": "上叶，支气管或肺恶性肿瘤",
                    "reason": "需行胸腔镜下肺叶切除术，本院暂无相应技术条件",
                    "target_institution": "H11010500001",
                    "target_region": "110105",
                    "valid_from": "2026-11-23",
                    "valid_to": "2027-02-22",
                    "physician": {"name": "王建国", "title": "副主任医师"},
                }
            ]
        },
    )

    path: Path = Field(
        Path.TERTIARY_OUTBOUND,
        description="Which rule the referral follows (D-R1, D-R3–R5)",
    )
    psn_no: PsnNo
    diagnosis_code: Annotated[
        str, Field(min_length=1, max_length=16, description="ICD-10, e.g. C34.1, I10, E11.9")
    ]
    diagnosis_name: DiagnosisName
    reason: Reason
    target_institution: Code = Field(description="Exactly one institution (D-R2)")
    target_region: RegionCode = Field(description="The target institution's own region")
    valid_from: date
    valid_to: date = Field(description="At most 12 months less a day after valid_from")
    physician: PhysicianIn
    origin_referral_id: str | None = Field(
        None, max_length=32, description="temporary_onward only: the referral that brought them"
    )
    emergency_admitted_on: date | None = Field(
        None, description="emergency_onward only: the day of the emergency admission"
    )


class ApprovalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    department_head: PersonName


class UploadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    officer: PersonName = Field(
        description="The insurance-office officer (or, for long_term_cross_province, the "
        "agency clerk) who uploads it"
    )


class RevocationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    officer: PersonName
    reason: RevocationReason


class StepOut(BaseModel):
    step: str = Field(examples=["opinion"])
    by: str = Field(description="The token's subject", examples=["his-user-0042"])
    role: str = Field(examples=["hospital"])
    name: str = Field(description="The person named for the step", examples=["王建国"])
    title: str | None = Field(None, examples=["associate_chief"])
    note: str | None = None
    at: datetime


class InstitutionRef(BaseModel):
    code: str
    name: str | None


class ReferralOut(BaseModel):
    referral_id: str
    path: Path
    status: Status = Field(
        description="draft, approved, issued, expired (issued, past valid_to) or revoked"
    )
    psn_no: str
    patient_name: str | None
    issuing_institution: InstitutionRef
    target_institution: InstitutionRef
    target_region: str
    covered_institutions: list[InstitutionRef] = Field(
        description="Once issued: the target and the designated institutions of its medical "
        "consortium, which its certificate covers (D-R4)"
    )
    consortium_id: str | None
    diagnosis_code: str
    diagnosis_name: str
    reason: str
    valid_from: date
    valid_to: date
    origin_referral_id: str | None
    emergency_admitted_on: date | None
    used: bool = Field(description="A bill was settled under it; it can no longer be revoked")
    verification_code: str | None = Field(
        description="Printed on the PDF once issued", examples=["3F2A-9C41-07BD-E815"]
    )
    steps: list[StepOut]

    @classmethod
    def of(cls, view: ReferralView) -> ReferralOut:
        referral, content, names = view.referral, view.referral.content, view.institution_names

        def ref(code: str) -> InstitutionRef:
            return InstitutionRef(code=code, name=names.get(code))

        return cls(
            referral_id=referral.referral_id,
            path=content.path,
            status=view.status,
            psn_no=content.psn_no,
            patient_name=view.patient_name,
            issuing_institution=ref(referral.issuing_institution),
            target_institution=ref(content.target_institution),
            target_region=content.target_region,
            covered_institutions=[ref(code) for code in referral.covered_institutions],
            consortium_id=referral.consortium_id,
            diagnosis_code=content.diagnosis_code,
            diagnosis_name=content.diagnosis_name,
            reason=content.reason,
            valid_from=content.valid_from,
            valid_to=content.valid_to,
            origin_referral_id=content.origin_referral_id,
            emergency_admitted_on=content.emergency_admitted_on,
            used=referral.used,
            verification_code=grouped(referral.verification_code) if referral.was_issued else None,
            steps=[
                StepOut(
                    step=step.kind.value,
                    by=step.actor_subject,
                    role=step.actor_role,
                    name=step.person_name,
                    title=step.person_title,
                    note=step.note,
                    at=step.at,
                )
                for step in referral.steps
            ],
        )


class VerificationOut(BaseModel):
    """What anyone holding a printout may learn: whether it is genuine and still valid."""

    verification_code: str = Field(examples=["3F2A9C4107BDE815"])
    genuine: bool = Field(description="The code belongs to a referral that was issued")
    status: Status | None = Field(None, description="issued, expired or revoked")
    patient_name_masked: str | None = Field(None, examples=["张*"])
    issuing_institution: InstitutionRef | None = None
    target_institution: InstitutionRef | None = None
    valid_from: date | None = None
    valid_to: date | None = None

    @classmethod
    def of(cls, code: str, view: ReferralView | None) -> VerificationOut:
        if view is None:
            return cls(verification_code=code, genuine=False)
        out = ReferralOut.of(view)
        return cls(
            verification_code=code,
            genuine=True,
            status=view.status,
            patient_name_masked=mask_name(view.patient_name),
            issuing_institution=out.issuing_institution,
            target_institution=out.target_institution,
            valid_from=out.valid_from,
            valid_to=out.valid_to,
        )


def mask_name(name: str | None) -> str | None:
    """张三 → 张*: enough to match a printout to its holder, not to identify them."""
    return name[0] + "*" * (len(name) - 1) if name else None


class HospitalMonthOut(BaseModel):
    institution_code: str = Field(examples=["H12010100001"])
    institution_name: str | None = Field(examples=["天津医科大学总医院"])
    month: str = Field(examples=["2026-11"])
    issued: int
    revoked: int
    by_target_region: dict[str, int] = Field(examples=[{"110105": 3, "310104": 1}])
    by_icd10_chapter: dict[str, int] = Field(examples=[{"II": 3, "IX": 1}])

    @classmethod
    def of(cls, row: HospitalMonth) -> HospitalMonthOut:
        figures = row.figures
        return cls(
            institution_code=figures.institution_code,
            institution_name=row.institution_name,
            month=figures.month,
            issued=figures.issued,
            revoked=figures.revoked,
            by_target_region=figures.by_target_region,
            by_icd10_chapter=figures.by_icd10_chapter,
        )


class StatisticsOut(BaseModel):
    from_month: str = Field(alias="from", examples=["2026-01"])
    to_month: str = Field(alias="to", examples=["2026-03"])
    rows: list[HospitalMonthOut]

    model_config = ConfigDict(populate_by_name=True)
