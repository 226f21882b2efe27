"""Event handlers that keep settlement's read model of people and filings current."""

from __future__ import annotations

from medins_common.events.envelope import Envelope
from medins_common.events.schemas import (
    FilingCancelled,
    FilingChanged,
    FilingCreated,
    PersonChanged,
    PersonRegistered,
)
from medins_common.inbox import Subscription
from medins_common.unit_of_work import UnitOfWork
from settlement.adapters import read_model

_PERSON_FIELDS = ("psn_no", "name", "insured_region", "insutype", "person_type", "status")
_FILING_FIELDS = (
    "filing_id",
    "psn_no",
    "filing_class",
    "subtype",
    "destination_region",
    "start_date",
    "end_date",
)


async def record_person(
    uow: UnitOfWork, event: PersonRegistered | PersonChanged, _envelope: Envelope
) -> None:
    await read_model.save_person(uow.session, event.model_dump(include=set(_PERSON_FIELDS)))


async def record_filing(
    uow: UnitOfWork, event: FilingCreated | FilingChanged, _envelope: Envelope
) -> None:
    await read_model.save_filing(
        uow.session, {**event.model_dump(include=set(_FILING_FIELDS)), "status": "active"}
    )


async def record_filing_cancelled(
    uow: UnitOfWork, event: FilingCancelled, _envelope: Envelope
) -> None:
    await read_model.cancel_filing(uow.session, event.filing_id)


READ_MODEL = Subscription(
    name="settlement.read-model",
    handlers={
        PersonRegistered: record_person,
        PersonChanged: record_person,
        FilingCreated: record_filing,
        FilingChanged: record_filing,
        FilingCancelled: record_filing_cancelled,
    },
)
