"""Who may see and act on clearing data (issue 6, access rules).

Admins run the clearing; auditors read everything; agency staff (clerks) see and act only on
region pairs their own region belongs to, as the insured or the treatment place.
"""

from __future__ import annotations

from medins_common.auth import Principal, Role
from medins_common.errors import Forbidden


def ensure_party(principal: Principal, *, insured_region: str, treatment_region: str) -> None:
    if principal.role in (Role.ADMIN, Role.AUDITOR):
        return
    if principal.role is not Role.CLERK:
        raise Forbidden(
            f"A {principal.role.value} token has no access to clearing.", code="forbidden_role"
        )
    if principal.region not in (insured_region, treatment_region):
        raise Forbidden(
            f"Agency staff of {principal.region} see only the pairs their region is part of "
            f"(this is {insured_region} → {treatment_region}).",
            code="not_party",
        )


def sees_pair(principal: Principal, insured_region: str, treatment_region: str) -> bool:
    return principal.role is not Role.CLERK or principal.region in (
        insured_region,
        treatment_region,
    )
