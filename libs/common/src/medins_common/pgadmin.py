"""Create and drop PostgreSQL databases (the development stack and the tests own theirs)."""

from __future__ import annotations

import asyncpg
from sqlalchemy.engine import make_url


def _server_dsn(server_url: str) -> str:
    url = make_url(server_url).set(drivername="postgresql", database="postgres")
    return url.render_as_string(hide_password=False)


def database_url(server_url: str, database: str) -> str:
    """The SQLAlchemy URL of one database on the server."""
    url = make_url(server_url).set(drivername="postgresql+asyncpg", database=database)
    return url.render_as_string(hide_password=False)


async def create_database(server_url: str, database: str, *, exist_ok: bool = True) -> None:
    conn = await asyncpg.connect(_server_dsn(server_url))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if exists and exist_ok:
            return
        await conn.execute(f'CREATE DATABASE "{database}"')
    finally:
        await conn.close()


async def drop_database(server_url: str, database: str) -> None:
    conn = await asyncpg.connect(_server_dsn(server_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await conn.close()
