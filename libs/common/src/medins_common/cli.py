"""``python -m <service> api|relay|consumers|migrate``: the same four commands for every service."""

from __future__ import annotations

import argparse
import asyncio

import prometheus_client
import uvicorn

from medins_common.migrations import upgrade
from medins_common.service import (
    ServiceDefinition,
    configure_process,
    create_app,
    run_consumers,
    run_relay,
)


def serve_metrics(port: int | None) -> None:
    """Workers serve no API, so their counters get a small HTTP endpoint of their own."""
    if port:
        prometheus_client.start_http_server(port, addr="127.0.0.1")


def run_cli(definition: ServiceDefinition, argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog=f"python -m {definition.name}", description=definition.title
    )
    commands = parser.add_subparsers(dest="command", required=True)
    api = commands.add_parser("api", help="serve the HTTP API")
    api.add_argument("--host", default="127.0.0.1")
    api.add_argument("--port", type=int, default=8000)
    for name, text in (
        ("relay", "publish the outbox to Kafka"),
        ("consumers", "apply events from Kafka through the inbox"),
    ):
        worker = commands.add_parser(name, help=text)
        worker.add_argument(
            "--metrics-port", type=int, default=None, help="serve Prometheus metrics on this port"
        )
    commands.add_parser("migrate", help="upgrade the database to the latest migration")
    args = parser.parse_args(argv)

    settings = definition.settings_factory()
    configure_process(definition, settings)
    match args.command:
        case "api":
            config = uvicorn.Config(
                create_app(definition, settings),
                host=args.host,
                port=args.port,
                log_config=None,
                access_log=False,
            )
            uvicorn.Server(config).run()
        case "relay":
            serve_metrics(args.metrics_port)
            asyncio.run(run_relay(definition, settings))
        case "consumers":
            serve_metrics(args.metrics_port)
            asyncio.run(run_consumers(definition, settings))
        case "migrate":
            upgrade(definition, settings.database_url)
