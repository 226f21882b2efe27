"""Kafka clients as the platform configures them, and topic creation."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

log = logging.getLogger(__name__)

DEFAULT_PARTITIONS = 3


def create_producer(
    *, bootstrap_servers: str, enable_idempotence: bool, client_id: str
) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=enable_idempotence,
        linger_ms=2,
        request_timeout_ms=15000,
        retry_backoff_ms=200,
    )


async def start_with_retry(start: Callable[[], Awaitable[None]], *, what: str) -> None:
    """Start a Kafka client, waiting for the broker with capped backoff."""
    delay = 0.2
    while True:
        try:
            await start()
            return
        except KafkaError as exc:
            log.warning("%s: broker not reachable (%r); retrying in %.1fs", what, exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


async def ensure_topics(
    bootstrap_servers: str, topics: Iterable[str], *, partitions: int = DEFAULT_PARTITIONS
) -> None:
    """Create the topics that do not exist yet (idempotent)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="topic-setup")
    await start_with_retry(admin.start, what="topic setup")
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name, num_partitions=partitions, replication_factor=1)
            for name in topics
            if name not in existing
        ]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # a concurrent creator won
                await admin.create_topics(missing)
            log.info("created topics %s", [t.name for t in missing])
    finally:
        await admin.close()
