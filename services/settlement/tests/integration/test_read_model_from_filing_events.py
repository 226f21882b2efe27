"""Filing's events, through the inbox, into settlement's read model and its filing-status answer.

D-F1: direct settlement needs a filing in force on the day; D-F6: a filing's validity.
Delivery is at least once, effects exactly once (ARCHITECTURE.md, "Inbox").
"""

from __future__ import annotations

from datetime import date

from devstack.testing import bearer
from medins_common.events.schemas import FilingChanged, PersonChanged
from medins_common.messaging_tables import DEAD_LETTER, INBOX
from settlement.adapters.tables import filing_cancellations, known_filings, known_persons

from .conftest import (
    BEIJING,
    TIANJIN,
    filing_cancelled,
    filing_created,
    person_registered,
    record,
)

HOSPITAL = bearer("hospital", institution_code="H1")


async def status(service, psn_no: str = "P0001", on: str | None = None, headers=HOSPITAL):
    params = {"on": on} if on else {}
    return await service.client.get(
        f"/v1/persons/{psn_no}/filing-status", params=params, headers=headers
    )


async def filed_on(service, on: str, psn_no: str = "P0001") -> bool:
    response = await status(service, psn_no, on)
    assert response.status_code == 200, response.text
    return response.json()["filed"]


async def test_d_f1_a_person_with_a_filing_is_filed_on_a_covered_day(settlement_service):
    await settlement_service.feed(person_registered(), filing_created())

    response = await status(settlement_service, on="2025-06-15")

    assert response.status_code == 200, response.text
    assert response.json() == {
        "psn_no": "P0001",
        "insured_region": TIANJIN,
        "on": "2025-06-15",
        "filed": True,
        "filings": [
            {
                "filing_id": "F1",
                "filing_class": "temporary",
                "subtype": "referral",
                "destination_region": BEIJING,
                "start_date": "2025-03-01",
                "end_date": "2026-02-28",
            }
        ],
    }


async def test_d_f6_the_filing_covers_its_first_and_last_day_and_nothing_outside(
    settlement_service,
):
    await settlement_service.feed(person_registered(), filing_created())

    assert not await filed_on(settlement_service, "2025-02-28")
    assert await filed_on(settlement_service, "2025-03-01")
    assert await filed_on(settlement_service, "2026-02-28")
    assert not await filed_on(settlement_service, "2026-03-01")


async def test_a_day_before_the_start_answers_not_filed_with_no_filings(settlement_service):
    await settlement_service.feed(person_registered(), filing_created())
    response = await status(settlement_service, on="2025-01-01")
    assert response.json()["filed"] is False
    assert response.json()["filings"] == []


async def test_d_f6_an_open_ended_long_term_filing_is_in_force_years_later(settlement_service):
    await settlement_service.feed(
        person_registered(),
        filing_created(filing_class="long_term", subtype="retiree_resettled", end_date=None),
    )
    assert await filed_on(settlement_service, "2040-01-01")


async def test_a_cancelled_filing_no_longer_counts(settlement_service):
    await settlement_service.feed(person_registered(), filing_created())
    assert await filed_on(settlement_service, "2025-10-01")

    await settlement_service.feed(filing_cancelled(on=date(2025, 9, 1)))

    assert not await filed_on(settlement_service, "2025-10-01")
    [row] = await settlement_service.rows(filing_cancellations)
    assert row["cancelled_on"] == date(2025, 9, 1)


async def test_a_cancellation_ends_cover_from_its_day_so_a_past_stay_stays_settleable(
    settlement_service,
):
    await settlement_service.feed(
        person_registered(), filing_created(), filing_cancelled(on=date(2025, 9, 1))
    )
    assert await filed_on(settlement_service, "2025-08-20")
    assert await filed_on(settlement_service, "2025-08-31")
    assert not await filed_on(settlement_service, "2025-09-01")  # as filing decides


async def test_a_cancellation_that_overtakes_its_filing_still_ends_it(settlement_service):
    await settlement_service.feed(
        person_registered(), filing_cancelled(on=date(2025, 9, 1)), filing_created()
    )
    assert await filed_on(settlement_service, "2025-06-15")
    assert not await filed_on(settlement_service, "2025-10-01")


async def test_an_older_filing_change_redelivered_late_does_not_undo_a_newer_one(
    settlement_service,
):
    shortened = FilingChanged(**{**filing_created().model_dump(), "end_date": date(2025, 6, 30)})
    older, newer = record(filing_created()), record(shortened)
    await settlement_service.feed(person_registered(), newer, older)

    assert not await filed_on(settlement_service, "2025-07-01")


