"""Who may do what with a referral (convention 7): a hospital acts for its own institution,
a person sees their own referrals, a clerk those of people insured in their region."""

from __future__ import annotations

from medins_common.access import ensure_clerk_region
from medins_common.auth import Principal, Role
from medins_common.errors import Forbidden
from referral.domain.referral import Path, Referral


def ensure_hospital(principal: Principal) -> str:
    """The institution a hospital token acts for."""
    if principal.role is not Role.HOSPITAL or principal.institution_code is None:
        raise Forbidden(
            f"Referrals are written by hospitals; a {principal.role.value} token cannot.",
            code="forbidden_role",
        )
    return principal.institution_code


def ensure_issuing_hospital(principal: Principal, referral: Referral) -> None:
    if ensure_hospital(principal) != referral.issuing_institution:
        raise Forbidden(
            "A hospital acts only on the referrals of its own institution.",
            code="other_institution",
        )


def ensure_may_upload(principal: Principal, referral: Referral, insured_region: str) -> None:
    """D-R1: the issuing hospital's insurance office uploads. D-R3 (Art. 18): a cross-province
    referral of a long-term filer is registered at the insured place's agency instead."""
    if referral.content.path is not Path.LONG_TERM_CROSS_PROVINCE:
        ensure_issuing_hospital(principal, referral)
        return
    if principal.role is not Role.CLERK:
        raise Forbidden(
            "A long_term_cross_province referral is registered by a clerk of the insured "
            "place's agency (Art. 18).",
            code="forbidden_role",
        )
    ensure_clerk_region(principal, insured_region)


def ensure_may_revoke(principal: Principal, referral: Referral, insured_region: str) -> None:
    if principal.role is Role.HOSPITAL:
        ensure_issuing_hospital(principal, referral)
    elif principal.role is Role.CLERK:
        ensure_clerk_region(principal, insured_region)
    elif principal.role is not Role.ADMIN:
        raise Forbidden(
            f"A {principal.role.value} token cannot revoke a referral.", code="forbidden_role"
        )


def may_read(principal: Principal, referral: Referral, insured_region: str) -> bool:
    try:
        ensure_may_read(principal, referral, insured_region)
    except Forbidden:
        return False
    return True


def ensure_may_read(principal: Principal, referral: Referral, insured_region: str) -> None:
    """The issuer and, once issued, the institutions it covers; the person; their agency."""
    if principal.role is Role.INSURED:
        ensure_own(principal, referral.content.psn_no)
    elif principal.role is Role.CLERK:
        ensure_clerk_region(principal, insured_region)
    elif principal.role is Role.HOSPITAL and not (
        principal.institution_code == referral.issuing_institution
        or (referral.was_issued and referral.covers(principal.institution_code or ""))
    ):
        raise Forbidden(
            "A hospital sees the referrals it wrote and those that send patients to it.",
            code="other_institution",
        )


def ensure_own(principal: Principal, psn_no: str) -> None:
    if principal.role is Role.INSURED and principal.psn_no != psn_no:
        raise Forbidden(
            "An insured person may see only their own referrals.",
            code="not_own_record",
            field="psn_no",
        )
