"""Designated medical institutions and pharmacies, and what they settle directly (D-F5, D-F12)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

from filing.domain.errors import InvalidInstitution
from filing.domain.regions import check_region, place_of


class Kind(StrEnum):
    HOSPITAL = "hospital"
    PHARMACY = "pharmacy"


class Level(IntEnum):
    """一级 / 二级 / 三级; pharmacies and unrated clinics have none."""

    ONE = 1
    TWO = 2
    THREE = 3


class NetworkedService(StrEnum):
    """What an institution has opened to cross-region direct settlement."""

    INPATIENT = "inpatient"
    GENERAL_OUTPATIENT = "general_outpatient"
    CHRONIC_OUTPATIENT = "chronic_outpatient"
    PHARMACY = "pharmacy"


@dataclass(frozen=True)
class Institution:
    code: str
    name: str
    region: str  # 6 digits; a district code is fine, it lies in its city
    kind: Kind
    level: Level | None
    designated: bool
    networked_services: frozenset[NetworkedService]
    consortium_id: str | None = None  # 医联体 (D-R4, D-S4)
    jjj_mutual_recognition: bool = False  # 京津冀互认 (D-S4)

    @property
    def place(self) -> str:
        """The pooling place the institution lies in (what a filing's destination names)."""
        return place_of(self.region)

    def offers(self, service: NetworkedService) -> bool:
        return self.designated and service in self.networked_services


def new_institution(
    *,
    code: str,
    name: str,
    region: str,
    kind: Kind,
    level: Level | None,
    designated: bool,
    networked_services: frozenset[NetworkedService],
    consortium_id: str | None,
    jjj_mutual_recognition: bool,
) -> Institution:
    """An institution as the directory accepts it: a known region, a consistent kind."""
    check_region(region, field="region")
    if kind is Kind.PHARMACY:
        if level is not None:
            raise InvalidInstitution("A pharmacy has no hospital level.", field="level")
        if networked_services - {NetworkedService.PHARMACY}:
            raise InvalidInstitution(
                "A pharmacy is networked only for pharmacy (outpatient drug) settlement.",
                field="networked_services",
            )
    elif NetworkedService.PHARMACY in networked_services:
        raise InvalidInstitution(
            "The pharmacy service is for pharmacies; a hospital's outpatient drugs are "
            "general_outpatient.",
            field="networked_services",
        )
    if networked_services and not designated:
        raise InvalidInstitution(
            "Only a designated institution is networked for direct settlement.",
            field="networked_services",
        )
    return Institution(
        code=code,
        name=name,
        region=region,
        kind=kind,
        level=level,
        designated=designated,
        networked_services=networked_services,
        consortium_id=consortium_id,
        jjj_mutual_recognition=jjj_mutual_recognition,
    )
