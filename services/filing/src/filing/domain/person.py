"""The insured person (D-P4)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from filing.domain.errors import InvalidIdNumber

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


class Insutype(StrEnum):
    EMPLOYEE = "310"  # 职工基本医疗保险
    RESIDENT = "390"  # 城乡居民基本医疗保险


class PersonType(StrEnum):
    EMPLOYEE_IN_SERVICE = "employee_in_service"
    EMPLOYEE_RETIRED = "employee_retired"
    RESIDENT = "resident"


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
    status: str = "active"
