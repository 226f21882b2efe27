"""Institutions, chronic registrations, referrals and closed clearing periods, through the real
inbox into settlement's read models; late redeliveries never undo a newer fact."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from medins_common.events.schemas import (
    ChronicRegistrationChanged,
    ClearingPeriodClosed,
    InstitutionUpserted,
    ReferralIssued,
    ReferralRevoked,
)
from medins_common.timeutil import SHANGHAI
from settlement.adapters import read_model
from settlement.adapters.tables import closed_periods, known_institutions

from .conftest import BEIJING, record

HOSPITAL = "H11010500001"


def institution(**changes) -> InstitutionUpserted:
    return InstitutionUpserted(
        **{
            "code": HOSPITAL,
            "name": "北京某医院",
            "region": "110105",
            "level": 3,
            "networked_services": ["inpatient", "general_outpatient"],
            "consortium_id": "BJ-C1",
            "jjj_mutual_recognition": True,
            **changes,
        }
    )


def referral_issued(**changes) -> ReferralIssued:
    return ReferralIssued(
        **{
            "referral_id": "R1",
            "psn_no": "P0001",
            "issuing_institution": "H12010100001",
            "target_institution": HOSPITAL,
            "target_region": BEIJING,
            "diagnosis_code": "C34.9",
            "diagnosis_name": "肺恶性肿瘤",
            "valid_from": date(2025, 5, 1),
            "valid_to": date(2025, 7, 31),
            "covered_institutions": [HOSPITAL, "H11010800002"],
            "consortium_id": "BJ-C1",
            **changes,
        }
    )


async def known(service, reader, *args):
    async with service.runtime.uow() as uow:
        return await reader(uow.session, *args)


async def test_an_institution_upserted_is_known_with_all_its_facts(settlement_service):
    await settlement_service.feed(institution())

    found = await known(settlement_service, read_model.institution, HOSPITAL)

    assert found is not None
    assert (found.region, found.level, found.designated) == ("110105", 3, True)
    assert found.networked_services == frozenset({"inpatient", "general_outpatient"})
    assert (found.consortium_id, found.jjj_mutual_recognition) == ("BJ-C1", True)


async def test_an_older_institution_fact_redelivered_late_does_not_undo_a_newer_one(
    settlement_service,
):
    moment = datetime(2026, 11, 1, 9, 0, tzinfo=SHANGHAI)
    newer = record(institution(level=2, designated=False), occurred_at=moment)
    older = record(institution(level=3), occurred_at=moment - timedelta(minutes=5))

    await settlement_service.feed(newer, older)

    [row] = await settlement_service.rows(known_institutions)
    assert (row["level"], row["designated"]) == (2, False)


async def test_a_referral_is_known_with_its_covered_institutions_until_revoked(
    settlement_service,
):
    await settlement_service.feed(referral_issued())
    [referral] = await known(settlement_service, read_model.referrals_of, "P0001")
    assert referral.target_institution == HOSPITAL
    assert referral.covered_institutions == frozenset({HOSPITAL, "H11010800002"})
    assert referral.in_force(date(2025, 6, 1))

    await settlement_service.feed(ReferralRevoked(referral_id="R1", psn_no="P0001"))

    [revoked] = await known(settlement_service, read_model.referrals_of, "P0001")
    assert not revoked.in_force(date(2025, 6, 1))


async def test_a_revocation_that_overtakes_its_referral_still_revokes_it(settlement_service):
    await settlement_service.feed(
        ReferralRevoked(referral_id="R1", psn_no="P0001"), referral_issued()
    )
    [referral] = await known(settlement_service, read_model.referrals_of, "P0001")
    assert referral.revoked


async def test_a_referral_takes_its_consortium_from_the_target_when_the_event_has_none(
    settlement_service,
):
    await settlement_service.feed(
        institution(), referral_issued(consortium_id=None, covered_institutions=[])
    )
    [referral] = await known(settlement_service, read_model.referrals_of, "P0001")
    assert referral.consortium_id == "BJ-C1"


async def test_a_chronic_registration_and_its_cancellation(settlement_service):
    registered = ChronicRegistrationChanged(
        registration_id="C1",
        psn_no="P0001",
        disease_code="M03900",
        disease_name="高血压",
        institution_codes=[HOSPITAL],
    )
    await settlement_service.feed(registered)
    [active] = await known(settlement_service, read_model.chronic_registrations_of, "P0001")
    assert active.active and active.institution_codes == frozenset({HOSPITAL})

    await settlement_service.feed(registered.model_copy(update={"status": "cancelled"}))

    [cancelled] = await known(settlement_service, read_model.chronic_registrations_of, "P0001")
    assert not cancelled.active


async def test_a_closed_clearing_period_is_recorded_once(settlement_service):
    closed = ClearingPeriodClosed(
        period="2026-10", run_id="run-1", closed_at=datetime(2026, 11, 3, tzinfo=SHANGHAI)
    )
    await settlement_service.feed(closed, closed)

    assert await settlement_service.count(closed_periods) == 1
    assert await known(settlement_service, read_model.closed_periods_from, "2026-09") == {"2026-10"}
