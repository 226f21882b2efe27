"""Transactional outbox: events are rows written in the business transaction.

A relay (one per service) publishes unpublished rows to Kafka in id order and marks them
published. A crash between publishing and marking republishes the row; consumers dedup on
``event_id``, so delivery is at least once and effects are exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from medins_common import metrics, timeutil
from medins_common.context import current_correlation_id
from medins_common.db import writing
from medins_common.events.envelope import Envelope, Event
from medins_common.messaging_tables import OUTBOX

if TYPE_CHECKING:
    from aiokafka import AIOKafkaProducer

log = logging.getLogger(__name__)

PRUNE_INTERVAL_SECONDS = 600


def envelope_for(event: Event, *, producer: str, correlation_id: str | None = None) -> Envelope:
    return Envelope(
        event_id=uuid.uuid4(),
        event_type=event.event_type,
        version=event.version,
        occurred_at=timeutil.now(),
        producer=producer,
        correlation_id=correlation_id or current_correlation_id(),
        payload=event.model_dump(mode="json"),
    )


_INSERT = insert(OUTBOX)


async def write_outbox(
    session: AsyncSession,
    events: Sequence[Event],
    *,
    producer: str,
    correlation_ids: Sequence[str] | None = None,
) -> None:
    """Queue the events; each carries the correlation id of the work in progress, or its own
    from ``correlation_ids`` (work done for several requests at once)."""
    rows = []
    for event, correlation_id in zip(events, correlation_ids or [None] * len(events), strict=True):
        envelope = envelope_for(event, producer=producer, correlation_id=correlation_id)
        rows.append(
            {
                "event_id": str(envelope.event_id),
                "event_type": envelope.event_type,
                "topic": event.topic,
                "message_key": event.key,
                "correlation_id": envelope.correlation_id,
                "envelope": envelope.model_dump_json(),
                "created_at": envelope.occurred_at,
            }
        )
    if rows:
        # One event (the usual case) as a plain insert: a list of one would take the
        # many-rows path, which costs more.
        await session.execute(_INSERT, rows[0] if len(rows) == 1 else rows)


def kafka_headers(
    *, event_id: str, event_type: str, correlation_id: str
) -> list[tuple[str, bytes]]:
    return [
        ("event_id", event_id.encode()),
        ("event_type", event_type.encode()),
        ("correlation_id", correlation_id.encode()),
    ]


class OutboxRelay:
    """Publishes the outbox in order, with retries and capped exponential backoff."""

    def __init__(
        self,
        *,
        engine: AsyncEngine,
        producer: AIOKafkaProducer,
        service: str,
        batch_size: int = 200,
        idle_seconds: float = 0.1,
        max_backoff_seconds: float = 5.0,
        retention: timedelta = timedelta(days=7),
    ) -> None:
        self._engine = engine
        self._producer = producer
        self._service = service
        self._batch_size = batch_size
        self._idle_seconds = idle_seconds
        self._max_backoff = max_backoff_seconds
        self._retention = retention
        self._next_prune = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        backoff = self._idle_seconds
        while not stop.is_set():
            try:
                published = await self.publish_batch()
                backoff = self._idle_seconds
            except Exception:
                log.exception("outbox relay: publishing failed; retrying in %.1fs", backoff)
                metrics.OUTBOX_FAILURES.labels(self._service).inc()
                published = 0
                await _sleep_unless(stop, backoff)
                backoff = min(backoff * 2, self._max_backoff)
                continue
            if published < self._batch_size:
                await _sleep_unless(stop, self._idle_seconds)

    async def publish_batch(self) -> int:
        """Publish one batch of unpublished rows in id order; return how many were published.

        Rows are handed to the producer in order (it keeps order per partition). Every row
        the broker acknowledged is marked published; if any failed, the error propagates
        and those rows are retried on the next pass. Only a failed row can thus arrive after
        a later event of its key; consumers dedup, and read models guard with versions.
        """
        async with self._engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(
                        OUTBOX.c.id,
                        OUTBOX.c.event_id,
                        OUTBOX.c.event_type,
                        OUTBOX.c.correlation_id,
                        OUTBOX.c.topic,
                        OUTBOX.c.message_key,
                        OUTBOX.c.envelope,
                    )
                    .where(OUTBOX.c.published_at.is_(None))
                    .order_by(OUTBOX.c.id)
                    .limit(self._batch_size)
                )
            ).all()
        if not rows:
            metrics.OUTBOX_PENDING.labels(self._service).set(0)
            await self._prune_if_due()
            return 0
        deliveries = [
            await self._producer.send(
                row.topic,
                value=row.envelope.encode(),
                key=row.message_key.encode(),
                headers=kafka_headers(
                    event_id=row.event_id,
                    event_type=row.event_type,
                    correlation_id=row.correlation_id,
                ),
            )
            for row in rows
        ]
        outcomes = await asyncio.gather(*deliveries, return_exceptions=True)
        sent = [
            row.id
            for row, outcome in zip(rows, outcomes, strict=True)
            if not isinstance(outcome, BaseException)
        ]
        if sent:
            await self._mark_published(sent)
            metrics.OUTBOX_PUBLISHED.labels(self._service).inc(len(sent))
        failures = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
        if failures:
            raise failures[0]
        return len(sent)

    async def _mark_published(self, ids: list[int]) -> None:
        async with writing(self._engine) as conn:
            await conn.execute(
                update(OUTBOX).where(OUTBOX.c.id.in_(ids)).values(published_at=timeutil.now())
            )

    async def _prune_if_due(self) -> None:
        """Delete rows published longer ago than the retention, at most every few minutes."""
        moment = time.monotonic()
        if moment < self._next_prune:
            return
        self._next_prune = moment + PRUNE_INTERVAL_SECONDS
        async with writing(self._engine) as conn:
            await conn.execute(
                delete(OUTBOX).where(OUTBOX.c.published_at < timeutil.now() - self._retention)
            )

    async def pending(self) -> int:
        async with self._engine.connect() as conn:
            count = await conn.scalar(
                select(func.count()).select_from(OUTBOX).where(OUTBOX.c.published_at.is_(None))
            )
            return int(count or 0)


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
