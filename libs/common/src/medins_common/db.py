"""Async engine and unit of work for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from medins_common.jsontext import from_json_text, json_text


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """Create an engine; on SQLite, WAL + synchronous=FULL and one writer at a time.

    On SQLite, writing transactions (a unit of work, ``writing()``) start with BEGIN
    IMMEDIATE, so two writers never both read and then fail to upgrade their lock: the
    second simply waits (busy_timeout). Reads begin deferred and, under WAL, wait for no one.
    """
    json_codec = {"json_serializer": json_text, "json_deserializer": from_json_text}
    if is_sqlite(url):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **json_codec)
        _configure_sqlite(engine)
        return engine
    # A fixed pool: under load, "overflow" connections would be opened and closed again
    # request after request (a server process forked, statements prepared anew each time);
    # with none, a request waits for a connection instead. No pre-ping: it costs a round
    # trip per checkout, on every request. A connection the server dropped fails its
    # statement instead; SQLAlchemy then renews the whole pool, and the API answers 503
    # ``database_unavailable`` (hospital POSTs are safe to retry).
    return create_async_engine(url, pool_size=pool_size, max_overflow=0, **json_codec)


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to the "begin" hook below (pysqlite's own is lazy).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


SQLITE_BEGIN = "sqlite_begin"
WRITE_OPTIONS = {SQLITE_BEGIN: "IMMEDIATE"}  # ignored by PostgreSQL


@contextlib.asynccontextmanager
async def writing(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A short writing transaction outside a unit of work (relay bookkeeping, key claims)."""
    async with engine.connect() as conn:
        conn = await conn.execution_options(**WRITE_OPTIONS)
        async with conn.begin():
            yield conn


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await _select_one(conn)


async def _select_one(conn: AsyncConnection) -> None:
    await conn.exec_driver_sql("SELECT 1")


async def upsert(
    session: AsyncSession, table: Any, values: dict[str, Any], *, key: Sequence[str]
) -> None:
    """Insert a row or update it in place by its key: read models replay events this way."""
    statement = dialect_insert(session, table).values(**values)
    updates = {name: statement.excluded[name] for name in values if name not in key}
    await session.execute(statement.on_conflict_do_update(index_elements=list(key), set_=updates))


def dialect_insert(bind: AsyncSession | AsyncConnection, table: Any) -> Any:
    """INSERT with the dialect's ON CONFLICT support (PostgreSQL and SQLite share its form)."""
    dialect = bind.get_bind().dialect if isinstance(bind, AsyncSession) else bind.dialect
    return insert_for(dialect.name, table)


def insert_for(dialect_name: str, table: Any) -> Any:
    """``dialect_insert`` by the dialect's name, for statements built once per dialect."""
    return (postgresql if dialect_name == "postgresql" else sqlite).insert(table)
