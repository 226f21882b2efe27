"""Cross-region filings (D-F1–F7): file, change, cancel, read, with every version kept."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from filing.adapters import repository
from filing.domain.filing import (
    Channel,
    Filing,
    Material,
    Subtype,
    check_no_overlap,
    new_filing,
)
from filing.domain.referral import check_referral
from filing.service_layer.access import (
    actor,
    ensure_may_see_record,
    filed_by,
)
from filing.service_layer.persons import get_person, person_to_act_for
from medins_common import timeutil
from medins_common.auth import Principal
from medins_common.errors import NotFound
from medins_common.events.schemas import FilingCancelled, FilingChanged, FilingCreated
from medins_common.unit_of_work import UnitOfWork


def filing_facts(filing: Filing) -> dict[str, Any]:
    """What FilingCreated and FilingChanged say of a filing."""
    return {
        "filing_id": filing.filing_id,
        "psn_no": filing.psn_no,
        "insured_region": filing.insured_region,
        "filing_class": filing.filing_class.value,
        "subtype": filing.subtype.value,
        "destination_region": filing.destination_region,
        "start_date": filing.start_date,
        "end_date": filing.end_date,
        "channel": filing.channel.value,
        "referral_id": filing.referral_id,
    }


async def create_filing(
    uow: UnitOfWork,
    *,
    principal: Principal,
    psn_no: str,
    subtype: Subtype,
    destination_region: str,
    start_date: date,
    end_date: date | None,
    channel: Channel,
    materials: frozenset[Material],
    referral_id: str | None,
    admission_date: date | None,
) -> Filing:
    async with uow:
        person = await person_to_act_for(uow, psn_no=psn_no, principal=principal)
        filing = new_filing(
            filing_id=uuid.uuid4().hex,
            psn_no=psn_no,
            insured_region=person.insured_region,
            subtype=subtype,
            destination_region=destination_region,
            start_date=start_date,
            end_date=end_date,
            channel=channel,
            filed_by=filed_by(principal),
            materials=materials,
            referral_id=referral_id,
            admission_date=admission_date,
            today=timeutil.today(),
        )
        await _check_cited_referral(uow, filing)
        check_no_overlap(filing, await repository.filings_of(uow.session, psn_no))
        await repository.add_filing(uow.session, filing, actor=actor(principal))
        await uow.publish(FilingCreated(**filing_facts(filing)))
        await uow.commit()
    return filing


async def _check_cited_referral(uow: UnitOfWork, filing: Filing) -> None:
    if filing.referral_id is None:
        return
    check_referral(
        await repository.get_referral(uow.session, filing.referral_id),
        psn_no=filing.psn_no,
        destination_region=filing.destination_region,
        start_date=filing.start_date,
    )


async def _visible_filing(uow: UnitOfWork, *, filing_id: str, principal: Principal) -> Filing:
    filing = await repository.get_filing(uow.session, filing_id)
    missing = NotFound(f"No filing {filing_id}.", code="filing_not_found", field="filing_id")
    if filing is None:
        raise missing
    ensure_may_see_record(
        principal, psn_no=filing.psn_no, insured_region=filing.insured_region, missing=missing
    )
    return filing


async def get_filing(uow: UnitOfWork, *, filing_id: str, principal: Principal) -> Filing:
    async with uow:
        return await _visible_filing(uow, filing_id=filing_id, principal=principal)


async def filings_of(uow: UnitOfWork, *, psn_no: str, principal: Principal) -> list[Filing]:
    await get_person(uow, psn_no=psn_no, principal=principal)
    async with uow:
        return await repository.filings_of(uow.session, psn_no)


async def change_filing(
    uow: UnitOfWork,
    *,
    filing_id: str,
    principal: Principal,
    start_date: date | None,
    end_date: date | None,
    clear_end: bool,
    destination_region: str | None,
    admission_date: date | None,
    reason: str | None,
) -> Filing:
    """Change dates or destination (Art. 13); the previous version stays in the history."""
    async with uow:
        filing = await _visible_filing(uow, filing_id=filing_id, principal=principal)
        # Checked against the person's other filings one change or filing at a time.
        await repository.get_person(uow.session, filing.psn_no, lock=True)
        after, changed_fields = filing.changed(
            today=timeutil.today(),
            start_date=start_date,
            end_date=end_date,
            clear_end=clear_end,
            destination_region=destination_region,
            admission_date=admission_date,
        )
        if not changed_fields:
            return filing
        if {"start_date", "destination_region"} & set(changed_fields):
            await _check_cited_referral(uow, after)
        check_no_overlap(after, await repository.filings_of(uow.session, filing.psn_no))
        await repository.save_filing_change(
            uow.session,
            after,
            action="changed",
            changed_fields=changed_fields,
            reason=reason,
            actor=actor(principal),
        )
        await uow.publish(FilingChanged(**filing_facts(after), reason=reason))
        await uow.commit()
    return after


async def cancel_filing(
    uow: UnitOfWork, *, filing_id: str, principal: Principal, reason: str | None
) -> Filing:
    """Cancel from today on (Art. 13); the days before stay covered and the history stays."""
    async with uow:
        filing = await _visible_filing(uow, filing_id=filing_id, principal=principal)
        today = timeutil.today()
        cancelled = filing.cancelled(today=today)
        await repository.save_filing_change(
            uow.session,
            cancelled,
            action="cancelled",
            changed_fields=["status"],
            reason=reason,
            actor=actor(principal),
        )
        await uow.publish(
            FilingCancelled(
                filing_id=cancelled.filing_id,
                psn_no=cancelled.psn_no,
                cancelled_on=today,
                reason=reason,
            )
        )
        await uow.commit()
    return cancelled


async def filing_history(
    uow: UnitOfWork, *, filing_id: str, principal: Principal
) -> list[dict[str, Any]]:
    async with uow:
        await _visible_filing(uow, filing_id=filing_id, principal=principal)
        return await repository.filing_versions(uow.session, filing_id)
