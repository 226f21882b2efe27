"""Advance funds 预付金: payments and adjustments by admins, balances as bills post, the
warning flag and the suggested next advance."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Any

from clearing.adapters import ledger, runs
from clearing.config import ClearingSettings
from clearing.domain.advance import AdvanceFund
from clearing.domain.ledger import EntryKind
from clearing.domain.netting import Pair
from clearing.service_layer.access import ensure_party, sees_pair
from medins_common.auth import Principal
from medins_common.errors import RuleViolation
from medins_common.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


class MovementKind(StrEnum):
    PAYMENT = "payment"  # the insured region pays into its advance fund
    ADJUSTMENT = "adjustment"  # a correction, up or down


_ENTRY_KINDS = {
    MovementKind.PAYMENT: EntryKind.ADVANCE_PAYMENT,
    MovementKind.ADJUSTMENT: EntryKind.ADVANCE_ADJUSTMENT,
}


async def record_movement(
    uow: UnitOfWork,
    *,
    insured_region: str,
    treatment_region: str,
    kind: MovementKind,
    amount: Decimal,
    reason: str,
    principal: Principal,
    settings: ClearingSettings,
) -> AdvanceFund:
    pair = (insured_region, treatment_region)
    if insured_region == treatment_region:
        raise RuleViolation(
            "An advance fund is kept by one region at another.",
            code="same_region",
            field="treatment_region",
        )
    if amount == 0 or (kind is MovementKind.PAYMENT and amount < 0):
        raise RuleViolation(
            "A payment is a positive amount; an adjustment any amount but zero.",
            code="invalid_amount",
            field="amount",
        )
    async with uow:
        await ledger.post_entry(
            uow.session,
            kind=_ENTRY_KINDS[kind],
            source_id=uuid.uuid4().hex,
            pair=pair,
            amount=amount,
            memo=reason,
            recorded_by=principal.subject,
        )
        [fund] = await _funds(uow, [pair], settings)
        await uow.commit()
    _warn_if_low(fund, settings)
    return fund


async def advance_fund(
    uow: UnitOfWork,
    *,
    insured_region: str,
    treatment_region: str,
    principal: Principal,
    settings: ClearingSettings,
) -> tuple[AdvanceFund, list[Any]]:
    """One pair's fund and its movements, newest first."""
    ensure_party(principal, insured_region=insured_region, treatment_region=treatment_region)
    pair = (insured_region, treatment_region)
    async with uow:
        [fund] = await _funds(uow, [pair], settings)
        movements = await ledger.advance_movements(uow.session, pair)
    _warn_if_low(fund, settings)
    return fund, movements


async def advance_funds(
    uow: UnitOfWork, *, principal: Principal, settings: ClearingSettings
) -> list[AdvanceFund]:
    """Every pair with anything in the ledger (a clerk: the pairs of their region)."""
    async with uow:
        funds = await _funds(uow, None, settings)
    return [f for f in funds if sees_pair(principal, f.insured_region, f.treatment_region)]


async def _funds(
    uow: UnitOfWork, pairs: Sequence[Pair] | None, settings: ClearingSettings
) -> list[AdvanceFund]:
    balances = await ledger.pair_balances(uow.session, pairs)
    wanted = list(pairs) if pairs is not None else sorted(balances)
    last = await ledger.last_advances(uow.session, wanted)
    use = await runs.monthly_use(uow.session, wanted, months=settings.advance_suggestion_months)
    funds = []
    for pair in wanted:
        pair_balances = balances.get(pair)
        funds.append(
            AdvanceFund(
                insured_region=pair[0],
                treatment_region=pair[1],
                advanced=pair_balances.advanced if pair_balances else Decimal("0.00"),
                outstanding=pair_balances.outstanding if pair_balances else Decimal("0.00"),
                last_advance=last.get(pair),
                monthly_use=tuple(use.get(pair, ())),
            )
        )
    return funds


def _warn_if_low(fund: AdvanceFund, settings: ClearingSettings) -> None:
    if fund.below_warning(settings.advance_warning_share):
        log.warning(
            "advance fund of %s at %s is low: %s left of a last advance of %s",
            fund.insured_region,
            fund.treatment_region,
            fund.left,
            fund.last_advance,
        )
