"""Referral statistics for the agreement assessment (D-R6, Art. 21): JSON and CSV, admin only."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import update

from devstack.testing import bearer
from medins_common.timeutil import now, period_of
from referral.adapters.tables import referral_steps

from ..conftest import (
    ADMIN,
    BEIJING_L2,
    BEIJING_L3,
    SHANGHAI_L3,
    TIANJIN_L3,
    TIANJIN_L3_QUIET,
    assert_problem,
    person_registered,
    referral_body,
)

THIS_MONTH = period_of(now())
LAST_MONTH_END = now().replace(day=1, hour=23, minute=0) - timedelta(days=1)


async def issue_several(world) -> list[dict]:
    """Three referrals of TIANJIN_L3 (one revoked) and a withdrawn draft."""
    await world.feed(*(person_registered(f"P01{i}") for i in range(3)))
    issued = [
        await world.issue(referral_body("P010", target=BEIJING_L3, diagnosis_code="C34.1")),
        await world.issue(referral_body("P011", target=BEIJING_L2, diagnosis_code="C50.9")),
        await world.issue(referral_body("P012", target=SHANGHAI_L3, diagnosis_code="I21.0")),
    ]
    await world.revoke(issued[0]["referral_id"])
    draft = (await world.create(referral_body("P0001"))).json()
    await world.revoke(draft["referral_id"])
    return issued


async def statistics(world, headers=ADMIN, **params):
    return await world.client.get("/v1/statistics/referrals", params=params, headers=headers)


async def test_d_r6_issued_revoked_target_regions_and_chapters_per_hospital_this_month(world):
    await issue_several(world)

    response = await statistics(world)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from"], body["to"]) == (THIS_MONTH, THIS_MONTH)
    rows = {row["institution_code"]: row for row in body["rows"]}
    assert set(rows) == {TIANJIN_L3[0], TIANJIN_L3_QUIET[0]}  # every Tianjin tertiary hospital
    busy = rows[TIANJIN_L3[0]]
    assert busy == {
        "institution_code": TIANJIN_L3[0],
        "institution_name": TIANJIN_L3[1],
        "month": THIS_MONTH,
        "issued": 3,
        "revoked": 1,
        "by_target_region": {"110105": 1, "110108": 1, "310101": 1},
        "by_icd10_chapter": {"II": 2, "IX": 1},
    }
    quiet = rows[TIANJIN_L3_QUIET[0]]
    assert (quiet["issued"], quiet["revoked"], quiet["by_target_region"]) == (0, 0, {})


async def test_d_r6_a_referral_counts_in_the_month_it_was_uploaded(world):
    issued = await issue_several(world)
    await world.execute(
        update(referral_steps)
        .where(
            referral_steps.c.referral_id == issued[2]["referral_id"],
            referral_steps.c.kind == "upload",
        )
        .values(at=LAST_MONTH_END)
    )
    previous = period_of(LAST_MONTH_END)

    body = (
        await statistics(
            world, **{"from": previous, "to": THIS_MONTH, "institution_code": TIANJIN_L3[0]}
        )
    ).json()

    assert [(r["month"], r["issued"]) for r in body["rows"]] == [(previous, 1), (THIS_MONTH, 2)]
    assert body["rows"][0]["by_icd10_chapter"] == {"IX": 1}


async def test_d_r6_statistics_as_csv_by_query_or_by_accept_header(world):
    await issue_several(world)
    by_query = await statistics(world, format="csv", institution_code=TIANJIN_L3[0])
    by_accept = await statistics(
        world, headers={**ADMIN, "Accept": "text/csv"}, institution_code=TIANJIN_L3[0]
    )

    for response in (by_query, by_accept):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert lines[0] == [
            "institution_code",
            "institution_name",
            "month",
            "measure",
            "key",
            "count",
        ]
        head = [TIANJIN_L3[0], TIANJIN_L3[1], THIS_MONTH]
        assert lines[1:] == [
            [*head, "issued", "", "3"],
            [*head, "revoked", "", "1"],
            [*head, "target_region", "110105", "1"],
            [*head, "target_region", "110108", "1"],
            [*head, "target_region", "310101", "1"],
            [*head, "icd10_chapter", "II", "2"],
            [*head, "icd10_chapter", "IX", "1"],
        ]
    assert by_query.content.startswith("\ufeff".encode())


async def test_an_auditor_may_read_the_statistics(world):
    assert (await statistics(world, bearer("auditor"))).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [bearer("clerk", region="120000"), bearer("hospital", institution_code=TIANJIN_L3[0])],
    ids=["clerk", "hospital"],
)
async def test_others_may_not(world, headers):
    assert_problem(await statistics(world, headers), 403, "forbidden_role")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-3"}, "from"),
        ({"from": "2026-04", "to": "2026-03"}, "to"),
        ({"from": "2024-01", "to": "2026-01"}, "to"),
    ],
)
async def test_a_bad_period_is_422_naming_the_field(world, params, field):
    assert_problem(await statistics(world, **params), 422, "invalid_period", field=field)
