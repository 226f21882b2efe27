"""Liveness, readiness, metrics and the published OpenAPI (convention 8)."""

from __future__ import annotations

from ..conftest import ADMIN, assert_problem


async def test_healthz_and_readyz_answer(referral_service):
    assert (await referral_service.client.get("/healthz")).json() == {"status": "ok"}
    assert (await referral_service.client.get("/readyz")).json() == {"status": "ready"}


async def test_metrics_count_http_requests(referral_service):
    await referral_service.client.get("/healthz")
    response = await referral_service.client.get("/metrics")
    assert 'service="referral"' in response.text


async def test_every_business_endpoint_is_published_with_a_summary(referral_service):
    paths = (await referral_service.client.get("/openapi.json")).json()["paths"]
    business = {
        ("post", "/v1/referrals"),
        ("get", "/v1/referrals"),
        ("get", "/v1/referrals/{referral_id}"),
        ("post", "/v1/referrals/{referral_id}/approval"),
        ("post", "/v1/referrals/{referral_id}/upload"),
        ("post", "/v1/referrals/{referral_id}/revocation"),
        ("get", "/v1/referrals/{referral_id}/print"),
        ("get", "/v1/referrals/verify/{code}"),
        ("get", "/v1/statistics/referrals"),
    }
    published = {
        (method, path): operation
        for path, operations in paths.items()
        for method, operation in operations.items()
        if path.startswith("/v1/")
    }
    assert set(published) == business
    assert all(operation.get("summary") for operation in published.values())


async def test_an_unknown_route_is_a_problem_404(referral_service):
    assert_problem(
        await referral_service.client.get("/v1/nothing", headers=ADMIN), 404, "not_found"
    )
