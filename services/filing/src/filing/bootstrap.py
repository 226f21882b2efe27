"""Composition root of the filing service."""

from pathlib import Path

from filing.config import FilingSettings
from filing.entrypoints.api import chronic, eligibility, filings, institutions, persons, regions
from filing.service_layer.handlers import REFERRALS
from medins_common.service import ServiceDefinition

SERVICE = ServiceDefinition(
    name="filing",
    title="Filing service (备案)",
    description="The insured-person registry, cross-region filings, chronic-disease "
    "registrations, the directory of networked institutions and the eligibility answer.",
    settings_factory=FilingSettings,
    migrations_dir=Path(__file__).parent / "migrations",
    routers=(
        persons.router,
        filings.router,
        eligibility.router,
        chronic.router,
        institutions.router,
        regions.router,
    ),
    subscriptions=(REFERRALS,),
)
