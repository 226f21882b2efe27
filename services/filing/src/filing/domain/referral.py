"""Referrals as the referral service announced them, and what a referral filing may cite (D-F2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from filing.domain.errors import ReferralRefused
from filing.domain.regions import place_of


@dataclass(frozen=True)
class KnownReferral:
    """A revocation that overtook its issue leaves only the revocation: no target, no dates."""

    referral_id: str
    psn_no: str
    target_institution: str | None
    target_region: str | None
    valid_from: date | None
    valid_to: date | None
    revoked: bool = False


def check_referral(
    referral: KnownReferral | None,
    *,
    psn_no: str,
    destination_region: str,
    start_date: date,
) -> None:
    """D-F2: a referral filing may rest on the ReferralIssued record instead of a certificate.

    Someone else's referral is answered like an unknown one, so ids reveal nothing.
    """
    if referral is None or referral.psn_no != psn_no:
        raise ReferralRefused(
            "No referral with this id is known for the person (an issued referral may take a "
            "moment to arrive).",
            code="referral_unknown",
            field="referral_id",
        )
    if referral.revoked or referral.target_region is None or referral.valid_to is None:
        raise ReferralRefused(
            "The referral was revoked.", code="referral_revoked", field="referral_id"
        )
    if place_of(referral.target_region) != destination_region:
        raise ReferralRefused(
            f"The referral sends the person to {place_of(referral.target_region)}, not to "
            f"{destination_region}.",
            code="referral_other_destination",
            field="destination_region",
        )
    if start_date > referral.valid_to:
        raise ReferralRefused(
            f"The referral was valid until {referral.valid_to.isoformat()}.",
            code="referral_expired",
            field="referral_id",
        )
