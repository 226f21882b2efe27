"""The unit of work: one transaction in which business writes and outgoing events commit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from medins_common.db import WRITE_OPTIONS
from medins_common.events.envelope import Event
from medins_common.outbox import write_outbox


class UnitOfWork:
    """One database transaction: business writes and outgoing events commit together.

    Use as ``async with uow:``; leaving the block without ``commit()`` rolls back.
    With ``hold_commit`` (idempotent requests), ``commit()`` only flushes and keeps the
    transaction open, so the caller can record the answer in it before ``release()``.
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        producer: str,
        hold_commit: bool = False,
    ) -> None:
        self._session_factory = session_factory
        self.producer = producer
        self._hold_commit = hold_commit
        self.held = False
        self.session: AsyncSession

    async def __aenter__(self) -> Self:
        self.session = self._session_factory()
        await self.session.connection(execution_options=WRITE_OPTIONS)
        return self

    async def __aexit__(self, exc_type: object, *exc_info: object) -> None:
        if self.held and exc_type is None:
            return  # the holder commits or abandons
        if self.session.in_transaction():
            await self.abandon()
        else:  # committed: nothing left to roll back
            await self.session.close()

    async def commit(self) -> None:
        if self._hold_commit:
            await self.session.flush()
            self.held = True
            return
        await self.session.commit()

    async def release(self) -> None:
        """Commit a held transaction."""
        try:
            await self.session.commit()
        finally:
            self.held = False
            await self.session.close()

    async def abandon(self) -> None:
        self.held = False
        try:
            await self.session.rollback()
        finally:
            await self.session.close()

    async def rollback(self) -> None:
        await self.session.rollback()

    async def publish(self, *events: Event, correlation_ids: Sequence[str] | None = None) -> None:
        """Queue events in the outbox, inside this transaction (``correlation_ids``: one for
        each event, when they are done for different requests)."""
        await write_outbox(
            self.session, events, producer=self.producer, correlation_ids=correlation_ids
        )


UnitOfWorkFactory = Callable[[], UnitOfWork]
