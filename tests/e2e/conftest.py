"""The whole suite as separate processes (exactly as `make run` starts it), per backend."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import func, select
from sqlalchemy.sql import Select

from devstack.broker import free_port
from devstack.journey import with_check_character
from devstack.stack import SERVICES, Stack, StackConfig, spec
from devstack.testing import bearer, postgres_server_url
from medins_common.db import create_engine
from medins_common.events.envelope import Event
from medins_common.kafka import create_producer
from medins_common.outbox import envelope_for, kafka_headers
from medins_common.pgadmin import drop_database


@pytest.fixture(scope="module")
def stack(
    kafka_bootstrap: str, database_backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    server = postgres_server_url() if database_backend == "postgres" else None
    config = StackConfig(
        data_dir=tmp_path_factory.mktemp("stack"),
        kafka_bootstrap_servers=kafka_bootstrap,
        postgres_url=server,
        database_prefix=f"e2e_{uuid.uuid4().hex[:8]}_",
        api_ports={service.name: free_port() for service in SERVICES},
        worker_metrics=False,
        extra_env={"LOG_LEVEL": "INFO"},
    )
    running = Stack(config)
    try:
        running.start()
        yield running
    finally:
        running.stop()
        if server:
            for service in SERVICES:
                asyncio.run(drop_database(server, running.database_name(service)))


@pytest.fixture
async def http(stack: Stack) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    clients = {
        s.name: httpx.AsyncClient(base_url=stack.base_url(s.name), timeout=10) for s in SERVICES
    }
    try:
        yield clients
    finally:
        for client in clients.values():
            await client.aclose()


async def scalar(stack: Stack, service: str, query: Select) -> int:
    """Read a service's own database directly, as an operator would."""
    engine = create_engine(stack.database_url(spec(service)))
    try:
        async with engine.connect() as conn:
            return int(await conn.scalar(query))
    finally:
        await engine.dispose()


def count(table) -> Select:
    return select(func.count()).select_from(table)


def log_text(stack: Stack, service: str, role: str) -> str:
    return (stack.log_dir / f"{service}-{role}.log").read_text(errors="replace")


async def eventually(check, *, timeout: float = 30.0, interval: float = 0.2):
    """Poll an async check until it returns something truthy; return that."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(interval)


CLERK = bearer("clerk", region="120000")
HOSPITAL = bearer("hospital", institution_code="H11010500001")


def id_number(serial: int) -> str:
    """A valid 18-character national ID number."""
    return with_check_character(f"110105194912{serial % 10000:04d}0"[:17])


def new_person() -> dict[str, str]:
    serial = uuid.uuid4().int
    return {
        "psn_no": f"1200{serial % 10**16:016d}",
        "name": "张三",
        "id_no": id_number(serial),
        "insured_region": "120000",
        "insutype": "310",
        "person_type": "employee_retired",
    }


async def publish(bootstrap: str, *events: Event, producer: str) -> None:
    """Put events on their topics as the producer's outbox relay would: keyed envelope + headers."""
    kafka = create_producer(
        bootstrap_servers=bootstrap, enable_idempotence=False, client_id=f"e2e-{producer}-stand-in"
    )
    await kafka.start()
    try:
        for event in events:
            envelope = envelope_for(event, producer=producer)
            await kafka.send_and_wait(
                event.topic,
                key=event.key.encode(),
                value=envelope.model_dump_json().encode(),
                headers=kafka_headers(
                    event_id=str(envelope.event_id),
                    event_type=envelope.event_type,
                    correlation_id=envelope.correlation_id,
                ),
            )
    finally:
        await kafka.stop()


@contextlib.asynccontextmanager
async def reading(bootstrap: str, topic: str) -> AsyncIterator[AIOKafkaConsumer]:
    """A reader of a topic from its start, outside any consumer group."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        yield consumer
    finally:
        await consumer.stop()


async def next_event(consumer: AIOKafkaConsumer, *, key: str, event_type: str) -> dict[str, Any]:
    """The envelope of the next event of that type and key on the topic."""

    async def arrived() -> dict[str, Any] | None:
        batches = await consumer.getmany(timeout_ms=500)
        for record in (r for records in batches.values() for r in records):
            envelope = json.loads(record.value)
            if record.key == key.encode() and envelope["event_type"] == event_type:
                return envelope
        return None

    return await eventually(arrived)
