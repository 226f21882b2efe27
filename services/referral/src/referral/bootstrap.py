"""Composition root of the referral service."""

from pathlib import Path

from medins_common.service import ServiceDefinition
from referral.config import ReferralSettings

SERVICE = ServiceDefinition(
    name="referral",
    title="Referral service (转诊)",
    description="Referrals issued by Tianjin tertiary hospitals and onward transfers.",
    settings_factory=ReferralSettings,
    migrations_dir=Path(__file__).parent / "migrations",
)
