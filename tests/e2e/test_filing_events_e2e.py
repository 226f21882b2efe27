"""A filing's change and its cancellation reach settlement's read model through the real stack:
filing API → outbox → relay → broker → settlement inbox → settlement API (Art. 13, D-F6)."""

from __future__ import annotations

from datetime import timedelta

from medins_common import timeutil

from .conftest import CLERK, HOSPITAL, eventually, new_person

START = timeutil.today() + timedelta(days=10)


def on(days_after_start: int) -> str:
    return (START + timedelta(days=days_after_start)).isoformat()


async def settlement_view(http, psn_no: str, day: str) -> dict | None:
    answer = await http["settlement"].get(
        f"/v1/persons/{psn_no}/filing-status", params={"on": day}, headers=HOSPITAL
    )
    return answer.json() if answer.status_code == 200 else None


async def test_a_filing_change_and_its_cancellation_reach_the_settlement_read_model(stack, http):
    person = new_person()
    psn_no = person["psn_no"]
    assert (await http["filing"].post("/v1/persons", json=person, headers=CLERK)).status_code == 201
    filed = await http["filing"].post(
        "/v1/filings",
        json={
            "psn_no": psn_no,
            "subtype": "long_term_resident",
            "destination_region": "110000",
            "start_date": START.isoformat(),
            "channel": "district_window",
            "materials": ["residence_proof"],
        },
        headers=CLERK,
    )
    assert filed.status_code == 201, filed.text
    filing_id = filed.json()["filing_id"]

    async def filed_open_ended():
        view = await settlement_view(http, psn_no, on(400))
        return view and view["filed"]

    await eventually(filed_open_ended)

    # Change: the person now ends the stay after 60 days, in Shanghai instead.
    changed = await http["filing"].patch(
        f"/v1/filings/{filing_id}",
        json={"end_date": on(60), "destination_region": "310000", "reason": "moved"},
        headers=CLERK,
    )
    assert changed.status_code == 200, changed.text

    async def settlement_sees_the_change():
        view = await settlement_view(http, psn_no, on(30))
        if not (view and view["filings"]):
            return None
        [filing] = view["filings"]
        return filing["end_date"] == on(60) and filing["destination_region"] == "310000" and view

    await eventually(settlement_sees_the_change)
    after_the_end = await settlement_view(http, psn_no, on(61))
    assert after_the_end["filed"] is False

    # Cancellation: settlement no longer counts the filing.
    cancelled = await http["filing"].post(
        f"/v1/filings/{filing_id}/cancel", json={"reason": "stays home"}, headers=CLERK
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["cancelled_on"] == timeutil.today().isoformat()

    async def settlement_sees_the_cancellation():
        view = await settlement_view(http, psn_no, on(30))
        return view and view["filed"] is False

    await eventually(settlement_sees_the_cancellation)

    # Filing itself keeps every version.
    history = await http["filing"].get(f"/v1/filings/{filing_id}/history", headers=CLERK)
    assert [v["action"] for v in history.json()] == ["created", "changed", "cancelled"]
