"""The transactional outbox: events commit with the business change and reach Kafka in order."""

from __future__ import annotations

from datetime import timedelta

from aiokafka import AIOKafkaConsumer
from sqlalchemy import insert, update

from medins_common import timeutil
from medins_common.context import correlation_id_var
from medins_common.events.envelope import Envelope
from medins_common.kafka import create_producer
from medins_common.messaging_tables import OUTBOX
from medins_common.outbox import OutboxRelay

from .conftest import TOPIC, Pinged, effects


async def consume_run(bootstrap: str, run: str, expected: int) -> list[tuple[dict, Envelope]]:
    consumer = AIOKafkaConsumer(
        TOPIC,
        bootstrap_servers=bootstrap,
        group_id=f"reader-{run}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[tuple[dict, Envelope]] = []
    try:
        for _ in range(100):
            batch = await consumer.getmany(timeout_ms=200)
            for records in batch.values():
                for record in records:
                    if run.encode() not in record.value:
                        continue  # another test's message on the shared topic
                    envelope = Envelope.model_validate_json(record.value)
                    if envelope.payload["run"] == run:
                        found.append(({k: v.decode() for k, v in record.headers}, envelope))
            if len(found) >= expected:
                break
    finally:
        await consumer.stop()
    return found


async def test_events_are_written_with_the_business_change_and_only_then(scratch, run_id):
    async with scratch.uow() as uow:
        await uow.session.execute(insert(effects).values(ping_id="kept"))
        await uow.publish(Pinged(ping_id="kept", run=run_id))
        await uow.commit()
    async with scratch.uow() as uow:  # left without commit: rolled back
        await uow.session.execute(insert(effects).values(ping_id="dropped"))
        await uow.publish(Pinged(ping_id="dropped", run=run_id))

    assert await scratch.count(effects) == 1
    assert await scratch.count(OUTBOX) == 1


async def test_the_relay_publishes_in_order_with_headers_and_marks_rows(
    scratch, run_id, kafka_bootstrap
):
    token = correlation_id_var.set("corr-outbox")
    try:
        for n in range(5):
            async with scratch.uow() as uow:
                await uow.publish(
                    Pinged(ping_id="same-key", run=run_id), Pinged(ping_id=f"other-{n}", run=run_id)
                )
                await uow.commit()
    finally:
        correlation_id_var.reset(token)
    producer = create_producer(
        bootstrap_servers=kafka_bootstrap, enable_idempotence=False, client_id="test-relay"
    )
    await producer.start()
    try:
        relay = OutboxRelay(
            engine=scratch.engine, producer=producer, service="scratch", batch_size=4
        )
        published = [await relay.publish_batch() for _ in range(4)]
        assert published == [4, 4, 2, 0]
        assert await relay.pending() == 0
    finally:
        await producer.stop()

    received = await consume_run(kafka_bootstrap, run_id, expected=10)
    assert len(received) == 10
    same_key = [env for _, env in received if env.payload["ping_id"] == "same-key"]
    assert len(same_key) == 5
    assert same_key == sorted(same_key, key=lambda env: env.occurred_at)  # key order kept
    headers, envelope = received[0]
    assert headers["event_id"] == str(envelope.event_id)
    assert headers["event_type"] == "Pinged"
    assert headers["correlation_id"] == envelope.correlation_id == "corr-outbox"
    assert envelope.producer == "scratch"


async def test_rows_published_longer_ago_than_the_retention_are_pruned(
    scratch, run_id, kafka_bootstrap
):
    async with scratch.uow() as uow:
        await uow.publish(Pinged(ping_id="old", run=run_id), Pinged(ping_id="new", run=run_id))
        await uow.commit()
    producer = create_producer(
        bootstrap_servers=kafka_bootstrap, enable_idempotence=False, client_id="test-prune"
    )
    await producer.start()
    try:
        relay = OutboxRelay(
            engine=scratch.engine, producer=producer, service="scratch", retention=timedelta(days=7)
        )
        assert await relay.publish_batch() == 2
        async with scratch.engine.begin() as conn:
            await conn.execute(
                update(OUTBOX)
                .where(OUTBOX.c.message_key == "old")
                .values(published_at=timeutil.now() - timedelta(days=8))
            )
        assert await relay.publish_batch() == 0  # nothing to send: prunes instead
    finally:
        await producer.stop()
    assert await scratch.count(OUTBOX, OUTBOX.c.message_key == "old") == 0
    assert await scratch.count(OUTBOX, OUTBOX.c.message_key == "new") == 1