async def test_another_filing_in_force_keeps_the_person_filed_after_one_is_cancelled(
    settlement_service,
):
    await settlement_service.feed(
        person_registered(),
        filing_created("F1"),
        filing_created(
            "F2",
            filing_class="long_term",
            subtype="long_term_resident",
            destination_region="130100",
            end_date=None,
        ),
        filing_cancelled("F1"),
    )
    response = await status(settlement_service, on="2025-10-01")
    assert response.json()["filed"] is True
    assert [f["filing_id"] for f in response.json()["filings"]] == ["F2"]


async def test_the_same_record_processed_twice_leaves_one_filing_row(settlement_service):
    created = record(filing_created())
    await settlement_service.feed(person_registered(), created, created)

    assert await settlement_service.count(known_filings) == 1
    assert await settlement_service.count(INBOX, INBOX.c.consumer == "settlement.read-model") == 2
    assert await filed_on(settlement_service, "2025-06-15")


async def test_a_redelivered_filing_created_does_not_revive_a_cancelled_filing(
    settlement_service,
):
    created = record(filing_created())
    await settlement_service.feed(person_registered(), created, filing_cancelled(), created)

    assert await settlement_service.count(known_filings) == 1
    assert not await filed_on(settlement_service, "2025-10-01")


async def test_filings_that_arrive_before_the_person_count_once_the_person_is_known(
    settlement_service,
):
    # Persons and filings travel on different topics, so their order is not guaranteed.
    await settlement_service.feed(filing_created())
    assert (await status(settlement_service, on="2025-06-15")).status_code == 404

    await settlement_service.feed(person_registered())
    assert await filed_on(settlement_service, "2025-06-15")


async def test_a_filing_change_moves_its_end(settlement_service):
    await settlement_service.feed(person_registered(), filing_created())
    changed = FilingChanged(**{**filing_created().model_dump(), "end_date": date(2025, 6, 30)})
    await settlement_service.feed(changed)

    assert await filed_on(settlement_service, "2025-06-30")
    assert not await filed_on(settlement_service, "2025-07-01")
    assert await settlement_service.count(known_filings) == 1


async def test_a_person_change_updates_the_insured_region(settlement_service):
    await settlement_service.feed(person_registered())
    await settlement_service.feed(
        PersonChanged(
            **{
                **person_registered().model_dump(),
                "insured_region": BEIJING,
                "changed_fields": ["insured_region"],
            }
        )
    )
    response = await status(settlement_service, on="2025-06-15")
    assert response.json()["insured_region"] == BEIJING
    assert await settlement_service.count(known_persons) == 1


async def test_a_known_person_without_filings_is_not_filed(settlement_service):
    await settlement_service.feed(person_registered())
    response = await status(settlement_service, on="2025-06-15")
    assert response.status_code == 200
    assert response.json()["filed"] is False
    assert response.json()["filings"] == []


async def test_an_unknown_person_is_404_person_unknown(settlement_service):
    await settlement_service.feed(person_registered())
    response = await status(settlement_service, "P0404", on="2025-06-15")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "person_unknown"
    assert response.json()["field"] == "psn_no"


async def test_an_insured_person_sees_their_own_status_only(settlement_service):
    await settlement_service.feed(
        person_registered(),
        filing_created(),
        person_registered("P0002"),
        filing_created("F2", psn_no="P0002"),
    )
    insured = bearer("insured", psn_no="P0001")

    own = await status(settlement_service, "P0001", "2025-06-15", headers=insured)
    other = await status(settlement_service, "P0002", "2025-06-15", headers=insured)

    assert own.status_code == 200
    assert own.json()["filed"] is True
    assert other.status_code == 403
    assert other.json()["code"] == "not_own_record"
    assert "F2" not in other.text


async def test_an_event_off_the_schema_is_parked_and_writes_nothing(settlement_service):
    broken = record(
        filing_created(),
        value=b'{"event_id": "8f1e6c3c-5b7a-4c1e-9a53-3f0c1d2e4b5a", "event_type": '
        b'"FilingCreated", "version": 1, "occurred_at": "2025-03-01T08:00:00+08:00", '
        b'"producer": "filing", "correlation_id": "c1", "payload": {"filing_id": "F9"}}',
    )
    await settlement_service.feed(person_registered(), broken)

    assert await settlement_service.count(known_filings) == 0
    assert (
        await settlement_service.count(
            DEAD_LETTER, DEAD_LETTER.c.event_id == "8f1e6c3c-5b7a-4c1e-9a53-3f0c1d2e4b5a"
        )
        == 1
    )
