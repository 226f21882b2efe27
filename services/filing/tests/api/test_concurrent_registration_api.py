"""Two registrations racing for the same person: one wins, the other gets the 409 (D-P4).

On PostgreSQL both requests pass the duplicate check before either commits; the loser's
insert then hits the unique key, and must be answered 409 like a late duplicate, not 500.
"""

from __future__ import annotations

import asyncio

from .conftest import CLERK, filing_body, id_number, person_body


async def post_together(filing_service, *bodies):
    return await asyncio.gather(
        *(filing_service.client.post("/v1/persons", json=body, headers=CLERK) for body in bodies)
    )


async def test_racing_registrations_of_one_psn_no_give_one_person_and_one_409(filing_service):
    responses = await post_together(
        filing_service,
        person_body("P0001", id_no=id_number("12010119800101120")),
        person_body("P0001", id_no=id_number("12010119800101121")),
    )

    assert sorted(r.status_code for r in responses) == [201, 409]
    [refused] = [r for r in responses if r.status_code == 409]
    assert refused.json()["code"] == "person_exists"
    assert await filing_service.counts() == (1, 0, 1)


async def test_racing_registrations_of_one_id_number_give_one_person_and_one_409(
    filing_service,
):
    responses = await post_together(filing_service, person_body("P0001"), person_body("P0002"))

    assert sorted(r.status_code for r in responses) == [201, 409]
    [refused] = [r for r in responses if r.status_code == 409]
    assert refused.json()["code"] == "id_number_registered"
    assert await filing_service.counts() == (1, 0, 1)


async def test_racing_identical_filings_give_one_filing_and_one_409(filing_service):
    """The person's row is locked while a filing is checked against the others, so on
    PostgreSQL the second filing sees the first instead of slipping past the overlap rule."""
    await filing_service.register()
    responses = await asyncio.gather(
        *(
            filing_service.client.post("/v1/filings", json=filing_body(), headers=CLERK)
            for _ in range(2)
        )
    )
    assert sorted(r.status_code for r in responses) == [201, 409]
    [refused] = [r for r in responses if r.status_code == 409]
    assert refused.json()["code"] == "filing_overlaps"
    assert await filing_service.counts() == (1, 1, 2)
