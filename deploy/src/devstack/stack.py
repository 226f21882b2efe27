"""The whole suite on one machine: broker, topics, databases, and every service's processes.

``make run`` uses it through ``devstack up``; the end-to-end tests use it directly, so the
suite they test is started exactly as a developer starts it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from devstack.broker import EmbeddedBroker
from medins_common.events.catalog import TOPICS
from medins_common.kafka import ensure_topics
from medins_common.pgadmin import create_database, database_url


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    port: int

    @property
    def env_prefix(self) -> str:
        return self.name.upper()


SERVICES = (
    ServiceSpec("filing", 8001),
    ServiceSpec("referral", 8002),
    ServiceSpec("settlement", 8003),
    ServiceSpec("clearing", 8004),
)
ROLES = ("api", "relay", "consumers")


@dataclass
class StackConfig:
    data_dir: Path
    kafka_bootstrap_servers: str | None = None  # None: start the embedded broker
    broker_port: int = 9092
    postgres_url: str | None = None  # None: one SQLite file per service
    database_prefix: str = "medins_"
    api_ports: dict[str, int] = field(default_factory=dict)  # by service; default: its own
    worker_metrics: bool = True  # relay and consumers serve /metrics on 90x1 and 90x2
    extra_env: dict[str, str] = field(default_factory=dict)

    def port(self, service: ServiceSpec) -> int:
        return self.api_ports.get(service.name, service.port)


class Stack:
    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.broker: EmbeddedBroker | None = None
        self.bootstrap_servers = config.kafka_bootstrap_servers or ""
        self.processes: dict[tuple[str, str], subprocess.Popen[bytes]] = {}

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> None:
        self.config.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(exist_ok=True)
        if not self.config.kafka_bootstrap_servers:
            self.broker = EmbeddedBroker(
                port=self.config.broker_port, log_file=self.log_dir / "broker.log"
            )
            self.broker.start()
            self.bootstrap_servers = self.broker.bootstrap_servers
        asyncio.run(self._prepare())
        for service in SERVICES:
            self.migrate(service)
        for service in SERVICES:
            for role in ROLES:
                self.start_process(service.name, role)
        self.wait_healthy()

    def stop(self) -> None:
        for key in list(self.processes):
            self.stop_process(*key)
        if self.broker:
            self.broker.stop()

    async def _prepare(self) -> None:
        await ensure_topics(self.bootstrap_servers, TOPICS)
        if self.config.postgres_url:
            for service in SERVICES:
                await create_database(self.config.postgres_url, self.database_name(service))

    # -- pieces ------------------------------------------------------------------------
    @property
    def log_dir(self) -> Path:
        return self.config.data_dir / "logs"

    def database_name(self, service: ServiceSpec) -> str:
        return f"{self.config.database_prefix}{service.name}"

    def database_url(self, service: ServiceSpec) -> str:
        if self.config.postgres_url:
            return database_url(self.config.postgres_url, self.database_name(service))
        return f"sqlite+aiosqlite:///{(self.config.data_dir / service.name).resolve()}.db"

    def base_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.config.port(spec(name))}"

    def env(self, service: ServiceSpec) -> dict[str, str]:
        return {
            **os.environ,
            **self.config.extra_env,
            f"{service.env_prefix}_DATABASE_URL": self.database_url(service),
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers,
            **{f"{other.env_prefix}_BASE_URL": self.base_url(other.name) for other in SERVICES},
            "PYTHONUNBUFFERED": "1",
        }

    def migrate(self, service: ServiceSpec) -> None:
        with (self.log_dir / f"{service.name}-migrate.log").open("ab") as log:
            subprocess.run(
                [sys.executable, "-m", service.name, "migrate"],
                env=self.env(service),
                stdout=log,
                stderr=subprocess.STDOUT,
                check=True,
            )

    def start_process(self, name: str, role: str) -> subprocess.Popen[bytes]:
        service = spec(name)
        command = [sys.executable, "-m", name, role]
        if role == "api":
            command += ["--port", str(self.config.port(service))]
        elif self.config.worker_metrics:
            command += ["--metrics-port", str(metrics_port(service, role))]
        with (self.log_dir / f"{name}-{role}.log").open("ab") as log:
            process = subprocess.Popen(
                command,
                env=self.env(service),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes[(name, role)] = process
        return process

    def stop_process(self, name: str, role: str, *, sig: int = signal.SIGTERM) -> None:
        process = self.processes.pop((name, role), None)
        if process is None or process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        for service in SERVICES:
            url = f"{self.base_url(service.name)}/readyz"
            while True:
                self._raise_if_exited()
                try:
                    if httpx.get(url, timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"{service.name} not ready after {timeout}s: see {self.log_dir}"
                    )
                time.sleep(0.1)

    def _raise_if_exited(self) -> None:
        for (name, role), process in self.processes.items():
            if process.poll() is not None:
                raise RuntimeError(
                    f"{name} {role} exited with {process.returncode}: "
                    f"see {self.log_dir / f'{name}-{role}.log'}"
                )


def metrics_port(service: ServiceSpec, role: str) -> int:
    """filing: relay 9011, consumers 9012; referral 9021/9022; and so on."""
    return 9000 + (service.port - 8000) * 10 + ROLES.index(role)


def spec(name: str) -> ServiceSpec:
    return next(service for service in SERVICES if service.name == name)
