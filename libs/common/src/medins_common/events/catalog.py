"""Every event in the contract, by name, with its topic."""

from __future__ import annotations

from medins_common.events import schemas
from medins_common.events.envelope import Event

EVENT_TYPES: dict[str, type[Event]] = {
    cls.event_type: cls
    for cls in (
        schemas.PersonRegistered,
        schemas.PersonChanged,
        schemas.InstitutionUpserted,
        schemas.FilingCreated,
        schemas.FilingChanged,
        schemas.FilingCancelled,
        schemas.ChronicRegistrationChanged,
        schemas.ReferralIssued,
        schemas.ReferralRevoked,
        schemas.BillSettled,
        schemas.BillReversed,
        schemas.ClearingPeriodClosed,
    )
}

TOPICS: tuple[str, ...] = tuple(sorted({cls.topic for cls in EVENT_TYPES.values()}))


def event_class(event_type: str) -> type[Event] | None:
    return EVENT_TYPES.get(event_type)
