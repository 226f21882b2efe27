"""The insured person (D-P4)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from enum import StrEnum
from typing import Any

from filing.domain.errors import InvalidIdNumber, InvalidPersonType
from filing.domain.regions import check_region

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


class Insutype(StrEnum):
    EMPLOYEE = "310"  # 职工基本医疗保险
    RESIDENT = "390"  # 城乡居民基本医疗保险


class PersonType(StrEnum):
    EMPLOYEE_IN_SERVICE = "employee_in_service"
    EMPLOYEE_RETIRED = "employee_retired"
    RESIDENT = "resident"


class PersonStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"  # contributions interrupted: no direct settlement meanwhile
    DECEASED = "deceased"


_PERSON_TYPES = {
    Insutype.EMPLOYEE: {PersonType.EMPLOYEE_IN_SERVICE, PersonType.EMPLOYEE_RETIRED},
    Insutype.RESIDENT: {PersonType.RESIDENT},
}
# What a clerk may change; the national ID, psn_no and insured region are fixed (a move to
# another insured place is a new registration there).
CHANGEABLE_FIELDS = ("name", "insutype", "person_type", "status")


def check_person_type(insutype: Insutype, person_type: PersonType) -> None:
    """D-P4: employees (310) are in service or retired; residents (390) are residents."""
    if person_type not in _PERSON_TYPES[insutype]:
        raise InvalidPersonType(
            f"A person insured under {insutype.value} cannot be of type {person_type.value}; "
            f"change insutype and person_type together.",
            field="person_type",
        )


def check_id_number(id_no: str) -> str:
    """Validate an 18-character resident ID number (GB 11643 check digit); return it upper-cased."""
    value = id_no.strip().upper()
    if len(value) != 18 or not value[:17].isdigit() or value[17] not in "0123456789X":
        raise InvalidIdNumber(
            "The national ID number must be 17 digits and a check character.", field="id_no"
        )
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], _WEIGHTS, strict=True))
    if _CHECK_CHARS[total % 11] != value[17]:
        raise InvalidIdNumber("The national ID number's check character is wrong.", field="id_no")
    return value


def mask_id_number(id_no: str) -> str:
    """Show the region prefix and the last four characters only: 120101********1234."""
    return f"{id_no[:6]}{'*' * (len(id_no) - 10)}{id_no[-4:]}"


@dataclass
class Person:
    psn_no: str
    name: str
    id_no_masked: str
    insured_region: str
    insutype: Insutype
    person_type: PersonType
    status: PersonStatus = PersonStatus.ACTIVE

    @property
    def is_active(self) -> bool:
        return self.status is PersonStatus.ACTIVE

    def changed(self, **changes: Any) -> tuple[Person, list[str]]:
        """The person after a change, and which fields really changed (D-F11: filings stay)."""
        unknown = set(changes) - set(CHANGEABLE_FIELDS)
        if unknown:
            raise ValueError(f"not changeable: {sorted(unknown)}")
        after = replace(self, **changes)
        check_person_type(after.insutype, after.person_type)
        changed_fields = [
            f.name for f in fields(self) if getattr(self, f.name) != getattr(after, f.name)
        ]
        return after, changed_fields


def new_person(
    *,
    psn_no: str,
    name: str,
    id_no: str,
    insured_region: str,
    insutype: Insutype,
    person_type: PersonType,
) -> tuple[Person, str]:
    """A person as the registry accepts them, and their checked ID number (to be hashed)."""
    id_no = check_id_number(id_no)
    check_region(insured_region, field="insured_region")
    check_person_type(insutype, person_type)
    person = Person(
        psn_no=psn_no,
        name=name,
        id_no_masked=mask_id_number(id_no),
        insured_region=insured_region,
        insutype=insutype,
        person_type=person_type,
    )
    return person, id_no
