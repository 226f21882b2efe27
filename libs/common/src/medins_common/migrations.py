"""Alembic glue: each service's ``env.py`` calls ``run_env``; code calls ``upgrade``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from medins_common.db import create_engine
from medins_common.service import ServiceDefinition

URL_ATTRIBUTE = "database_url"


def alembic_config(definition: ServiceDefinition, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(definition.migrations_dir))
    # Passed as an attribute, not an ini option, so '%' in a password needs no escaping.
    config.attributes[URL_ATTRIBUTE] = database_url
    return config


def upgrade(definition: ServiceDefinition, database_url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(definition, database_url), revision)


async def upgrade_async(definition: ServiceDefinition, database_url: str) -> None:
    """From inside a running event loop (tests): Alembic runs its own loop in a thread."""
    await asyncio.to_thread(upgrade, definition, database_url)


def run_env(metadata: MetaData, *, default_url: Callable[[], str]) -> None:
    url = context.config.attributes.get(URL_ATTRIBUTE) or default_url()
    if context.is_offline_mode():
        context.configure(
            url=url, target_metadata=metadata, literal_binds=True, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(url, metadata))


async def _run_online(url: str, metadata: MetaData) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync, metadata)
            await connection.commit()
    finally:
        await engine.dispose()


def _run_sync(connection: Connection, metadata: MetaData) -> None:
    context.configure(
        connection=connection, target_metadata=metadata, render_as_batch=True, compare_type=True
    )
    with context.begin_transaction():
        context.run_migrations()
