"""Request and response bodies of the filing API."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from filing.domain.filing import Channel, Subtype
from filing.domain.person import Insutype, PersonType

RegionCode = Annotated[str, Field(pattern=r"^\d{6}$", examples=["120000"])]
PsnNo = Annotated[
    str,
    Field(
        min_length=1, max_length=30, pattern=r"^[0-9A-Za-z]+$", examples=["12000000000000000001"]
    ),
]


class PersonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

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
    psn_no: str
    name: str
    id_no_masked: str = Field(examples=["110105********002X"])
    insured_region: str
    insutype: Insutype
    person_type: PersonType
    status: str


class FilingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    psn_no: PsnNo
    subtype: Subtype
    destination_region: RegionCode
    start_date: date
    end_date: date | None = Field(
        None, description="Long-term: open-ended when omitted. Temporary: at most 12 months."
    )
    channel: Channel


class FilingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    filing_id: str
    psn_no: str
    insured_region: str
    filing_class: str
    subtype: Subtype
    destination_region: str
    start_date: date
    end_date: date | None
    channel: Channel
    status: str
