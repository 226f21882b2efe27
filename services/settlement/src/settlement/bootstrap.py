"""Composition root of the settlement service."""

from pathlib import Path

from medins_common.service import ServiceDefinition
from settlement.config import SettlementSettings
from settlement.entrypoints.api import (
    claims,
    periods,
    persons,
    reconciliations,
    reference_data,
    settlements,
)
from settlement.service_layer.handlers import READ_MODEL

SERVICE = ServiceDefinition(
    name="settlement",
    title="Settlement service (结算)",
    description="Hospitals post pre-settlements, settlements and reversals; the policy engine "
    "computes the fund and personal shares; daily reconciliation with hospitals.",
    settings_factory=SettlementSettings,
    migrations_dir=Path(__file__).parent / "migrations",
    routers=(
        settlements.router,
        persons.router,
        reference_data.router,
        reconciliations.router,
        periods.router,
        claims.router,
    ),
    subscriptions=(READ_MODEL,),
)
