"""Event handlers: the read model of persons, institutions and filings that the referral rules
look at, and the bills that use a referral (a used referral is no longer revoked)."""

from __future__ import annotations

from medins_common.events.envelope import Envelope
from medins_common.events.schemas import (
    BillReversed,
    BillSettled,
    FilingCancelled,
    FilingChanged,
    FilingCreated,
    InstitutionUpserted,
    PersonChanged,
    PersonRegistered,
)
from medins_common.inbox import Subscription
from medins_common.timeutil import SHANGHAI
from medins_common.unit_of_work import UnitOfWork
from referral.adapters import read_model, repository

_PERSON_FIELDS = {"psn_no", "name", "insured_region", "status"}
_INSTITUTION_FIELDS = {
    "code",
    "name",
    "region",
    "kind",
    "level",
    "designated",
    "consortium_id",
    "jjj_mutual_recognition",
}
_FILING_FIELDS = {
    "filing_id",
    "psn_no",
    "filing_class",
    "destination_region",
    "start_date",
    "end_date",
}


async def record_person(
    uow: UnitOfWork, event: PersonRegistered | PersonChanged, _envelope: Envelope
) -> None:
    await read_model.save_person(uow.session, event.model_dump(include=_PERSON_FIELDS))


async def record_institution(
    uow: UnitOfWork, event: InstitutionUpserted, _envelope: Envelope
) -> None:
    await read_model.save_institution(uow.session, event.model_dump(include=_INSTITUTION_FIELDS))


async def record_filing(
    uow: UnitOfWork, event: FilingCreated | FilingChanged, _envelope: Envelope
) -> None:
    await read_model.save_filing(
        uow.session, {**event.model_dump(include=_FILING_FIELDS), "status": "active"}
    )


async def record_filing_cancelled(
    uow: UnitOfWork, event: FilingCancelled, _envelope: Envelope
) -> None:
    await read_model.cancel_filing(uow.session, event.filing_id)


async def record_use(uow: UnitOfWork, event: BillSettled, _envelope: Envelope) -> None:
    """A bill settled at an institution a referral covers, inside its validity, uses it."""
    day = event.settled_at.astimezone(SHANGHAI).date()
    for referral in await repository.issued_of_person(uow.session, event.psn_no):
        if referral.in_force_on(day) and referral.covers(event.institution_code):
            await repository.record_use(
                uow.session,
                referral_id=referral.referral_id,
                bill_id=event.bill_id,
                institution_code=event.institution_code,
                used_on=day,
            )


async def forget_use(uow: UnitOfWork, event: BillReversed, _envelope: Envelope) -> None:
    """A reversed bill no longer counts as a use."""
    await repository.forget_uses_of_bill(uow.session, event.bill_id)


READ_MODEL = Subscription(
    name="referral.read-model",
    handlers={
        PersonRegistered: record_person,
        PersonChanged: record_person,
        InstitutionUpserted: record_institution,
        FilingCreated: record_filing,
        FilingChanged: record_filing,
        FilingCancelled: record_filing_cancelled,
    },
)

REFERRAL_USES = Subscription(
    name="referral.uses",
    handlers={BillSettled: record_use, BillReversed: forget_use},
)
