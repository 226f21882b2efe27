"""Pytest plugin: a real Kafka-protocol broker and real databases for every test that asks.

- ``kafka_bootstrap``: the embedded broker on a free port (or ``TEST_KAFKA_BOOTSTRAP_SERVERS``),
  with every topic of the contract created.
- ``database_backend``: "sqlite", and "postgres" too when ``TEST_POSTGRES_URL`` is set; every
  test that uses a database runs once per backend.
- ``new_database``: a fresh, empty database of the current backend, dropped afterwards.

A server that is configured but unreachable fails the tests; nothing is skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pytest

from devstack.broker import EmbeddedBroker, free_port
from medins_common.auth import Role, mint
from medins_common.events.catalog import TOPICS
from medins_common.kafka import ensure_topics
from medins_common.migrations import upgrade_async
from medins_common.pgadmin import create_database, database_url, drop_database
from medins_common.service import Runtime, ServiceDefinition, create_app
from medins_common.settings import DEV_JWT_SECRET, ServiceSettings


def postgres_server_url() -> str | None:
    return os.environ.get("TEST_POSTGRES_URL") or None


def _backends() -> list[str]:
    return ["sqlite", "postgres"] if postgres_server_url() else ["sqlite"]


# For the few tests of what only a database server does (dropping connections): they run in
# the PostgreSQL pass, which ``make test`` makes whenever TEST_POSTGRES_URL is set.
postgres_only = pytest.mark.parametrize(
    "database_backend", [b for b in _backends() if b == "postgres"], indirect=True
)


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    external = os.environ.get("TEST_KAFKA_BOOTSTRAP_SERVERS")
    if external:
        asyncio.run(ensure_topics(external, TOPICS))
        yield external
        return
    broker = EmbeddedBroker(
        port=free_port(), log_file=tmp_path_factory.mktemp("broker") / "broker.log"
    )
    broker.start()
    try:
        asyncio.run(ensure_topics(broker.bootstrap_servers, TOPICS))
        yield broker.bootstrap_servers
    finally:
        broker.stop()


@pytest.fixture(scope="session", params=_backends())
def database_backend(request: pytest.FixtureRequest) -> str:
    return request.param


NewDatabase = Callable[[str], Awaitable[str]]


@pytest.fixture
async def new_database(database_backend: str, tmp_path: Path) -> AsyncIterator[NewDatabase]:
    """Call with a name; get the URL of a fresh database of the current backend."""
    created: list[str] = []
    server = postgres_server_url()

    async def make(name: str) -> str:
        if database_backend == "sqlite":
            return f"sqlite+aiosqlite:///{tmp_path / name}.db"
        assert server is not None
        database = f"t_{uuid.uuid4().hex[:10]}_{name}"
        await create_database(server, database, exist_ok=False)
        created.append(database)
        return database_url(server, database)

    yield make
    for database in created:
        assert server is not None
        await drop_database(server, database)


@contextlib.asynccontextmanager
async def api_client(
    definition: ServiceDefinition, settings: ServiceSettings
) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    """The service's real app on a migrated database, called in-process over ASGI."""
    await upgrade_async(definition, settings.database_url)
    app = create_app(definition, settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client, app.state.runtime


def bearer(role: str, **claims: str) -> dict[str, str]:
    """Authorization header for a development token (the default development secret)."""
    token = mint(secret=DEV_JWT_SECRET, role=Role(role), subject=f"test-{role}", **claims)
    return {"Authorization": f"Bearer {token}"}
