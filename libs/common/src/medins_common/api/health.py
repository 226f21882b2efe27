"""/healthz (the process answers), /readyz (its database answers), /metrics (Prometheus)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from medins_common.api.errors import problem_response
from medins_common.db import ping

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: the database answers", response_model=None)
async def readyz(request: Request) -> Response | dict[str, str]:
    try:
        await ping(request.app.state.runtime.engine)
    except Exception as exc:
        return problem_response(503, "not_ready", f"database unavailable: {type(exc).__name__}")
    return {"status": "ready"}


@router.get("/metrics", summary="Prometheus metrics")
async def prometheus_metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
