"""Version 1 of every event in the contract (ARCHITECTURE.md, "Events").

Payloads never carry a national ID number. Money is a string with two decimals.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import Field

from medins_common.events.envelope import Event
from medins_common.money import Money

PERSONS = "filing.persons.v1"
INSTITUTIONS = "filing.institutions.v1"
FILINGS = "filing.filings.v1"
CHRONIC = "filing.chronic.v1"
REFERRALS = "referral.referrals.v1"
BILLS = "settlement.bills.v1"
CLEARING = "clearing.periods.v1"

RegionCode = str  # six-digit GB/T 2260 code, e.g. "120000"
FilingClass = Literal["long_term", "temporary"]
FilingSubtype = Literal[
    "retiree_resettled",
    "long_term_resident",
    "stationed_worker",
    "referral",
    "emergency",
    "other_temporary",
]


class _PersonFacts(Event):
    key_field: ClassVar[str] = "psn_no"
    topic: ClassVar[str] = PERSONS

    psn_no: str
    name: str
    insured_region: RegionCode
    insutype: Literal["310", "390"] = Field(description="310 employee, 390 resident")
    person_type: Literal["employee_in_service", "employee_retired", "resident"]
    status: Literal["active", "suspended", "deceased"] = "active"


class PersonRegistered(_PersonFacts):
    event_type: ClassVar[str] = "PersonRegistered"


class PersonChanged(_PersonFacts):
    event_type: ClassVar[str] = "PersonChanged"
    changed_fields: list[str] = Field(default_factory=list)


class InstitutionUpserted(Event):
    event_type: ClassVar[str] = "InstitutionUpserted"
    topic: ClassVar[str] = INSTITUTIONS
    key_field: ClassVar[str] = "code"

    code: str
    name: str
    region: RegionCode
    kind: Literal["hospital", "pharmacy"] = "hospital"
    level: Literal[1, 2, 3] | None = None
    designated: bool = True
    networked_services: list[
        Literal["inpatient", "general_outpatient", "chronic_outpatient", "pharmacy"]
    ] = Field(default_factory=list)
    consortium_id: str | None = None
    jjj_mutual_recognition: bool = False


class _FilingFacts(Event):
    topic: ClassVar[str] = FILINGS
    key_field: ClassVar[str] = "filing_id"

    filing_id: str
    psn_no: str
    insured_region: RegionCode
    filing_class: FilingClass
    subtype: FilingSubtype
    destination_region: RegionCode
    start_date: date
    end_date: date | None = None
    channel: str
    scope: list[Literal["inpatient", "general_outpatient"]] = Field(
        default_factory=lambda: ["inpatient", "general_outpatient"]
    )
    referral_id: str | None = None


class FilingCreated(_FilingFacts):
    event_type: ClassVar[str] = "FilingCreated"


class FilingChanged(_FilingFacts):
    event_type: ClassVar[str] = "FilingChanged"
    reason: str | None = None


class FilingCancelled(Event):
    event_type: ClassVar[str] = "FilingCancelled"
    topic: ClassVar[str] = FILINGS
    key_field: ClassVar[str] = "filing_id"

    filing_id: str
    psn_no: str
    cancelled_on: date
    reason: str | None = None


class ChronicRegistrationChanged(Event):
    event_type: ClassVar[str] = "ChronicRegistrationChanged"
    topic: ClassVar[str] = CHRONIC
    key_field: ClassVar[str] = "registration_id"

    registration_id: str
    psn_no: str
    filing_id: str | None = None
    disease_code: str
    disease_name: str
    institution_codes: list[str] = Field(default_factory=list)
    status: Literal["active", "cancelled"] = "active"


class ReferralIssued(Event):
    event_type: ClassVar[str] = "ReferralIssued"
    topic: ClassVar[str] = REFERRALS
    key_field: ClassVar[str] = "referral_id"

    referral_id: str
    psn_no: str
    path: Literal[
        "tertiary_outbound",
        "long_term_in_province",
        "long_term_cross_province",
        "temporary_onward",
        "emergency_onward",
    ] = "tertiary_outbound"
    issuing_institution: str
    target_institution: str
    target_region: RegionCode
    diagnosis_code: str
    diagnosis_name: str
    valid_from: date
    valid_to: date
    covered_institutions: list[str] = Field(
        default_factory=list,
        description="Institutions the certificate covers: the target and the designated "
        "institutions of its medical consortium (D-R4, Art. 19, 25). Empty from older producers.",
    )
    consortium_id: str | None = Field(
        None, description="The target's medical consortium 医联体 when issued, if any."
    )
    origin_referral_id: str | None = Field(
        None, description="temporary_onward: the referral that brought the patient (D-R4)."
    )


class ReferralRevoked(Event):
    event_type: ClassVar[str] = "ReferralRevoked"
    topic: ClassVar[str] = REFERRALS
    key_field: ClassVar[str] = "referral_id"

    referral_id: str
    psn_no: str
    reason: str | None = None


class _BillFacts(Event):
    topic: ClassVar[str] = BILLS
    key_field: ClassVar[str] = "bill_id"

    bill_id: str = Field(description="Platform id of the settlement; the reversal shares it.")
    setl_id: str
    mdtrt_id: str
    institution_code: str
    psn_no: str
    insured_region: RegionCode
    treatment_region: RegionCode
    insutype: str
    med_type: str
    period: str = Field(description="Settlement month, YYYY-MM, Asia/Shanghai")
    medfee_sumamt: Money
    fund_pay_sumamt: Money
    psn_part_amt: Money
    acct_pay: Money
    psn_cash_pay: Money
    clr_optins: RegionCode = Field(description="Clearing institution: the treatment region")


class BillSettled(_BillFacts):
    event_type: ClassVar[str] = "BillSettled"
    settled_at: datetime


class BillReversed(_BillFacts):
    """Amounts are those of the reversed bill, positive; clearing books them negatively."""

    event_type: ClassVar[str] = "BillReversed"
    reversed_at: datetime
    original_period: str


class ClearingPeriodClosed(Event):
    event_type: ClassVar[str] = "ClearingPeriodClosed"
    topic: ClassVar[str] = CLEARING
    key_field: ClassVar[str] = "period"

    period: str
    run_id: str
    closed_at: datetime
    region_pairs: int = 0
    fund_pay_sumamt: Money = Field(default=0)
