"""Composition root of the filing service."""

from pathlib import Path

from filing.config import FilingSettings
from filing.entrypoints.api import filings, persons
from medins_common.service import ServiceDefinition

SERVICE = ServiceDefinition(
    name="filing",
    title="Filing service (备案)",
    description="The insured-person registry, cross-region filings, chronic-disease "
    "registrations, networked-institution lookup and manual reimbursement claims.",
    settings_factory=FilingSettings,
    migrations_dir=Path(__file__).parent / "migrations",
    routers=(persons.router, filings.router),
)
