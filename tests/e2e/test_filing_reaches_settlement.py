"""Foundation flow: filing → outbox → relay → broker → settlement inbox → settlement API."""

from __future__ import annotations

import signal
from datetime import timedelta

from filing.adapters.tables import persons
from medins_common import timeutil
from medins_common.messaging_tables import OUTBOX

from .conftest import CLERK, HOSPITAL, count, eventually, log_text, new_person, scalar

START = timeutil.today() + timedelta(days=30)  # filings start today or later (D-F7)
FILING = {
    "subtype": "retiree_resettled",
    "destination_region": "110000",
    "start_date": START.isoformat(),
    "channel": "district_window",
    "materials": ["commitment_letter"],
}
COVERED_DAY = (START + timedelta(days=150)).isoformat()


async def filing_status(http, psn_no: str, on: str = COVERED_DAY):
    return await http["settlement"].get(
        f"/v1/persons/{psn_no}/filing-status", params={"on": on}, headers=HOSPITAL
    )


async def test_a_person_and_filing_reach_the_settlement_read_model(stack, http):
    person = new_person()
    created = await http["filing"].post(
        "/v1/persons", json=person, headers={**CLERK, "X-Correlation-ID": "e2e-flow-1"}
    )
    assert created.status_code == 201, created.text
    assert created.json()["id_no_masked"] == person["id_no"][:6] + "*" * 8 + person["id_no"][-4:]
    filed = await http["filing"].post(
        "/v1/filings", json={"psn_no": person["psn_no"], **FILING}, headers=CLERK
    )
    assert filed.status_code == 201, filed.text

    async def settlement_sees_the_filing():
        answer = await filing_status(http, person["psn_no"])
        return answer.status_code == 200 and answer.json()["filed"] and answer.json()

    status = await eventually(settlement_sees_the_filing)
    assert status["filings"][0]["filing_id"] == filed.json()["filing_id"]
    before_start = await filing_status(
        http, person["psn_no"], on=(START - timedelta(days=1)).isoformat()
    )
    assert before_start.json()["filed"] is False

    # The correlation id travelled from the HTTP request, through the event, into the consumer.
    consumer_log = log_text(stack, "settlement", "consumers")
    assert '"correlation_id": "e2e-flow-1"' in consumer_log
    # The national ID number appears in no log of any process.
    for service in ("filing", "settlement"):
        for role in ("api", "relay", "consumers"):
            assert person["id_no"] not in log_text(stack, service, role)


async def test_a_relay_killed_after_the_commit_delivers_once_restarted(stack, http):
    relay = stack.processes[("filing", "relay")]
    relay.send_signal(signal.SIGSTOP)  # frozen: it cannot publish what is committed next
    person = new_person()
    try:
        created = await http["filing"].post("/v1/persons", json=person, headers=CLERK)
        assert created.status_code == 201
        unpublished = count(OUTBOX).where(
            OUTBOX.c.published_at.is_(None), OUTBOX.c.message_key == person["psn_no"]
        )
        assert await scalar(stack, "filing", unpublished) == 1
    finally:
        stack.stop_process("filing", "relay", sig=signal.SIGKILL)
    assert (await filing_status(http, person["psn_no"])).status_code == 404

    stack.start_process("filing", "relay")

    async def settlement_knows_the_person():
        return (await filing_status(http, person["psn_no"])).status_code == 200

    await eventually(settlement_knows_the_person)
    assert await scalar(stack, "filing", unpublished) == 0


async def test_a_consumer_killed_mid_stream_applies_everything_once_restarted(stack, http):
    stack.stop_process("settlement", "consumers", sig=signal.SIGKILL)
    people = [new_person() for _ in range(5)]
    for person in people:
        assert (
            await http["filing"].post("/v1/persons", json=person, headers=CLERK)
        ).status_code == 201
        filed = await http["filing"].post(
            "/v1/filings", json={"psn_no": person["psn_no"], **FILING}, headers=CLERK
        )
        assert filed.status_code == 201
    stack.start_process("settlement", "consumers")

    async def all_filed():
        answers = [await filing_status(http, p["psn_no"]) for p in people]
        return all(a.status_code == 200 and a.json()["filed"] for a in answers)

    await eventually(all_filed)
    for person in people:
        assert len((await filing_status(http, person["psn_no"])).json()["filings"]) == 1


async def test_bad_requests_get_problems_and_write_nothing(stack, http):
    before = await scalar(stack, "filing", count(persons))
    outbox_before = await scalar(stack, "filing", count(OUTBOX))
    bad_body = await http["filing"].post(
        "/v1/persons", json={"psn_no": "1", "name": ""}, headers=CLERK
    )
    assert bad_body.status_code == 422
    assert bad_body.headers["content-type"] == "application/problem+json"
    assert bad_body.json()["code"] == "validation_error"
    assert bad_body.json()["field"] == "name"
    bad_token = await http["filing"].post(
        "/v1/persons", json=new_person(), headers={"Authorization": "Bearer not-a-jwt"}
    )
    assert bad_token.status_code == 401
    assert bad_token.json()["code"] == "invalid_token"
    assert await scalar(stack, "filing", count(persons)) == before
    assert await scalar(stack, "filing", count(OUTBOX)) == outbox_before
