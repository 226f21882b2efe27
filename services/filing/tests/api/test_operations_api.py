"""Liveness, readiness, metrics and the published OpenAPI (convention 8)."""

from __future__ import annotations

from medins_common.db import create_engine

from .conftest import CLERK, assert_problem


async def test_healthz_answers_ok(filing_service):
    response = await filing_service.client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_answers_ready_when_the_database_answers(filing_service):
    response = await filing_service.client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


async def test_readyz_is_503_not_ready_when_the_database_does_not_answer(filing_service, tmp_path):
    runtime = filing_service.runtime
    working = runtime.engine
    runtime.engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/missing/dir/filing.db")
    try:
        response = await filing_service.client.get("/readyz")
    finally:
        await runtime.engine.dispose()
        runtime.engine = working
    assert_problem(response, 503, "not_ready")


async def test_metrics_count_http_requests(filing_service):
    await filing_service.client.get("/healthz")
    response = await filing_service.client.get("/metrics")
    assert response.status_code == 200
    assert "http_requests_total" in response.text
    assert 'service="filing"' in response.text


async def test_the_openapi_document_lists_the_filing_routes(filing_service):
    response = await filing_service.client.get("/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/v1/persons" in paths
    assert "/v1/filings" in paths
    assert "/v1/filings/{filing_id}" in paths


async def test_an_unknown_route_is_a_problem_404(filing_service):
    response = await filing_service.client.get("/v1/nothing-here", headers=CLERK)
    assert_problem(response, 404, "not_found")


async def test_every_response_carries_a_correlation_id(filing_service):
    response = await filing_service.client.get("/healthz", headers={"x-correlation-id": "abc-1"})
    assert response.headers["x-correlation-id"] == "abc-1"
