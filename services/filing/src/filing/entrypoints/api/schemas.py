"""Request and response bodies of the filing API, each with an example for the OpenAPI."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from filing.domain.chronic import ChronicDisease, ChronicRegistration
from filing.domain.eligibility import Basis, CareType
from filing.domain.filing import Channel, FilingClass, FilingStatus, Material, Subtype
from filing.domain.institution import Kind, Level, NetworkedService
from filing.domain.person import Insutype, PersonStatus, PersonType
from filing.domain.regions import Level as RegionLevel

RegionCode = Annotated[str, Field(pattern=r"^\d{6}$", examples=["120000"])]
PsnNo = Annotated[
    str,
    Field(
        min_length=1, max_length=30, pattern=r"^[0-9A-Za-z]+$", examples=["12000000000000000001"]
    ),
]
InstitutionCode = Annotated[
    str, Field(min_length=1, max_length=30, pattern=r"^[0-9A-Za-z]+$", examples=["H11010500001"])
]
Reason = Annotated[str, Field(min_length=1, max_length=500, examples=["moved in with children"])]


def _example(example: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [example]})


PERSON_EXAMPLE = {
    "psn_no": "12000000000000000001",
    "name": "张三",
    "id_no": "11010519491231002X",
    "insured_region": "120000",
    "insutype": "310",
    "person_type": "employee_retired",
}
PERSON_OUT_EXAMPLE = {
    **{k: v for k, v in PERSON_EXAMPLE.items() if k != "id_no"},
    "id_no_masked": "110105********002X",
    "status": "active",
}


class PersonIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [PERSON_EXAMPLE]})

    psn_no: PsnNo
    name: Annotated[str, Field(min_length=1, max_length=100, examples=["张三"])]
    id_no: Annotated[
        str,
        Field(
            min_length=18,
            max_length=18,
            examples=["11010519491231002X"],
            description="18-character national ID; stored only hashed",
        ),
    ]
    insured_region: RegionCode
    insutype: Insutype
    person_type: PersonType


class PersonOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [PERSON_OUT_EXAMPLE]}
    )

    psn_no: str
    name: str
    id_no_masked: str = Field(examples=["110105********002X"])
    insured_region: str
    insutype: Insutype
    person_type: PersonType
    status: PersonStatus


class PersonChangeIn(BaseModel):
    """Only the fields to change; insutype and person_type change together (D-F11)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"insutype": "390", "person_type": "resident"}]},
    )

    name: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    insutype: Insutype | None = None
    person_type: PersonType | None = None
    status: PersonStatus | None = None


class PersonVersionOut(BaseModel):
    model_config = _example(
        {
            "version": 2,
            "name": "张三",
            "insutype": "390",
            "person_type": "resident",
            "status": "active",
            "changed_fields": ["insutype", "person_type"],
            "actor": "clerk:zhang.wei",
            "recorded_at": "2026-11-23T09:30:00+08:00",
        }
    )

    version: int
    name: str
    insutype: Insutype
    person_type: PersonType
    status: PersonStatus
    changed_fields: list[str]
    actor: str
    recorded_at: datetime


class ImportResultOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={"examples": [{"created": 120, "updated": 3, "unchanged": 880}]},
    )

    created: int
    updated: int
    unchanged: int = Field(description="Rows equal to what is registered: nothing written")


FILING_EXAMPLE = {
    "psn_no": "12000000000000000001",
    "subtype": "retiree_resettled",
    "destination_region": "110000",
    "start_date": "2026-12-01",
    "channel": "jin_yibao_app",
    "materials": ["household_register_front_page", "resident_registration_card"],
}
FILING_OUT_EXAMPLE = {
    **FILING_EXAMPLE,
    "filing_id": "586128a7c0e84a4f9d5f0b8f3c1e2d4a",
    "insured_region": "120000",
    "filing_class": "long_term",
    "end_date": None,
    "referral_id": None,
    "admission_date": None,
    "status": "active",
    "cancelled_on": None,
    "version": 1,
}


class FilingIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                FILING_EXAMPLE,
                {
                    "psn_no": "12000000000000000001",
                    "subtype": "referral",
                    "destination_region": "310000",
                    "start_date": "2026-11-20",
                    "admission_date": "2026-11-20",
                    "channel": "district_window",
                    "referral_id": "r-5f1c",
                },
            ]
        },
    )

    psn_no: PsnNo
    subtype: Subtype
    destination_region: RegionCode
    start_date: date
    end_date: date | None = Field(
        None, description="Long-term: open-ended when omitted. Temporary: at most 12 months."
    )
    channel: Channel
    materials: frozenset[Material] = Field(
        frozenset(),
        description="The subtype's materials (D-F2), or commitment_letter in their place",
    )
    referral_id: Annotated[str, Field(min_length=1, max_length=64)] | None = Field(
        None, description="Referral filings: the ReferralIssued record, instead of a certificate"
    )
    admission_date: date | None = Field(
        None,
        description="Late filing (D-F7): the admission of the stay, for a start date in the past",
    )


class FilingOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [FILING_OUT_EXAMPLE]}
    )

    filing_id: str
    psn_no: str
    insured_region: str
    filing_class: FilingClass
    subtype: Subtype
    destination_region: str
    start_date: date
    end_date: date | None
    channel: Channel
    materials: list[Material]
    referral_id: str | None
    admission_date: date | None
    status: FilingStatus
    cancelled_on: date | None = Field(description="Cover ends the day before")
    version: int

    @field_validator("materials", mode="before")
    @classmethod
    def _in_order(cls, materials: Any) -> list[Any]:
        return sorted(materials)


