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


def _resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if schema.get("type") == "array":
        return _resolve(document, schema["items"])
    any_of = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    return _resolve(document, any_of[0]) if len(any_of) == 1 else schema


def _has_example(document: dict, content: dict) -> bool:
    return any(
        "example" in media
        or "examples" in media
        or "examples" in _resolve(document, media["schema"])
        for media in content.values()
    )


async def test_every_business_endpoint_has_a_summary_and_examples(filing_service):
    document = (await filing_service.client.get("/openapi.json")).json()
    missing = []
    for path, operations in document["paths"].items():
        if not path.startswith("/v1/"):
            continue
        for method, operation in operations.items():
            name = f"{method.upper()} {path}"
            if not operation.get("summary"):
                missing.append(f"{name}: summary")
            body = operation.get("requestBody")
            if body and not _has_example(document, body["content"]):
                missing.append(f"{name}: request example")
            answer = next(r for code, r in operation["responses"].items() if code.startswith("2"))
            if not _has_example(document, answer.get("content", {})):
                missing.append(f"{name}: response example")
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if not (
                    "example" in parameter
                    or "examples" in parameter
                    or "examples" in schema
                    or "examples" in _resolve(document, schema)
                    or "enum" in _resolve(document, schema)
                    or parameter["in"] in ("path", "header")
                ):
                    missing.append(f"{name}: example of {parameter['name']}")
    assert missing == []


async def test_the_openapi_document_lists_every_filing_route(filing_service):
    paths = (await filing_service.client.get("/openapi.json")).json()["paths"]
    assert {
        "/v1/persons/import",
        "/v1/persons/{psn_no}/history",
        "/v1/filings/{filing_id}/cancel",
        "/v1/filings/{filing_id}/history",
        "/v1/eligibility",
        "/v1/chronic-registrations",
        "/v1/chronic-registrations/{registration_id}",
        "/v1/institutions",
        "/v1/institutions/import",
        "/v1/regions",
    } <= set(paths)


async def test_the_imports_document_both_json_and_csv_bodies(filing_service):
    paths = (await filing_service.client.get("/openapi.json")).json()["paths"]
    for path in ("/v1/persons/import", "/v1/institutions/import"):
        content = paths[path]["post"]["requestBody"]["content"]
        assert set(content) == {"application/json", "text/csv"}
        assert content["text/csv"]["example"].startswith(("psn_no,", "code,"))


async def test_d_f4_the_regions_are_public_and_say_which_are_destinations(filing_service):
    every = (await filing_service.client.get("/v1/regions")).json()
    places = (
        await filing_service.client.get("/v1/regions", params={"destinations_only": True})
    ).json()
    by_code = {region["code"]: region for region in every}
    assert by_code["130000"]["is_destination"] is False
    assert by_code["130100"] == {
        "code": "130100",
        "name": "石家庄市",
        "level": "prefecture",
        "is_destination": True,
    }
    assert {r["code"] for r in places} >= {"110000", "460000", "540000", "660000", "130100"}
    assert not {"130000", "460100", "540100"} & {r["code"] for r in places}
    assert len(every) == 370
