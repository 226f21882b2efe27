"""Who may act on whose records (convention 7): people on their own, staff within their agency."""

from __future__ import annotations

from filing.adapters.tables import ACTOR_LENGTH
from filing.domain.filing import FiledBy
from medins_common.access import ensure_clerk_region
from medins_common.auth import Principal, Role
from medins_common.errors import Forbidden, NotFound


def actor(principal: Principal) -> str:
    """How the history records who made a change (a token's subject is of any length)."""
    return f"{principal.role.value}:{principal.subject}"[:ACTOR_LENGTH]


def filed_by(principal: Principal) -> FiledBy:
    return FiledBy.PERSON if principal.role is Role.INSURED else FiledBy.AGENCY


def ensure_may_act_for_person(principal: Principal, psn_no: str) -> None:
    """A person acts only for themself; clerks and admins act on behalf of people."""
    if principal.role is Role.INSURED and principal.psn_no != psn_no:
        raise Forbidden(
            "An insured person may act only on their own records.",
            code="not_own_record",
            field="psn_no",
        )
    if principal.role not in (Role.INSURED, Role.CLERK, Role.ADMIN):
        raise Forbidden(f"A {principal.role.value} token cannot do this.", code="forbidden_role")


def ensure_may_see_person(principal: Principal, psn_no: str) -> None:
    if principal.role is Role.INSURED and principal.psn_no != psn_no:
        raise Forbidden(
            "An insured person may see only their own records.",
            code="not_own_record",
            field="psn_no",
        )


def ensure_may_see_record(
    principal: Principal, *, psn_no: str, insured_region: str, missing: NotFound
) -> None:
    """A record found by its id. Someone else's is, to an insured person, simply not there:
    the answer must not tell an unknown id from a forbidden one."""
    if principal.role is Role.INSURED and principal.psn_no != psn_no:
        raise missing
    ensure_clerk_region(principal, insured_region)
