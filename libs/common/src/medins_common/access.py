"""Access rules shared by every service (ARCHITECTURE.md, convention 7)."""

from __future__ import annotations

from medins_common.auth import Principal, Role
from medins_common.errors import Forbidden


def ensure_clerk_region(principal: Principal, insured_region: str) -> None:
    """Agency staff act within their agency: for people insured in their own region."""
    if principal.role is Role.CLERK and principal.region != insured_region:
        raise Forbidden(
            "Agency staff act only for people insured in their own region.", code="other_agency"
        )
