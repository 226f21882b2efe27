"""Composition root of the referral service."""

from pathlib import Path

from medins_common.service import ServiceDefinition
from referral.config import ReferralSettings
from referral.entrypoints.api import referrals, statistics, verification
from referral.service_layer.handlers import READ_MODEL, REFERRAL_USES

SERVICE = ServiceDefinition(
    name="referral",
    title="Referral service (转诊)",
    description="Referrals issued by Tianjin tertiary hospitals and onward transfers: the "
    "opinion–approval–upload workflow, printable certificates with a public verification "
    "code, and the agency's referral statistics.",
    settings_factory=ReferralSettings,
    migrations_dir=Path(__file__).parent / "migrations",
    # The public verification route first, so /v1/referrals/verify/… never reads as an id.
    routers=(verification.router, referrals.router, statistics.router),
    subscriptions=(READ_MODEL, REFERRAL_USES),
)