class FilingChangeIn(BaseModel):
    """Only the fields to change. ``end_date: null`` makes a long-term filing open-ended."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"end_date": "2027-06-30", "reason": "returning home next summer"}]
        },
    )

    start_date: date | None = None
    end_date: date | None = None
    destination_region: RegionCode | None = None
    admission_date: date | None = None
    reason: Reason | None = None


class FilingCancelIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "moved back to Tianjin"}]}
    )

    reason: Reason | None = None


class FilingVersionOut(BaseModel):
    model_config = _example(
        {
            "version": 2,
            "action": "changed",
            "destination_region": "110000",
            "start_date": "2026-12-01",
            "end_date": "2027-06-30",
            "status": "active",
            "cancelled_on": None,
            "changed_fields": ["end_date"],
            "reason": "returning home next summer",
            "actor": "insured:12000000000000000001",
            "recorded_at": "2026-11-23T09:30:00+08:00",
        }
    )

    version: int
    action: str = Field(description="created | changed | cancelled")
    destination_region: str
    start_date: date
    end_date: date | None
    status: FilingStatus
    cancelled_on: date | None
    changed_fields: list[str]
    reason: str | None
    actor: str
    recorded_at: datetime


INSTITUTION_EXAMPLE = {
    "code": "H11010500001",
    "name": "北京朝阳医院",
    "region": "110105",
    "kind": "hospital",
    "level": 3,
    "designated": True,
    "networked_services": ["inpatient", "general_outpatient", "chronic_outpatient"],
    "consortium_id": None,
    "jjj_mutual_recognition": True,
}


class InstitutionIn(BaseModel):
    """One row of an institution import; in CSV, networked_services are separated by ';'."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [INSTITUTION_EXAMPLE]})

    code: InstitutionCode
    name: Annotated[str, Field(min_length=1, max_length=200)]
    region: RegionCode
    kind: Kind = Kind.HOSPITAL
    level: Level | None = Field(None, description="1, 2 or 3; none for pharmacies")
    designated: bool = True
    networked_services: frozenset[NetworkedService] = frozenset()
    consortium_id: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    jjj_mutual_recognition: bool = False


class InstitutionOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [INSTITUTION_EXAMPLE]}
    )

    code: str
    name: str
    region: str
    kind: Kind
    level: Level | None
    designated: bool
    networked_services: list[NetworkedService]
    consortium_id: str | None
    jjj_mutual_recognition: bool

    @field_validator("networked_services", mode="before")
    @classmethod
    def _in_order(cls, services: Any) -> list[Any]:
        return sorted(services)


class ReasonOut(BaseModel):
    code: str
    detail: str


class EligibilityOut(BaseModel):
    model_config = _example(
        {
            "psn_no": "12000000000000000001",
            "institution_code": "H11010500001",
            "on": "2026-12-05",
            "care_type": "inpatient",
            "direct_settlement": True,
            "basis": "filing",
            "filing_class": "long_term",
            "subtype": "retiree_resettled",
            "filing_id": "586128a7c0e84a4f9d5f0b8f3c1e2d4a",
            "chronic_registration_id": None,
            "detail": "long_term filing (retiree_resettled) to 110000 covers 2026-12-05 (D-F1).",
            "reasons": [],
        }
    )

    psn_no: str
    institution_code: str
    on: date
    care_type: CareType
    direct_settlement: bool
    basis: Basis | None = Field(description="filing, or a deemed filing (D-F10)")
    filing_class: FilingClass | None
    subtype: Subtype | None
    filing_id: str | None
    chronic_registration_id: str | None
    detail: str
    reasons: list[ReasonOut] = Field(description="Why not, when direct settlement does not apply")


CHRONIC_EXAMPLE = {
    "psn_no": "12000000000000000001",
    "disease_code": "M01600",
    "institution_codes": ["H11010500001", "H11010800002"],
}


class ChronicIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [CHRONIC_EXAMPLE]})

    psn_no: PsnNo
    disease_code: ChronicDisease
    institution_codes: list[InstitutionCode] = Field(
        default_factory=list,
        max_length=10,
        description="Up to 2 destination institutions with chronic direct settlement (D-F9)",
    )


class ChronicChangeIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"institution_codes": ["H11010500001"]}]},
    )

    institution_codes: list[InstitutionCode] = Field(max_length=10)


class ChronicOut(BaseModel):
    model_config = _example(
        {
            **CHRONIC_EXAMPLE,
            "registration_id": "9b7f0c5e1d2a4c3b8e6f7a8b9c0d1e2f",
            "filing_id": "586128a7c0e84a4f9d5f0b8f3c1e2d4a",
            "disease_name": "糖尿病",
            "status": "active",
        }
    )

    registration_id: str
    psn_no: str
    filing_id: str
    disease_code: ChronicDisease
    disease_name: str
    institution_codes: list[str]
    status: str

    @classmethod
    def of(cls, registration: ChronicRegistration) -> ChronicOut:
        return cls(
            registration_id=registration.registration_id,
            psn_no=registration.psn_no,
            filing_id=registration.filing_id,
            disease_code=registration.disease,
            disease_name=registration.disease.official_name,
            institution_codes=list(registration.institution_codes),
            status=registration.status.value,
        )


class RegionOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "code": "130100",
                    "name": "石家庄市",
                    "level": "prefecture",
                    "is_destination": True,
                }
            ]
        },
    )

    code: str
    name: str
    level: RegionLevel
    is_destination: bool = Field(description="Whether a filing may name it (D-F4)")
