"""``python -m <service> api|relay|consumers|migrate``: the same four commands for every service."""

from __future__ import annotations

import argparse
import asyncio

import uvicorn

from medins_common.migrations import upgrade
from medins_common.service import (
    ServiceDefinition,
    configure_process,
    create_app,
    run_consumers,
    run_relay,
)


def run_cli(definition: ServiceDefinition, argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m {definition.name}",
                                     description=definition.title)
    commands = parser.add_subparsers(dest="command", required=True)
    api = commands.add_parser("api", help="serve the HTTP API")
    api.add_argument("--host", default="127.0.0.1")
    api.add_argument("--port", type=int, default=8000)
    commands.add_parser("relay", help="publish the outbox to Kafka")
    commands.add_parser("consumers", help="apply events from Kafka through the inbox")
    commands.add_parser("migrate", help="upgrade the database to the latest migration")
    args = parser.parse_args(argv)

    settings = definition.settings_factory()
    configure_process(definition, settings)
    match args.command:
        case "api":
            config = uvicorn.Config(create_app(definition, settings), host=args.host,
                                    port=args.port, log_config=None, access_log=False)
            uvicorn.Server(config).run()
        case "relay":
            asyncio.run(run_relay(definition, settings))
        case "consumers":
            asyncio.run(run_consumers(definition, settings))
        case "migrate":
            upgrade(definition, settings.database_url)
