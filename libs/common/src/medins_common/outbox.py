"""Transactional outbox: events are rows written in the business transaction.

A relay (one per service) publishes unpublished rows to Kafka in id order and marks them
published. A crash between publishing and marking republishes the row; consumers dedup on
``event_id``, so delivery is at least once and effects are exactly once.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from medins_common import metrics, timeutil
from medins_common.context import current_correlation_id
from medins_common.events.envelope import Envelope, Event
from medins_common.messaging_tables import OUTBOX

if TYPE_CHECKING:
    from aiokafka import AIOKafkaProducer

log = logging.getLogger(__name__)


def envelope_for(event: Event, *, producer: str) -> Envelope:
    return Envelope(
        event_id=uuid.uuid4(),
        event_type=event.event_type,
        version=event.version,
        occurred_at=timeutil.now(),
        producer=producer,
        correlation_id=current_correlation_id(),
        payload=event.model_dump(mode="json"),
    )


async def write_outbox(session: AsyncSession, events: Iterable[Event], *, producer: str) -> None:
    rows = []
    for event in events:
        envelope = envelope_for(event, producer=producer)
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
        await session.execute(insert(OUTBOX), rows)


def kafka_headers(*, event_id: str, event_type: str, correlation_id: str) -> list[tuple[str, bytes]]:
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
    ) -> None:
        self._engine = engine
        self._producer = producer
        self._service = service
        self._batch_size = batch_size
        self._idle_seconds = idle_seconds
        self._max_backoff = max_backoff_seconds

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

        Rows are sent in order and awaited in order. On the first failure the rows before it
        are marked published and the exception propagates, so the rest are retried, in order.
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
            await conn.rollback()
        if not rows:
            metrics.OUTBOX_PENDING.labels(self._service).set(0)
            return 0
        sent: list[int] = []
        try:
            deliveries = [
                (
                    row.id,
                    await self._producer.send(
                        row.topic,
                        value=row.envelope.encode(),
                        key=row.message_key.encode(),
                        headers=kafka_headers(
                            event_id=row.event_id,
                            event_type=row.event_type,
                            correlation_id=row.correlation_id,
                        ),
                    ),
                )
                for row in rows
            ]
            for row_id, delivery in deliveries:
                await delivery
                sent.append(row_id)
        finally:
            if sent:
                await self._mark_published(sent)
        metrics.OUTBOX_PUBLISHED.labels(self._service).inc(len(sent))
        return len(sent)

    async def _mark_published(self, ids: list[int]) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(OUTBOX).where(OUTBOX.c.id.in_(ids)).values(published_at=timeutil.now())
            )

    async def pending(self) -> int:
        async with self._engine.connect() as conn:
            count = await conn.scalar(
                select(func.count()).select_from(OUTBOX).where(OUTBOX.c.published_at.is_(None))
            )
            return int(count or 0)


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass
