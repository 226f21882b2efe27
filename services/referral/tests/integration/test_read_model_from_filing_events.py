"""Filing's events, through the inbox, into the read model the referral rules look at; and
settlement's bills, which mark a referral used. At least once, effects exactly once."""

from __future__ import annotations

from sqlalchemy import select

from medins_common.events.schemas import FilingChanged, PersonChanged
from medins_common.messaging_tables import DEAD_LETTER, INBOX
from referral.adapters.tables import (
    known_filings,
    known_institutions,
    known_persons,
    referral_uses,
)

from ..conftest import (
    BAODING_L3,
    BEIJING_L3,
    HEBEI_RESIDENT,
    SHIJIAZHUANG_L3,
    TIANJIN_L3,
    assert_problem,
    bill_reversed,
    bill_settled,
    day,
    hospital,
    institution_upserted,
    long_term_filing,
    person_registered,
    record,
    referral_body,
)


async def rows(service, table):
    async with service.runtime.engine.connect() as conn:
        return [dict(row) for row in (await conn.execute(select(table))).mappings()]


async def test_institutions_persons_and_filings_land_in_the_read_model(world):
    institutions = {row["code"]: row for row in await rows(world, known_institutions)}
    assert institutions[BEIJING_L3[0]] | {"updated_at": None} == {
        "code": BEIJING_L3[0],
        "name": BEIJING_L3[1],
        "region": "110105",
        "kind": "hospital",
        "level": 3,
        "designated": True,
        "consortium_id": "CY-1",
        "jjj_mutual_recognition": False,
        "updated_at": None,
    }
    persons = {row["psn_no"]: row for row in await rows(world, known_persons)}
    assert (persons["P0001"]["name"], persons["P0001"]["insured_region"]) == ("张三", "120000")
    [filing] = await rows(world, known_filings)
    assert (filing["psn_no"], filing["filing_class"], filing["destination_region"]) == (
        HEBEI_RESIDENT,
        "long_term",
        "130100",
    )


async def test_the_same_record_twice_is_applied_once(referral_service):
    registered = record(person_registered())
    await referral_service.feed(registered, registered)
    assert await referral_service.count(known_persons) == 1
    assert await referral_service.count(INBOX, INBOX.c.consumer == "referral.read-model") == 1


async def test_an_institution_upsert_replaces_what_was_known(world):
    await world.feed(institution_upserted(BEIJING_L3, level=2, consortium_id=None))
    [row] = [r for r in await rows(world, known_institutions) if r["code"] == BEIJING_L3[0]]
    assert (row["level"], row["consortium_id"]) == (2, None)
    assert await world.count(known_institutions) == 11


async def test_a_referral_waits_for_the_person_to_be_known(referral_service):
    await referral_service.feed(institution_upserted(TIANJIN_L3), institution_upserted(BEIJING_L3))
    assert_problem(await referral_service.create(), 404, "person_unknown")
    await referral_service.feed(person_registered())
    assert (await referral_service.create()).status_code == 201


async def test_a_person_changed_to_deceased_is_no_longer_referred(world):
    await world.feed(
        PersonChanged(
            **{**person_registered().model_dump(), "status": "deceased"}, changed_fields=["status"]
        )
    )
    assert_problem(await world.create(), 422, "person_not_active")


async def test_a_filing_change_that_ends_it_early_refuses_the_long_term_path(world):
    changed = FilingChanged(**{**long_term_filing().model_dump(), "end_date": day(10)})
    await world.feed(changed)
    body = referral_body(HEBEI_RESIDENT, target=BAODING_L3, path="long_term_in_province")
    assert_problem(await world.create(body, hospital(SHIJIAZHUANG_L3)), 422, "no_long_term_filing")


async def test_an_event_off_the_schema_is_parked_and_writes_nothing(referral_service):
    broken = record(
        person_registered(),
        value=b'{"event_id": "8f1e6c3c-5b7a-4c1e-9a53-3f0c1d2e4b5a", "event_type": '
        b'"InstitutionUpserted", "version": 1, "occurred_at": "2026-03-01T08:00:00+08:00", '
        b'"producer": "filing", "correlation_id": "c1", "payload": {"code": "H9"}}',
    )
    await referral_service.feed(broken)
    assert await referral_service.count(known_institutions) == 0
    assert await referral_service.count(DEAD_LETTER) == 1


async def test_a_settled_bill_under_the_referral_is_recorded_once_and_a_reversal_removes_it(
    world,
):
    issued = await world.issue()
    settled = record(bill_settled(issued))
    await world.feed(settled, settled)

    [use] = await rows(world, referral_uses)
    assert (use["referral_id"], use["bill_id"], use["institution_code"]) == (
        issued["referral_id"],
        "B1",
        BEIJING_L3[0],
    )
    await world.feed(bill_reversed(bill_settled(issued)))
    assert await world.count(referral_uses) == 0


async def test_a_bill_outside_the_validity_does_not_use_the_referral(world):
    issued = await world.issue()
    late = bill_settled(issued)
    await world.feed(bill_settled(issued, settled_at=late.settled_at.replace(year=2099)))
    assert await world.count(referral_uses) == 0
