"""Request and response bodies of the reference-data API (catalogues and policies)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from medins_common.money import Money
from settlement.domain.policy import CareType, CatalogueItem, ItemClass, ItemKind
from settlement.domain.reference_data import (
    CatalogueVersion,
    ChronicDisease,
    PolicyRule,
    PolicyVersion,
    VersionSummary,
)

RegionCode = Annotated[str, Field(pattern=r"^\d{6}$", examples=["120000"])]
Ratio = Annotated[
    Decimal,
    Field(ge=0, le=1, max_digits=5, decimal_places=4, examples=["0.10"]),
]
UnitPrice = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=4, examples=["15.00"])]
Source = Annotated[
    str,
    Field(
        min_length=1,
        max_length=500,
        description="Where the figures come from: document number, publication",
        examples=["津医保发〔2023〕72号"],
    ),
]
BenefitCareType = Literal["inpatient", "general_outpatient", "chronic_outpatient"]


class CatalogueItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_code: Annotated[
        str,
        Field(min_length=1, max_length=50, pattern=r"^[0-9A-Za-z._-]+$", examples=["XJ01DCA010"]),
    ]
    name: Annotated[str, Field(min_length=1, max_length=200, examples=["头孢呋辛酯片 0.25g"])]
    kind: ItemKind
    item_class: ItemClass = Field(description="A 甲类, B 乙类, C 丙类")
    self_pay_share: Ratio = Field(
        Decimal(0), description="Class B only: the first self-pay share p (0.10 is 10 %)"
    )
    price_cap: UnitPrice | None = Field(
        None, description="Unit price above which the excess is self-paid; none if absent"
    )

    def to_domain(self) -> CatalogueItem:
        return CatalogueItem(
            code=self.item_code,
            name=self.name,
            kind=self.kind,
            item_class=self.item_class,
            self_pay_share=self.self_pay_share,
            price_cap=self.price_cap,
        )


class CatalogueVersionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "region": "120000",
                    "effective_from": "2026-01-01",
                    "source": "天津市基本医疗保险药品目录 2026",
                    "items": [
                        {
                            "item_code": "XA10BAA041",
                            "name": "二甲双胍片 0.5g",
                            "kind": "drug",
                            "item_class": "A",
                            "price_cap": "0.60",
                        },
                        {
                            "item_code": "210300001",
                            "name": "X线计算机体层（CT）平扫",
                            "kind": "service",
                            "item_class": "B",
                            "self_pay_share": "0.10",
                            "price_cap": "150.00",
                        },
                    ],
                }
            ]
        },
    )

    region: RegionCode = Field(description="Treatment region whose catalogue this is")
    effective_from: date = Field(description="First day in force; the next version ends it")
    source: Source
    items: Annotated[list[CatalogueItemIn], Field(min_length=1, max_length=50_000)]

    def to_domain(self) -> CatalogueVersion:
        return CatalogueVersion(
            region=self.region,
            effective_from=self.effective_from,
            items=tuple(item.to_domain() for item in self.items),
            source=self.source,
        )


class PolicyRuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    insutype: Literal["310", "390"] = Field(description="310 employee, 390 resident")
    person_type: Literal["employee_in_service", "employee_retired", "resident"]
    care_type: BenefitCareType = Field(
        description="Pharmacy purchases use the general_outpatient rule"
    )
    institution_level: Annotated[int, Field(ge=1, le=3)] | None = Field(
        None, description="Empty: any level without its own rule (pharmacies, ungraded)"
    )
    fund_ratio: Ratio = Field(description="In-service fund ratio at this level (0.85 is 85 %)")
    annual_cap: Money = Field(ge=0, description="The fund's annual cap for this care type")
    deductible_first_admission: Money = Field(Decimal(0), ge=0, description="Inpatient")
    deductible_later_admission: Money = Field(Decimal(0), ge=0, description="Inpatient")
    annual_deductible: Money = Field(Decimal(0), ge=0, description="Outpatient and chronic")
    retiree_addition: Ratio = Field(
        Decimal(0), description="employee_retired rows: points added to the fund ratio"
    )

    def to_domain(self) -> PolicyRule:
        return PolicyRule(
            insutype=self.insutype,
            person_type=self.person_type,
            care_type=CareType(self.care_type),
            institution_level=self.institution_level,
            fund_ratio=self.fund_ratio,
            annual_cap=self.annual_cap,
            deductible_first_admission=self.deductible_first_admission,
            deductible_later_admission=self.deductible_later_admission,
            annual_deductible=self.annual_deductible,
            retiree_addition=self.retiree_addition,
        )


class ChronicDiseaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, Field(min_length=1, max_length=30, examples=["M03900"])]
    name: Annotated[str | None, Field(max_length=100, examples=["高血压"])] = None


class PolicyHeaderIn(BaseModel):
    """A policy version's own fields (the CSV import takes them as query parameters)."""

    model_config = ConfigDict(extra="forbid")

    insured_region: RegionCode
    effective_from: date = Field(description="First day in force; the next version ends it")
    source: Source
    referral_share_increase: Ratio = Field(
        Decimal("0.05"), description="D-S4: personal share increase for referral patients"
    )
    own_initiative_share_increase: Ratio = Field(
        Decimal("0.10"), description="D-S5: personal share increase for own-initiative care"
    )


