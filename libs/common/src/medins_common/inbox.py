"""Inbox consumers: each event's effects and its ``(consumer, event_id)`` record commit together.

Offsets are committed to Kafka only after the database commit, so a crash redelivers and
the inbox turns the redelivery into a no-op. A handler that raises is rolled back and the
same event retried with backoff; after ``max_attempts`` it is parked in ``dead_letter``
(with its inbox record, in one transaction) so one poisoned event cannot stall a partition.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import CommitFailedError, IllegalStateError
from pydantic import ValidationError
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from medins_common import metrics, timeutil
from medins_common.context import correlation_id_var
from medins_common.db import insert_for
from medins_common.events.envelope import Envelope, Event
from medins_common.kafka import start_with_retry
from medins_common.messaging_tables import DEAD_LETTER, INBOX
from medins_common.unit_of_work import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

Handler = Callable[[UnitOfWork, Any, Envelope], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    """A named consumer (its Kafka group and inbox name) and its handlers by event class."""

    name: str
    handlers: Mapping[type[Event], Handler]
    _by_type: dict[str, tuple[type[Event], Handler]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_type = {cls.event_type: (cls, handler) for cls, handler in self.handlers.items()}
        object.__setattr__(self, "_by_type", by_type)

    @property
    def topics(self) -> list[str]:
        return sorted({cls.topic for cls in self.handlers})

    def route(self, event_type: str) -> tuple[type[Event], Handler] | None:
        return self._by_type.get(event_type)


class PermanentError(Exception):
    """A message that no retry can fix (unreadable envelope, payload off the schema)."""


async def claim(session: AsyncSession, *, consumer: str, event_id: str) -> bool:
    """Record the event in the inbox; False when this consumer has already applied it."""
    return bool(await claim_many(session, consumer=consumer, event_ids=[event_id]))


async def claim_many(session: AsyncSession, *, consumer: str, event_ids: list[str]) -> set[str]:
    """Record many events at once; return the ids this consumer had not applied before."""
    moment = timeutil.now()
    result = await session.execute(
        _claim_statement(session.get_bind().dialect.name),
        [
            {"consumer": consumer, "event_id": event_id, "processed_at": moment}
            for event_id in dict.fromkeys(event_ids)
        ],
    )
    return set(result.scalars())


@functools.cache
def _claim_statement(dialect_name: str) -> Any:
    """One statement per dialect, the batch's rows bound as parameters: it is compiled once,
    not for every batch (compiling an INSERT of hundreds of literal rows cost about a quarter
    of the consumer's time)."""
    return insert_for(dialect_name, INBOX).on_conflict_do_nothing().returning(INBOX.c.event_id)


def parse(record: ConsumerRecord) -> Envelope:
    try:
        return Envelope.model_validate_json(record.value)
    except (ValidationError, ValueError, TypeError) as exc:
        raise PermanentError(f"unreadable envelope: {exc}") from exc


class InboxProcessor:
    """Applies records exactly once, with retries; independent of the Kafka client.

    A fetched batch is applied in one transaction (one commit for hundreds of events); if
    anything in it fails, the batch is rolled back and applied record by record, so a bad
    event is retried, and parked if need be, on its own.
    """

    def __init__(
        self,
        *,
        subscription: Subscription,
        uow_factory: UnitOfWorkFactory,
        max_attempts: int = 8,
        retry_base_seconds: float = 0.2,
        max_backoff_seconds: float = 10.0,
    ) -> None:
        self.subscription = subscription
        self._uow_factory = uow_factory
        self._max_attempts = max_attempts
        self._retry_base = retry_base_seconds
        self._max_backoff = max_backoff_seconds

    async def process_batch(self, records: Sequence[ConsumerRecord]) -> None:
        decoded: list[tuple[Envelope, Event, Handler]] = []
        try:
            for record in records:
                envelope = parse(record)
                routed = self.subscription.route(envelope.event_type)
                if routed is not None:
                    event_class, handler = routed
                    decoded.append(
                        (envelope, event_class.model_validate(envelope.payload), handler)
                    )
        except (PermanentError, ValidationError):
            decoded = []
            await self._one_by_one(records)
            return
        if not decoded:
            return
        try:
            await self._apply_together(decoded)
        except Exception as exc:
            log.warning(
                "consumer %s: batch of %d failed (%r); applying one by one",
                self.subscription.name,
                len(decoded),
                exc,
            )
            await self._one_by_one(records)

    async def _one_by_one(self, records: Sequence[ConsumerRecord]) -> None:
        for record in records:
            await self.process(record)

    async def _apply_together(self, decoded: list[tuple[Envelope, Event, Handler]]) -> None:
        name = self.subscription.name
        async with self._uow_factory() as uow:
            fresh = await claim_many(
                uow.session, consumer=name, event_ids=[str(env.event_id) for env, _, _ in decoded]
            )
            for envelope, event, handler in decoded:
                event_id = str(envelope.event_id)
                if event_id not in fresh:
                    metrics.EVENTS_DUPLICATE.labels(name).inc()
                    continue
                fresh.discard(event_id)  # a copy later in the same batch is a duplicate too
                token = correlation_id_var.set(envelope.correlation_id)
                try:
                    await handler(uow, event, envelope)
                    log.info("applied %s %s", envelope.event_type, envelope.event_id)
                finally:
                    correlation_id_var.reset(token)
            await uow.commit()
        for envelope, _, _ in decoded:
            metrics.EVENTS_CONSUMED.labels(name, envelope.event_type).inc()

    async def process(self, record: ConsumerRecord) -> None:
        name = self.subscription.name
        try:
            envelope = parse(record)
        except PermanentError as exc:
            await self._dead_letter(record, event_id=None, error=str(exc), attempts=1)
            return
        routed = self.subscription.route(envelope.event_type)
        if routed is None:
            return  # another consumer's event on a shared topic
        event_class, handler = routed
        token = correlation_id_var.set(envelope.correlation_id)
        try:
            try:
                event = event_class.model_validate(envelope.payload)
            except ValidationError as exc:
                await self._dead_letter(
                    record, event_id=str(envelope.event_id), error=str(exc), attempts=1
                )
                return
            for attempt in range(1, self._max_attempts + 1):
                try:
                    await self._apply(handler, event, envelope)
                    metrics.EVENTS_CONSUMED.labels(name, envelope.event_type).inc()
                    return
                except Exception as exc:
                    metrics.CONSUMER_FAILURES.labels(name, envelope.event_type).inc()
                    if attempt == self._max_attempts:
                        log.exception("consumer %s: giving up on %s", name, envelope.event_id)
                        await self._dead_letter(
                            record,
                            event_id=str(envelope.event_id),
                            error=repr(exc),
                            attempts=attempt,
                        )
                        return
                    delay = min(self._retry_base * 2 ** (attempt - 1), self._max_backoff)
                    log.warning(
                        "consumer %s: %s %s failed (attempt %d), retrying in %.1fs: %r",
                        name,
                        envelope.event_type,
                        envelope.event_id,
                        attempt,
                        delay,
                        exc,
                    )
                    await asyncio.sleep(delay)
        finally:
            correlation_id_var.reset(token)

    async def _apply(self, handler: Handler, event: Event, envelope: Envelope) -> None:
        async with self._uow_factory() as uow:
            if not await claim(
                uow.session, consumer=self.subscription.name, event_id=str(envelope.event_id)
            ):
                metrics.EVENTS_DUPLICATE.labels(self.subscription.name).inc()
                return
            await handler(uow, event, envelope)
            await uow.commit()
        log.info("applied %s %s", envelope.event_type, envelope.event_id)

    async def _dead_letter(
        self, record: ConsumerRecord, *, event_id: str | None, error: str, attempts: int
    ) -> None:
        async with self._uow_factory() as uow:
            if event_id and not await claim(
                uow.session, consumer=self.subscription.name, event_id=event_id
            ):
                return
            raw = record.value.decode(errors="replace") if record.value else ""
            await uow.session.execute(
                insert(DEAD_LETTER).values(
                    consumer=self.subscription.name,
                    topic=record.topic,
                    partition=record.partition,
                    offset=record.offset,
                    event_id=event_id,
                    raw=raw,
                    error=error[:4000],
                    attempts=attempts,
                    created_at=timeutil.now(),
                )
            )
            await uow.commit()
        metrics.EVENTS_DEAD_LETTERED.labels(self.subscription.name).inc()
        log.error(
            "consumer %s: parked %s/%s@%s in dead_letter",
            self.subscription.name,
            record.topic,
            record.partition,
            record.offset,
        )


class _CommitOnRevoke(ConsumerRebalanceListener):
    def __init__(self, runner: ConsumerRunner) -> None:
        self._runner = runner

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        await self._runner.commit_processed()

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        return None


class ConsumerRunner:
    """Drives an ``InboxProcessor`` from a Kafka consumer group named after the subscription."""

    def __init__(
        self, *, processor: InboxProcessor, bootstrap_servers: str, max_records: int = 500
    ) -> None:
        self._processor = processor
        self._bootstrap = bootstrap_servers
        self._max_records = max_records
        self._processed: dict[TopicPartition, int] = {}
        self._consumer: AIOKafkaConsumer | None = None

    async def run(self, stop: asyncio.Event) -> None:
        subscription = self._processor.subscription
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap,
            group_id=subscription.name,
            client_id=subscription.name,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        await start_with_retry(self._consumer.start, what=f"consumer {subscription.name}")
        self._consumer.subscribe(subscription.topics, listener=_CommitOnRevoke(self))
        log.info("consumer %s subscribed to %s", subscription.name, subscription.topics)
        try:
            while not stop.is_set():
                batches = await self._consumer.getmany(
                    timeout_ms=200, max_records=self._max_records
                )
                for partition, records in batches.items():
                    await self._processor.process_batch(records)
                    self._processed[partition] = records[-1].offset + 1
                    await self.commit_processed()
        finally:
            await self._consumer.stop()

    async def commit_processed(self) -> None:
        if not self._processed or self._consumer is None:
            return
        offsets, self._processed = self._processed, {}
        try:
            await self._consumer.commit(offsets)
        except (CommitFailedError, IllegalStateError) as exc:
            # The partition moved to another member mid-batch: it resumes from the last
            # committed offset and the inbox skips what this member already applied.
            log.warning("offset commit skipped after rebalance: %r", exc)
