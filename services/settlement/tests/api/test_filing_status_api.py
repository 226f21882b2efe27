"""GET /v1/persons/{psn_no}/filing-status: who may ask, and what a bad question gets (D-F1)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from devstack.testing import bearer
from medins_common.timeutil import today

from .conftest import TIANJIN, assert_problem

URL = "/v1/persons/P0001/filing-status"


@pytest.fixture
async def known(settlement_app):
    await settlement_app.know_person("P0001")
    await settlement_app.know_filing("F1", "P0001", start=date(2025, 3, 1))
    return settlement_app


@pytest.mark.parametrize(
    "headers",
    [
        bearer("hospital", institution_code="H1"),
        bearer("clerk", region=TIANJIN),
        bearer("admin"),
        bearer("auditor"),
        bearer("insured", psn_no="P0001"),
    ],
)
async def test_hospitals_staff_and_the_person_themself_may_ask(known, headers):
    response = await known.client.get(URL, params={"on": "2025-06-01"}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["filed"] is True
    assert response.json()["psn_no"] == "P0001"


async def test_an_insured_person_may_not_ask_about_someone_else(known):
    await known.know_person("P0002")
    response = await known.client.get(
        "/v1/persons/P0002/filing-status",
        params={"on": "2025-06-01"},
        headers=bearer("insured", psn_no="P0001"),
    )
    assert_problem(response, 403, "not_own_record", field="psn_no")


async def test_an_insured_person_asking_about_an_unknown_person_is_still_403(known):
    # No probing for who exists: the ownership check comes before the lookup.
    response = await known.client.get(
        "/v1/persons/P0404/filing-status", headers=bearer("insured", psn_no="P0001")
    )
    assert_problem(response, 403, "not_own_record")


async def test_without_a_token_it_is_401_unauthenticated(known):
    response = await known.client.get(URL, params={"on": "2025-06-01"})
    assert_problem(response, 401, "unauthenticated")


async def test_a_garbage_token_is_401_invalid_token(known):
    response = await known.client.get(URL, headers={"Authorization": "Bearer not-a-jwt"})
    assert_problem(response, 401, "invalid_token")


async def test_an_unknown_person_is_404_person_unknown(known):
    response = await known.client.get("/v1/persons/P0404/filing-status", headers=bearer("admin"))
    assert_problem(response, 404, "person_unknown", field="psn_no")


@pytest.mark.parametrize("on", ["2025-02-30", "tomorrow", "20250601"])
async def test_a_bad_day_is_422_naming_the_on_parameter(known, on):
    response = await known.client.get(URL, params={"on": on}, headers=bearer("admin"))
    assert_problem(response, 422, "validation_error", field="on")


async def test_without_a_day_it_answers_for_today_in_shanghai(settlement_app):
    day = today()
    await settlement_app.know_person("P0001")
    await settlement_app.know_filing(
        "F1", "P0001", start=day - timedelta(days=1), end=day + timedelta(days=1)
    )
    await settlement_app.know_filing("F2", "P0001", start=day + timedelta(days=3))

    response = await settlement_app.client.get(URL, headers=bearer("admin"))

    assert response.status_code == 200, response.text
    assert response.json()["on"] in {day.isoformat(), today().isoformat()}  # midnight-proof
    assert response.json()["filed"] is True
    assert [f["filing_id"] for f in response.json()["filings"]] == ["F1"]


async def test_a_cancelled_filing_does_not_count_after_its_cancellation_day(settlement_app):
    await settlement_app.know_person("P0001")
    await settlement_app.know_filing(
        "F1", "P0001", start=date(2025, 3, 1), cancelled_on=date(2025, 5, 31)
    )
    after = await settlement_app.client.get(
        URL, params={"on": "2025-06-01"}, headers=bearer("admin")
    )
    before = await settlement_app.client.get(
        URL, params={"on": "2025-05-30"}, headers=bearer("admin")
    )
    assert after.json()["filed"] is False
    assert after.json()["filings"] == []
    assert before.json()["filed"] is True


async def test_healthz_readyz_and_metrics_answer(settlement_app):
    health = await settlement_app.client.get("/healthz")
    ready = await settlement_app.client.get("/readyz")
    metrics = await settlement_app.client.get("/metrics")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
    assert metrics.status_code == 200
    assert "http_requests_total" in metrics.text
    assert 'service="settlement"' in metrics.text


async def test_the_openapi_document_lists_the_filing_status_route(settlement_app):
    response = await settlement_app.client.get("/openapi.json")
    assert response.status_code == 200
    assert "/v1/persons/{psn_no}/filing-status" in response.json()["paths"]
