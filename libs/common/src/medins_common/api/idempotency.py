"""``Idempotency-Key`` on POSTs that create something (ARCHITECTURE.md, convention 6).

Same key and same body: the first answer again (``Idempotent-Replayed: true``). Same key,
another body: 422 ``idempotency_key_reused``. Same key while the first is still running:
409 ``idempotency_in_progress``.

The key is claimed in a short transaction of its own (so a concurrent retry sees it), and
the answer is stored in the *same* transaction as the business change, so a crash can
never leave a written bill without its stored answer. A claim whose request died before
committing anything goes stale after ``STALE_AFTER`` and may be taken over. Refusals
(4xx) are not stored: the key is released so a corrected retry is judged afresh.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import delete, select, update

from medins_common import timeutil
from medins_common.api.responses import SerialisedJSONResponse
from medins_common.api.security import (
    BearerCredentials,
    CurrentPrincipal,
    principal_from,
    with_role,
)
from medins_common.auth import Principal, Role
from medins_common.db import dialect_insert, writing
from medins_common.errors import Conflict, RuleViolation
from medins_common.messaging_tables import IDEMPOTENCY_KEYS as KEYS
from medins_common.sensitive import keyed_hash
from medins_common.service import Runtime
from medins_common.unit_of_work import UnitOfWork

HEADER = "Idempotency-Key"
STALE_AFTER = timedelta(seconds=30)

# An operation answers with a model, or with its answer already serialised as JSON text.
Operation = Callable[[UnitOfWork], Awaitable[BaseModel | str]]


class Idempotency:
    def __init__(self, *, runtime: Runtime, scope: str, key: str | None, route: str) -> None:
        self._runtime = runtime
        self._scope = scope
        self._key = key
        self._route = route

    @property
    def keyed(self) -> bool:
        """Whether the request carries a key (then its answer is stored)."""
        return self._key is not None

    async def run(
        self, *, body: BaseModel, operation: Operation, status_code: int = 201
    ) -> JSONResponse:
        """Run ``operation`` (which takes the unit of work) once per key and body."""
        if self._key is None:
            return _json_response(_serialised(await operation(self._runtime.uow())), status_code)
        # Keyed, so a stored hash cannot be matched against guessed bodies (ID numbers).
        request_hash = keyed_hash(
            f"{self._route}\n{body.model_dump_json()}",
            key=self._runtime.settings.id_hash_key.get_secret_value(),
        )
        replay = await self._claim(request_hash)
        if replay is not None:
            return replay
        uow = self._runtime.uow(hold_commit=True)
        try:
            result = await operation(uow)
        except BaseException:
            if uow.held:
                await uow.abandon()
            await self._release_claim()
            raise
        answer = _serialised(result)  # serialised once: answered and stored alike
        if uow.held:  # the business change and its answer commit together
            await uow.session.execute(self._complete(status_code, answer))
            await uow.release()
        else:  # nothing was written: store the answer on its own
            async with writing(self._runtime.engine) as conn:
                await conn.execute(self._complete(status_code, answer))
        return _json_response(answer, status_code)

    async def _claim(self, request_hash: str) -> JSONResponse | None:
        """Claim the key, or answer from its record: replay, 422 or 409."""
        async with self._runtime.engine.connect() as conn:  # a plain read waits for no writer
            row = (await conn.execute(select(KEYS).where(*self._this_key()))).first()
        if row is None:
            async with writing(self._runtime.engine) as conn:
                claimed = await conn.execute(
                    dialect_insert(conn, KEYS)
                    .values(
                        scope=self._scope,
                        key=self._key,
                        request_hash=request_hash,
                        status="running",
                        started_at=timeutil.now(),
                    )
                    .on_conflict_do_nothing()
                )
                if claimed.rowcount == 1:
                    return None
                row = (await conn.execute(select(KEYS).where(*self._this_key()))).one()
        return await self._answer_from(row, request_hash)

    async def _answer_from(self, row: Any, request_hash: str) -> JSONResponse | None:
        if row.request_hash != request_hash:
            raise RuleViolation(
                "This Idempotency-Key was used with another request body.",
                code="idempotency_key_reused",
                field=HEADER,
            )
        if row.status == "done":
            return _json_response(
                row.response_body, row.response_status, headers={"Idempotent-Replayed": "true"}
            )
        in_progress = Conflict(
            "A request with this Idempotency-Key is still being processed.",
            code="idempotency_in_progress",
            field=HEADER,
        )
        if row.started_at > timeutil.now() - STALE_AFTER:
            raise in_progress
        async with writing(self._runtime.engine) as conn:  # take over an abandoned claim
            taken_over = await conn.execute(
                update(KEYS)
                .where(
                    *self._this_key(),
                    KEYS.c.status == "running",
                    KEYS.c.started_at == row.started_at,
                )
                .values(started_at=timeutil.now())
            )
        if taken_over.rowcount != 1:
            raise in_progress
        return None

    def _complete(self, status_code: int, answer: str) -> Any:
        return (
            update(KEYS)
            .where(*self._this_key())
            .values(
                status="done",
                response_status=status_code,
                response_body=answer,
            )
        )

    async def _release_claim(self) -> None:
        async with writing(self._runtime.engine) as conn:
            await conn.execute(delete(KEYS).where(*self._this_key()))

    def _this_key(self) -> tuple[Any, ...]:
        return (KEYS.c.scope == self._scope, KEYS.c.key == self._key)


def _serialised(result: BaseModel | str) -> str:
    return result if isinstance(result, str) else result.model_dump_json()


def _json_response(
    body: str, status_code: int, *, headers: dict[str, str] | None = None
) -> JSONResponse:
    return SerialisedJSONResponse(body, status_code=status_code, headers=headers)


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=HEADER,
        min_length=1,
        max_length=120,
        description="Retry-safe key: same key and body give the same answer",
    ),
]


def idempotency_of(request: Request, principal: Principal, key: str | None) -> Idempotency:
    return Idempotency(
        runtime=request.app.state.runtime,
        scope=f"{principal.role.value}:{principal.subject}",
        key=key,
        # Only a keyed request's hash includes its route.
        route=f"{request.method} {request.url.path}" if key is not None else "",
    )


async def _idempotency(
    request: Request, principal: CurrentPrincipal, idempotency_key: IdempotencyKey = None
) -> Idempotency:
    return idempotency_of(request, principal, idempotency_key)


IdempotencyDep = Annotated[Idempotency, Depends(_idempotency)]


@dataclass(frozen=True)
class IdempotentCall:
    principal: Principal
    idempotency: Idempotency


def idempotent_call(*roles: Role) -> Callable[..., Coroutine[Any, Any, IdempotentCall]]:
    """The caller, checked for one of ``roles``, and its ``Idempotency``, solved as one
    dependency: each dependency in a request's tree costs FastAPI CPU on every request, and
    a hot endpoint such as a hospital's settlement is charged for all of them. The same
    token check, role check and header as ``require_roles`` and ``IdempotencyDep``."""
    allowed = frozenset(roles)

    async def _idempotent_call(
        request: Request, credentials: BearerCredentials, idempotency_key: IdempotencyKey = None
    ) -> IdempotentCall:
        principal = with_role(principal_from(request, credentials), allowed)
        return IdempotentCall(principal, idempotency_of(request, principal, idempotency_key))

    return _idempotent_call
