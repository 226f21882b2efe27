"""Event handlers that keep settlement's read models current: people, filings, institutions,
chronic registrations, referrals and closed clearing periods.

Each write carries the event's ``occurred_at``, so an older event redelivered late never
overwrites a newer one (ARCHITECTURE.md, "Inbox").
"""

from __future__ import annotations

from medins_common.events.envelope import Envelope
from medins_common.events.schemas import (
    ChronicRegistrationChanged,
    ClearingPeriodClosed,
    FilingCancelled,
    FilingChanged,
    FilingCreated,
    InstitutionUpserted,
    PersonChanged,
    PersonRegistered,
    ReferralIssued,
    ReferralRevoked,
)
from medins_common.inbox import Subscription
from medins_common.unit_of_work import UnitOfWork
from settlement.adapters import read_model

_PERSON_FIELDS = {"psn_no", "name", "insured_region", "insutype", "person_type", "status"}
_FILING_FIELDS = {
    "filing_id",
    "psn_no",
    "filing_class",
    "subtype",
    "destination_region",
    "start_date",
    "end_date",
    "scope",
}
_INSTITUTION_FIELDS = {
    "code",
    "name",
    "region",
    "kind",
    "level",
    "designated",
    "networked_services",
    "consortium_id",
    "jjj_mutual_recognition",
}
_CHRONIC_FIELDS = {
    "registration_id",
    "psn_no",
    "filing_id",
    "disease_code",
    "disease_name",
    "institution_codes",
    "status",
}
_REFERRAL_FIELDS = {
    "referral_id",
    "psn_no",
    "path",
    "issuing_institution",
    "target_institution",
    "target_region",
    "covered_institutions",
    "consortium_id",
    "valid_from",
    "valid_to",
}


async def record_person(
    uow: UnitOfWork, event: PersonRegistered | PersonChanged, envelope: Envelope
) -> None:
    await read_model.save_person(
        uow.session, event.model_dump(include=_PERSON_FIELDS), as_of=envelope.occurred_at
    )


async def record_filing(
    uow: UnitOfWork, event: FilingCreated | FilingChanged, envelope: Envelope
) -> None:
    await read_model.save_filing(
        uow.session, event.model_dump(include=_FILING_FIELDS), as_of=envelope.occurred_at
    )


async def record_filing_cancelled(
    uow: UnitOfWork, event: FilingCancelled, envelope: Envelope
) -> None:
    await read_model.cancel_filing(
        uow.session,
        filing_id=event.filing_id,
        psn_no=event.psn_no,
        cancelled_on=event.cancelled_on,
        as_of=envelope.occurred_at,
    )


async def record_institution(
    uow: UnitOfWork, event: InstitutionUpserted, envelope: Envelope
) -> None:
    await read_model.save_institution(
        uow.session, event.model_dump(include=_INSTITUTION_FIELDS), as_of=envelope.occurred_at
    )


async def record_chronic_registration(
    uow: UnitOfWork, event: ChronicRegistrationChanged, envelope: Envelope
) -> None:
    await read_model.save_chronic_registration(
        uow.session, event.model_dump(include=_CHRONIC_FIELDS), as_of=envelope.occurred_at
    )


async def record_referral(uow: UnitOfWork, event: ReferralIssued, envelope: Envelope) -> None:
    await read_model.save_referral(
        uow.session, event.model_dump(include=_REFERRAL_FIELDS), as_of=envelope.occurred_at
    )


async def record_referral_revoked(
    uow: UnitOfWork, event: ReferralRevoked, envelope: Envelope
) -> None:
    await read_model.revoke_referral(
        uow.session,
        referral_id=event.referral_id,
        psn_no=event.psn_no,
        revoked_at=envelope.occurred_at,
    )


async def record_period_closed(
    uow: UnitOfWork, event: ClearingPeriodClosed, _envelope: Envelope
) -> None:
    await read_model.close_period(
        uow.session, period=event.period, run_id=event.run_id, closed_at=event.closed_at
    )


READ_MODEL = Subscription(
    name="settlement.read-model",
    handlers={
        PersonRegistered: record_person,
        PersonChanged: record_person,
        FilingCreated: record_filing,
        FilingChanged: record_filing,
        FilingCancelled: record_filing_cancelled,
        InstitutionUpserted: record_institution,
        ChronicRegistrationChanged: record_chronic_registration,
        ReferralIssued: record_referral,
        ReferralRevoked: record_referral_revoked,
        ClearingPeriodClosed: record_period_closed,
    },
)
