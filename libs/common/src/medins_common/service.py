"""The composition of one service: its definition, its runtime, and its four processes.

Every service declares a ``ServiceDefinition`` in its ``bootstrap.py``; the same code then
builds its API app, runs its outbox relay and its consumers, and migrates its database.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from sqlalchemy.ext.asyncio import AsyncEngine

from medins_common.api.errors import install_problem_handlers
from medins_common.api.health import router as health_router
from medins_common.api.middleware import RequestContextMiddleware
from medins_common.db import create_engine, session_factory
from medins_common.inbox import ConsumerRunner, InboxProcessor, Subscription
from medins_common.kafka import create_producer, start_with_retry
from medins_common.logs import configure_logging
from medins_common.outbox import OutboxRelay
from medins_common.settings import ServiceSettings
from medins_common.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    title: str
    description: str
    settings_factory: Callable[[], ServiceSettings]
    migrations_dir: Path
    routers: Sequence[APIRouter] = ()
    subscriptions: Sequence[Subscription] = ()
    openapi_tags: Sequence[dict[str, str]] = field(default_factory=tuple)


@dataclass
class Runtime:
    """What a running process of the service holds: its settings, engine and unit of work."""

    name: str
    settings: ServiceSettings
    engine: AsyncEngine

    @classmethod
    def build(cls, definition: ServiceDefinition, settings: ServiceSettings) -> Runtime:
        engine = create_engine(settings.database_url, pool_size=settings.database_pool_size)
        return cls(name=definition.name, settings=settings, engine=engine)

    def __post_init__(self) -> None:
        self._sessions = session_factory(self.engine)

    def uow(self, *, hold_commit: bool = False) -> UnitOfWork:
        return UnitOfWork(self._sessions, producer=self.name, hold_commit=hold_commit)

    async def dispose(self) -> None:
        await self.engine.dispose()


# Dependencies are ``async def`` although they never await: FastAPI runs a plain ``def``
# dependency in a worker thread, a hand-off that costs more than the function itself.
async def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


async def _new_uow(request: Request) -> UnitOfWork:
    return request.app.state.runtime.uow()


RuntimeDep = Annotated[Runtime, Depends(_runtime)]
UnitOfWorkDep = Annotated[UnitOfWork, Depends(_new_uow)]


def create_app(definition: ServiceDefinition, settings: ServiceSettings | None = None) -> FastAPI:
    settings = settings or definition.settings_factory()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime.build(definition, settings)
        app.state.runtime = runtime
        try:
            with collector_for_a_long_lived_process():
                yield
        finally:
            await runtime.dispose()

    app = FastAPI(
        title=definition.title,
        description=definition.description,
        version="1.0.0",
        lifespan=lifespan,
        openapi_tags=list(definition.openapi_tags) or None,
    )
    app.state.settings = settings
    install_problem_handlers(app)
    app.add_middleware(RequestContextMiddleware, service=definition.name)
    app.include_router(health_router)
    for router in definition.routers:
        app.include_router(router)
    return app


async def run_relay(definition: ServiceDefinition, settings: ServiceSettings) -> None:
    runtime = Runtime.build(definition, settings)
    producer = create_producer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        enable_idempotence=settings.kafka_enable_idempotence,
        client_id=f"{definition.name}-relay",
    )
    await start_with_retry(producer.start, what=f"{definition.name} relay")
    relay = OutboxRelay(
        engine=runtime.engine,
        producer=producer,
        service=definition.name,
        batch_size=settings.relay_batch_size,
        idle_seconds=settings.relay_idle_seconds,
    )
    log.info("%s relay started", definition.name)
    try:
        with collector_for_a_long_lived_process():
            await relay.run(_stop_on_signals())
    finally:
        await producer.stop()
        await runtime.dispose()


async def run_consumers(definition: ServiceDefinition, settings: ServiceSettings) -> None:
    runtime = Runtime.build(definition, settings)
    stop = _stop_on_signals()
    runners = [
        ConsumerRunner(
            processor=InboxProcessor(
                subscription=subscription,
                uow_factory=runtime.uow,
                max_attempts=settings.consumer_max_attempts,
                retry_base_seconds=settings.consumer_retry_base_seconds,
            ),
            bootstrap_servers=settings.kafka_bootstrap_servers,
        )
        for subscription in definition.subscriptions
    ]
    log.info(
        "%s consumers started: %s", definition.name, [s.name for s in definition.subscriptions]
    )
    try:
        with collector_for_a_long_lived_process():
            if runners:
                await asyncio.gather(*(runner.run(stop) for runner in runners))
            else:
                await stop.wait()
    finally:
        await runtime.dispose()


# Requests free nearly everything they allocate by reference counting; Python's default
# threshold (700) still ran a young collection every few settlements, and a full collection
# walked every object of the started process (the framework's, the ORM's, the schemas'): one
# took ~95 ms, every settlement waiting for it was a p99 outlier. So: what exists once the
# process has started is frozen out of the collector's walks, and young collections run
# after 10,000 net allocations instead of 700.
YOUNG_COLLECTION_THRESHOLD = 10_000


class _ProcessCollector:
    """Tuned while any part of the process (an app, a relay, consumers) holds it, and as it
    was once the last lets go (tests start and stop many apps in one process)."""

    def __init__(self) -> None:
        self._holders = 0
        self._threshold_found: tuple[int, int, int]  # set by the first holder

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        if self._holders == 0:
            self._threshold_found = gc.get_threshold()
            gc.collect()
            gc.freeze()
            gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *self._threshold_found[1:])
        self._holders += 1
        try:
            yield
        finally:
            self._holders -= 1
            if self._holders == 0:
                gc.set_threshold(*self._threshold_found)
                gc.unfreeze()


_PROCESS_COLLECTOR = _ProcessCollector()


def collector_for_a_long_lived_process() -> contextlib.AbstractContextManager[None]:
    return _PROCESS_COLLECTOR.held()


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


def configure_process(definition: ServiceDefinition, settings: ServiceSettings) -> None:
    configure_logging(service=definition.name, level=settings.log_level)
