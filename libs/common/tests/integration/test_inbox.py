"""Inbox consumers over the real broker: effects exactly once, offsets after the commit."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import RecordMetadata
from sqlalchemy import insert

from medins_common.inbox import ConsumerRunner, InboxProcessor, Subscription
from medins_common.messaging_tables import DEAD_LETTER, INBOX
from medins_common.outbox import envelope_for

from .conftest import TOPIC, Pinged, effects


async def produce(bootstrap: str, *values: bytes, key: bytes = b"k") -> list[RecordMetadata]:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        return [await producer.send_and_wait(TOPIC, value, key=key) for value in values]
    finally:
        await producer.stop()


def ping(run: str, ping_id: str) -> bytes:
    return (
        envelope_for(Pinged(ping_id=ping_id, run=run), producer="test").model_dump_json().encode()
    )


async def record_ping(uow, event: Pinged, _envelope) -> None:
    await uow.session.execute(insert(effects).values(ping_id=event.ping_id))


class Runner:
    """A consumer group member in a background task, stopped at the end of the test."""

    def __init__(self, scratch, bootstrap: str, subscription: Subscription) -> None:
        processor = InboxProcessor(
            subscription=subscription, uow_factory=scratch.uow, retry_base_seconds=0.05
        )
        self.runner = ConsumerRunner(processor=processor, bootstrap_servers=bootstrap)
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(self.runner.run(self.stop))

    async def close(self) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, 30)


async def eventually(check, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.1)


async def committed_offsets(bootstrap: str, group: str) -> dict[TopicPartition, int]:
    """The group's committed offsets, read by a member that never joins (so no rebalance)."""
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await reader.start()
    try:
        partitions = [TopicPartition(TOPIC, p) for p in reader.partitions_for_topic(TOPIC) or ()]
        offsets = {tp: await reader.committed(tp) for tp in partitions}
    finally:
        await reader.stop()
    return {tp: offset for tp, offset in offsets.items() if offset is not None}


def subscription(run: str, handler=record_ping) -> Subscription:
    """A fresh group for this test, blind to other tests' pings on the shared topic."""

    async def this_run_only(uow, event: Pinged, envelope) -> None:
        if event.run == run:
            await handler(uow, event, envelope)

    return Subscription(name=f"test-{run}", handlers={Pinged: this_run_only})


async def test_an_event_delivered_twice_is_applied_once(scratch, kafka_bootstrap, run_id):
    duplicate = ping(run_id, "p1")
    await produce(kafka_bootstrap, duplicate, duplicate, ping(run_id, "p2"))
    member = Runner(scratch, kafka_bootstrap, subscription(run_id))
    try:
        await eventually(lambda: _count_is(scratch, effects, 2))
        await asyncio.sleep(0.5)  # time for a wrongly applied duplicate to show
    finally:
        await member.close()
    assert await scratch.count(effects, effects.c.ping_id == "p1") == 1
    assert await scratch.count(INBOX, INBOX.c.consumer == f"test-{run_id}") >= 2


async def test_a_failing_handler_writes_nothing_commits_no_offset_and_is_retried(
    scratch, kafka_bootstrap, run_id
):
    attempts = 0
    first_failure = asyncio.Event()
    release = asyncio.Event()

    async def flaky(uow, event, envelope):
        nonlocal attempts
        attempts += 1
        await record_ping(uow, event, envelope)  # half-written when the handler then fails
        if attempts <= 2:
            first_failure.set()
            await release.wait()
            raise RuntimeError("downstream hiccup")

    [sent] = await produce(kafka_bootstrap, ping(run_id, "flaky"))
    group = f"test-{run_id}"

    async def committed_past_it() -> bool:
        offsets = await committed_offsets(kafka_bootstrap, group)
        return offsets.get(sent.topic_partition, 0) > sent.offset

    member = Runner(scratch, kafka_bootstrap, subscription(run_id, flaky))
    try:
        await asyncio.wait_for(first_failure.wait(), 30)
        release.set()
        await asyncio.sleep(0.02)
        assert not await committed_past_it()
        await eventually(lambda: _count_is(scratch, effects, 1))
        await eventually(committed_past_it)
    finally:
        await member.close()
    assert attempts >= 3  # at least: once in its batch, then alone until it succeeds
    assert await scratch.count(effects) == 1  # the failed attempts left nothing behind
    assert await scratch.count(DEAD_LETTER, DEAD_LETTER.c.raw.contains(run_id)) == 0


async def test_an_unreadable_message_is_parked_and_the_partition_moves_on(
    scratch, kafka_bootstrap, run_id
):
    await produce(kafka_bootstrap, b"{not json", ping(run_id, "after"))
    member = Runner(scratch, kafka_bootstrap, subscription(run_id))
    try:
        await eventually(lambda: _count_is(scratch, effects, 1))
    finally:
        await member.close()
    assert await scratch.count(DEAD_LETTER) >= 1


async def test_a_rebalance_neither_loses_nor_repeats_effects(scratch, kafka_bootstrap, run_id):
    total = 60

    async def slow(uow, event, envelope):
        await record_ping(uow, event, envelope)
        await asyncio.sleep(0.02)

    values = [ping(run_id, f"r{n}") for n in range(total)]
    for n in range(3):  # spread over the partitions
        await produce(kafka_bootstrap, *values[n::3], key=f"key-{n}".encode())
    first = Runner(scratch, kafka_bootstrap, subscription(run_id, slow))
    await eventually(lambda: _count_at_least(scratch, effects, 5))
    second = Runner(scratch, kafka_bootstrap, subscription(run_id, slow))  # joins: rebalance
    await eventually(lambda: _count_at_least(scratch, effects, 30))
    await first.close()  # leaves: rebalance again
    try:
        await eventually(lambda: _count_is(scratch, effects, total), timeout=60)
    finally:
        await second.close()
    assert await scratch.count(effects) == total


async def _count_is(scratch, table, expected: int) -> bool:
    return await scratch.count(table) == expected


async def _count_at_least(scratch, table, expected: int) -> bool:
    return await scratch.count(table) >= expected
