"""Idempotency-Key: same answer for the same body, 422 for another, 409 while running."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import insert

from devstack.testing import bearer
from medins_common.api.idempotency import IdempotencyDep, IdempotentCall, idempotent_call
from medins_common.auth import Role
from medins_common.errors import RuleViolation
from medins_common.service import ServiceDefinition, create_app
from medins_common.settings import ServiceSettings
from medins_common.unit_of_work import UnitOfWork

from .conftest import effects

router = APIRouter()
release_slow = asyncio.Event()


class NoteIn(BaseModel):
    text: str


class NoteOut(BaseModel):
    id: int
    text: str


@router.post("/notes", status_code=201)
async def create_note(body: NoteIn, idempotency: IdempotencyDep) -> JSONResponse:
    return await idempotency.run(body=body, operation=_note_writer(body))


# The same, with the caller's role and the key solved as one dependency (a hot POST's way).
AdminCall = Annotated[IdempotentCall, Depends(idempotent_call(Role.ADMIN))]


@router.post("/admin-notes", status_code=201)
async def create_admin_note(body: NoteIn, call: AdminCall) -> JSONResponse:
    assert call.principal.role is Role.ADMIN
    return await call.idempotency.run(body=body, operation=_note_writer(body))


def _note_writer(body: NoteIn) -> Callable[[UnitOfWork], Awaitable[NoteOut]]:
    async def write(uow: UnitOfWork) -> NoteOut:
        async with uow:
            if body.text == "refused":
                raise RuleViolation("refused on purpose", code="refused")
            new_id = await uow.session.scalar(
                insert(effects).values(ping_id=body.text).returning(effects.c.id)
            )
            if body.text == "slow":
                await release_slow.wait()
            await uow.commit()
        return NoteOut(id=new_id, text=body.text)

    return write


SCRATCH = ServiceDefinition(
    name="scratch",
    title="scratch",
    description="",
    settings_factory=ServiceSettings,
    migrations_dir=Path("."),
    routers=(router,),
)
ADMIN = bearer("admin")


@asynccontextmanager
async def client_for(scratch):
    app = create_app(SCRATCH, ServiceSettings(database_url=str(scratch.engine.url)))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client


def with_key(key: str) -> dict[str, str]:
    return {**ADMIN, "Idempotency-Key": key}


async def test_the_same_key_and_body_get_the_first_answer_and_write_once(scratch):
    async with client_for(scratch) as client:
        first = await client.post("/notes", json={"text": "a"}, headers=with_key("k1"))
        again = await client.post("/notes", json={"text": "a"}, headers=with_key("k1"))
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await scratch.count(effects) == 1


async def test_the_same_key_with_another_body_is_refused(scratch):
    async with client_for(scratch) as client:
        await client.post("/notes", json={"text": "a"}, headers=with_key("k2"))
        other = await client.post("/notes", json={"text": "b"}, headers=with_key("k2"))
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert other.json()["field"] == "Idempotency-Key"
    assert await scratch.count(effects) == 1


async def test_a_retry_while_the_first_is_running_gets_409_then_the_answer(scratch):
    release_slow.clear()
    async with client_for(scratch) as client:
        first = asyncio.create_task(
            client.post("/notes", json={"text": "slow"}, headers=with_key("k3"))
        )
        await asyncio.sleep(0.3)
        during = await client.post("/notes", json={"text": "slow"}, headers=with_key("k3"))
        release_slow.set()
        done = await first
        after = await client.post("/notes", json={"text": "slow"}, headers=with_key("k3"))
    assert during.status_code == 409
    assert during.json()["code"] == "idempotency_in_progress"
    assert done.status_code == 201
    assert after.json() == done.json()
    assert await scratch.count(effects) == 1


async def test_a_refusal_is_not_stored_so_the_key_can_be_retried(scratch):
    async with client_for(scratch) as client:
        refused = await client.post("/notes", json={"text": "refused"}, headers=with_key("k4"))
        assert refused.status_code == 422
        assert refused.json()["code"] == "refused"
        retried = await client.post("/notes", json={"text": "refused"}, headers=with_key("k4"))
    assert retried.status_code == 422
    assert "Idempotent-Replayed" not in retried.headers


async def test_without_a_key_every_post_is_new(scratch):
    async with client_for(scratch) as client:
        for _ in range(2):
            assert (
                await client.post("/notes", json={"text": "n"}, headers=ADMIN)
            ).status_code == 201
    assert await scratch.count(effects) == 2


async def test_one_dependency_for_caller_and_key_replays_and_refuses_alike(scratch):
    async with client_for(scratch) as client:
        first = await client.post("/admin-notes", json={"text": "a"}, headers=with_key("k5"))
        again = await client.post("/admin-notes", json={"text": "a"}, headers=with_key("k5"))
        other = await client.post("/admin-notes", json={"text": "b"}, headers=with_key("k5"))
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert await scratch.count(effects) == 1


async def test_one_dependency_for_caller_and_key_checks_the_token_and_the_role(scratch):
    async with client_for(scratch) as client:
        anonymous = await client.post("/admin-notes", json={"text": "a"})
        garbage = await client.post(
            "/admin-notes", json={"text": "a"}, headers={"Authorization": "Bearer x.y.z"}
        )
        clerk = await client.post(
            "/admin-notes", json={"text": "a"}, headers=bearer("clerk", region="120000")
        )
        too_long = await client.post(
            "/admin-notes", json={"text": "a"}, headers=with_key("k" * 121)
        )
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "unauthenticated")
    assert (garbage.status_code, garbage.json()["code"]) == (401, "invalid_token")
    assert (clerk.status_code, clerk.json()["code"]) == (403, "forbidden_role")
    assert too_long.status_code == 422
    assert too_long.json()["code"] == "validation_error"
    assert too_long.json()["field"] == "Idempotency-Key"
    assert await scratch.count(effects) == 0