class PolicyCsvParams(PolicyHeaderIn):
    chronic_disease: list[Annotated[str, Field(min_length=1, max_length=30)]] = Field(
        default_factory=list,
        description="Chronic-outpatient disease codes (repeat the parameter)",
        examples=[["M03900", "M01600"]],
    )


class PolicyVersionIn(PolicyHeaderIn):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "insured_region": "120000",
                    "effective_from": "2026-01-01",
                    "source": "津医保发〔2023〕72号",
                    "referral_share_increase": "0.05",
                    "own_initiative_share_increase": "0.10",
                    "chronic_diseases": [{"code": "M03900", "name": "高血压"}],
                    "rules": [
                        {
                            "insutype": "310",
                            "person_type": "employee_retired",
                            "care_type": "inpatient",
                            "institution_level": 3,
                            "fund_ratio": "0.80",
                            "retiree_addition": "0.05",
                            "annual_cap": "350000.00",
                            "deductible_first_admission": "1700.00",
                            "deductible_later_admission": "500.00",
                        },
                        {
                            "insutype": "390",
                            "person_type": "resident",
                            "care_type": "general_outpatient",
                            "fund_ratio": "0.50",
                            "annual_cap": "4500.00",
                            "annual_deductible": "800.00",
                        },
                    ],
                }
            ]
        },
    )

    chronic_diseases: list[ChronicDiseaseIn] = Field(
        default_factory=list, description="Chronic-outpatient diseases the region pays for"
    )
    rules: Annotated[list[PolicyRuleIn], Field(min_length=1, max_length=5_000)]

    def to_domain(self) -> PolicyVersion:
        return PolicyVersion(
            insured_region=self.insured_region,
            effective_from=self.effective_from,
            rules=tuple(rule.to_domain() for rule in self.rules),
            source=self.source,
            referral_share_increase=self.referral_share_increase,
            own_initiative_share_increase=self.own_initiative_share_increase,
            chronic_diseases=tuple(ChronicDisease(d.code, d.name) for d in self.chronic_diseases),
        )


class VersionSummaryOut(BaseModel):
    version_id: str
    region: str
    effective_from: date
    source: str
    created_by: str
    created_at: datetime
    entries: int = Field(description="Items of a catalogue, rules of a policy")

    @classmethod
    def of(cls, summary: VersionSummary) -> VersionSummaryOut:
        return cls.model_validate(summary, from_attributes=True)


class CatalogueItemOut(BaseModel):
    item_code: str
    name: str
    kind: ItemKind
    item_class: ItemClass
    self_pay_share: Decimal
    price_cap: Decimal | None


class CatalogueVersionOut(BaseModel):
    version_id: str
    region: str
    effective_from: date
    source: str
    created_by: str
    created_at: datetime | None
    items: list[CatalogueItemOut]

    @classmethod
    def of(cls, version: CatalogueVersion) -> CatalogueVersionOut:
        return cls(
            version_id=version.version_id,
            region=version.region,
            effective_from=version.effective_from,
            source=version.source,
            created_by=version.created_by,
            created_at=version.created_at,
            items=[
                CatalogueItemOut(
                    item_code=item.code,
                    name=item.name,
                    kind=item.kind,
                    item_class=item.item_class,
                    self_pay_share=item.self_pay_share,
                    price_cap=item.price_cap,
                )
                for item in version.items
            ],
        )


class PolicyRuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    insutype: str
    person_type: str
    care_type: CareType
    institution_level: int | None
    fund_ratio: Decimal
    annual_cap: Money
    deductible_first_admission: Money
    deductible_later_admission: Money
    annual_deductible: Money
    retiree_addition: Decimal


class ChronicDiseaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str | None


class PolicyVersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version_id: str
    insured_region: str
    effective_from: date
    source: str
    referral_share_increase: Decimal
    own_initiative_share_increase: Decimal
    chronic_diseases: list[ChronicDiseaseOut]
    created_by: str
    created_at: datetime | None
    rules: list[PolicyRuleOut]

    @classmethod
    def of(cls, version: PolicyVersion) -> PolicyVersionOut:
        return cls.model_validate(version)
