"""Who may call: a hospital acts only for the institution its token names."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from medins_common.api.security import require_roles
from medins_common.auth import Principal, Role

Hospital = Annotated[Principal, Depends(require_roles(Role.HOSPITAL))]
Staff = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.AUDITOR, Role.CLERK))]


def own_institution(hospital: Principal) -> str:
    """The institution comes from the token, never from the body."""
    assert hospital.institution_code is not None  # a hospital token always names one
    return hospital.institution_code
