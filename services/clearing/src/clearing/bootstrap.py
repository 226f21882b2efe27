"""Composition root of the clearing service."""

from pathlib import Path

from clearing.config import ClearingSettings
from clearing.entrypoints.api import advance_funds, ledger, runs, statements
from clearing.service_layer.handlers import LEDGER
from medins_common.service import ServiceDefinition

SERVICE = ServiceDefinition(
    name="clearing",
    title="Clearing service (清算)",
    description="The ledger of what each insured region owes each treatment region, advance "
    "funds, the monthly clearing batch and reconciliation.",
    settings_factory=ClearingSettings,
    migrations_dir=Path(__file__).parent / "migrations",
    routers=(runs.router, statements.router, advance_funds.router, ledger.router),
    subscriptions=(LEDGER,),
)
