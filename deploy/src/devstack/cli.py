"""``devstack up``: start the suite and keep it running until Ctrl-C."""

from __future__ import annotations

import argparse
import os
import signal
import time
from pathlib import Path

from devstack.stack import ROLES, SERVICES, Stack, StackConfig


def config_from_environment(data_dir: Path) -> StackConfig:
    return StackConfig(
        data_dir=data_dir,
        kafka_bootstrap_servers=os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or None,
        broker_port=int(os.environ.get("EMBEDDED_BROKER_PORT", "9092")),
        postgres_url=os.environ.get("STACK_POSTGRES_URL") or None,
    )


def up(stack: Stack) -> None:
    stopping = False

    def _stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        stack.start()
        print_summary(stack)
        while not stopping:
            for (name, role), process in stack.processes.items():
                if process.poll() is not None:
                    print(
                        f"{name} {role} exited ({process.returncode}); see "
                        f"{stack.log_dir / f'{name}-{role}.log'}"
                    )
                    stopping = True
                    break
            time.sleep(0.5)
    finally:
        print("\nstopping…", flush=True)
        stack.stop()
        print("stopped.")


def print_summary(stack: Stack) -> None:
    broker = "embedded Tansu" if stack.broker else "external Kafka"
    database = "PostgreSQL" if stack.config.postgres_url else "SQLite files"
    print(f"\nThe suite is up ({broker} at {stack.bootstrap_servers}; {database}).\n")
    for service in SERVICES:
        url = stack.base_url(service.name)
        print(f"  {service.name:<11} {url}   docs: {url}/docs")
    print(f"\n  processes: {', '.join(ROLES)} per service; logs in {stack.log_dir}")
    print("  worker metrics: relay on 90x1, consumers on 90x2 (filing 9011/9012 …)")
    print("  a token:   .venv/bin/mint-token --role admin")
    print("\nCtrl-C stops everything.", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="devstack", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("up", help="start the whole suite until Ctrl-C")
    start.add_argument("--data-dir", type=Path, default=Path(".data"))
    args = parser.parse_args()
    if args.command == "up":
        up(Stack(config_from_environment(args.data_dir)))


if __name__ == "__main__":
    main()
