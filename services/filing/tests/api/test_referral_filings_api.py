"""Referral filings citing a referral, checked against the read model of referral's events (D-F2).

Events reach the ``filing.referrals`` consumer through the real inbox, at least once.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from aiokafka.structs import ConsumerRecord

from filing.adapters.tables import known_referrals
from filing.service_layer.handlers import REFERRALS
from medins_common import timeutil
from medins_common.events.envelope import Event
from medins_common.events.schemas import ReferralIssued, ReferralRevoked
from medins_common.inbox import InboxProcessor
from medins_common.messaging_tables import INBOX
from medins_common.outbox import envelope_for

from .conftest import CLERK, SHANGHAI, assert_problem, day, filing_body

_offsets = itertools.count()


def record(event: Event) -> ConsumerRecord:
    value = envelope_for(event, producer="referral").model_dump_json().encode()
    key = event.key.encode()
    return ConsumerRecord(
        event.topic, 0, next(_offsets), 0, 0, key, value, None, len(key), len(value), []
    )


def issued(referral_id: str = "R1", psn_no: str = "P0001", **changes) -> ReferralIssued:
    today = timeutil.today()
    values = {
        "referral_id": referral_id,
        "psn_no": psn_no,
        "issuing_institution": "H12010100001",
        "target_institution": "H31010400001",
        "target_region": "310104",
        "diagnosis_code": "C34.9",
        "diagnosis_name": "肺恶性肿瘤",
        "valid_from": today,
        "valid_to": today + timedelta(days=90),
        **changes,
    }
    return ReferralIssued(**values)


@pytest.fixture
async def feed(filing_service):
    processor = InboxProcessor(
        subscription=REFERRALS,
        uow_factory=filing_service.runtime.uow,
        max_attempts=2,
        retry_base_seconds=0.01,
    )

    async def deliver(*events: Event) -> None:
        for event in events:
            await processor.process(record(event))

    await filing_service.register()
    return deliver


async def file_referral(filing_service, referral_id: str = "R1", **changes):
    body = filing_body(
        subtype="referral",
        destination_region=SHANGHAI,
        start_date=day(1),
        materials=[],
        referral_id=referral_id,
        **changes,
    )
    return await filing_service.client.post("/v1/filings", json=body, headers=CLERK)


async def test_d_f2_a_referral_filing_rests_on_the_referralissued_record(filing_service, feed):
    await feed(issued())
    response = await file_referral(filing_service)

    assert response.status_code == 201, response.text
    assert response.json()["referral_id"] == "R1"
    assert response.json()["materials"] == []
    [*_, created] = await filing_service.outbox()
    assert created["parsed"]["payload"]["referral_id"] == "R1"


async def test_d_f2_a_referral_not_yet_known_is_422_and_writes_nothing(filing_service, feed):
    response = await file_referral(filing_service, "R-unknown")
    assert_problem(response, 422, "referral_unknown", field="referral_id")
    assert await filing_service.counts() == (1, 0, 1)


async def test_d_f2_someone_elses_referral_is_answered_like_an_unknown_one(filing_service, feed):
    await feed(issued(psn_no="P0002"))
    assert_problem(await file_referral(filing_service), 422, "referral_unknown")


async def test_d_f2_a_revoked_referral_is_422(filing_service, feed):
    await feed(issued(), ReferralRevoked(referral_id="R1", psn_no="P0001", reason="error"))
    assert_problem(
        await file_referral(filing_service), 422, "referral_revoked", field="referral_id"
    )


async def test_a_revocation_that_overtakes_its_issue_keeps_the_referral_revoked(
    filing_service, feed
):
    await feed(ReferralRevoked(referral_id="R1", psn_no="P0001"), issued())
    assert_problem(await file_referral(filing_service), 422, "referral_revoked")


async def test_d_f2_a_referral_to_another_place_is_422(filing_service, feed):
    await feed(issued(target_region="110105"))
    response = await file_referral(filing_service)
    assert_problem(response, 422, "referral_other_destination", field="destination_region")


async def test_d_f2_a_filing_starting_after_the_referral_expired_is_422(filing_service, feed):
    await feed(issued(valid_to=date.fromisoformat(day(0))))
    assert_problem(await file_referral(filing_service), 422, "referral_expired")


async def test_a_redelivered_referral_event_is_applied_once(filing_service, feed):
    event = issued()
    processor = InboxProcessor(subscription=REFERRALS, uow_factory=filing_service.runtime.uow)
    same = record(event)
    await processor.process(same)
    await processor.process(same)
    assert await filing_service.count(known_referrals) == 1
    assert await filing_service.count(INBOX) == 1


async def test_a_changed_destination_is_checked_against_the_cited_referral(filing_service, feed):
    await feed(issued())
    filed = (await file_referral(filing_service)).json()
    response = await filing_service.client.patch(
        f"/v1/filings/{filed['filing_id']}", json={"destination_region": "110000"}, headers=CLERK
    )
    assert_problem(response, 422, "referral_other_destination")
