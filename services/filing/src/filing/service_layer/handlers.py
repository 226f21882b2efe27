"""Event handlers: the referrals a referral filing may cite, as the referral service tells them."""

from __future__ import annotations

from filing.adapters import repository
from medins_common.events.envelope import Envelope
from medins_common.events.schemas import ReferralIssued, ReferralRevoked
from medins_common.inbox import Subscription
from medins_common.unit_of_work import UnitOfWork


async def record_referral_issued(uow: UnitOfWork, event: ReferralIssued, _: Envelope) -> None:
    await repository.record_referral_issued(
        uow.session,
        referral_id=event.referral_id,
        psn_no=event.psn_no,
        target_institution=event.target_institution,
        target_region=event.target_region,
        valid_from=event.valid_from,
        valid_to=event.valid_to,
    )


async def record_referral_revoked(uow: UnitOfWork, event: ReferralRevoked, _: Envelope) -> None:
    await repository.record_referral_revoked(
        uow.session, referral_id=event.referral_id, psn_no=event.psn_no
    )


REFERRALS = Subscription(
    name="filing.referrals",
    handlers={ReferralIssued: record_referral_issued, ReferralRevoked: record_referral_revoked},
)
