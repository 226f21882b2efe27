"""Baseline A of the settlement benchmark: the same request body model, validated and echoed
by a bare FastAPI endpoint (no token, no database)."""

from fastapi import FastAPI

from settlement.entrypoints.api.settlement_schemas import SettlementIn

app = FastAPI()


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/echo")
async def echo(body: SettlementIn) -> SettlementIn:
    return body
