"""A connection the database server dropped: the API answers 503 and the pool renews itself.

The pool does not ping a connection before each use (that would cost a round trip per
request), so a dropped connection shows only when a statement fails on it.
"""

from __future__ import annotations

import asyncpg

from devstack.testing import postgres_only
from settlement.adapters.tables import bills

from .conftest import HOSPITAL, assert_problem, bill_body


async def drop_the_pools_connections(database_url: str) -> int:
    """What a server restart or an idle-connection killer does to the pool's connections."""
    admin = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        return await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()


async def settle(app, setl_id: str):
    return await app.client.post("/v1/settlements", json=bill_body(setl_id), headers=HOSPITAL)


@postgres_only
async def test_a_dropped_connection_is_503_and_the_retry_settles_once(ready):
    assert (await settle(ready, "S1")).status_code == 201
    assert await drop_the_pools_connections(ready.runtime.settings.database_url) >= 1

    lost = await settle(ready, "S2")
    retried = await settle(ready, "S2")

    assert_problem(lost, 503, "database_unavailable", None)
    assert lost.headers["Retry-After"] == "1"
    assert retried.status_code == 201
    assert await ready.count(bills) == 2
