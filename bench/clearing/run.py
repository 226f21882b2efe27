"""Clearing at the scale of a month: ingestion rate, the clearing run, and a plain SQL baseline.

Not a test. On a fresh PostgreSQL database (migrated like the service's own) it:

1. generates N settled bills (default 1,000,000) across 30 regions, 870 region pairs and 150
   treatment-place institutions, all in one settlement month, and produces them as
   BillSettled envelopes onto ``settlement.bills.v1`` of an embedded broker (Tansu, as in
   ``make run``) on a free port; the envelopes are those settlement's relay sends;
2. (a) ingestion: runs the real consumer (``ConsumerRunner`` + ``InboxProcessor`` with the
   ``clearing.ledger`` subscription, the inbox, the ledger's entries and lines) until every
   bill is posted, and reports events per second;
3. (c) baseline: a plain ``SELECT pair, count(*), sum(amount) … GROUP BY pair`` over the same
   ledger rows (median of three);
4. (b) the clearing run (``execute_run``: reconcile, close, net per pair and institution,
   write the statements, ClearingPeriodClosed into the outbox). Settlement's side of the
   reconciliation is answered in-process (httpx.MockTransport) with the totals and hospital
   days computed from the same generated bills, so the run finds no difference and closes;
5. prints the figures and the ratios against the targets: ingestion ≥ 3,000 events/s, the run
   ≤ 3× the baseline and < 60 s; with each turn's ratio and the machine's load average.

Before the baselines and the run the table is VACUUM ANALYZEd, as autovacuum would have done
during the month; both read the same warm table. As the machine may be shared, baselines and run
are timed in turns (``--repeat``, default 3; between turns the run is undone on this scratch
database, its tables emptied) and the medians compared.

Run: ``make bench-clearing BENCH_ARGS="--bills 200000"`` or
``.venv/bin/python bench/clearing/run.py [--help]``; BENCH_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/postgres) names the server. Results are also written to
``bench/results/clearing-<time>.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from sqlalchemy import text

from clearing.adapters.settlement_client import SettlementClient
from clearing.bootstrap import SERVICE
from clearing.config import ClearingSettings
from clearing.service_layer import clearing_runs
from clearing.service_layer.handlers import LEDGER
from devstack.broker import EmbeddedBroker, free_port
from medins_common.auth import Principal, Role
from medins_common.events.schemas import BILLS
from medins_common.inbox import ConsumerRunner, InboxProcessor
from medins_common.kafka import ensure_topics
from medins_common.logs import configure_logging
from medins_common.migrations import upgrade_async
from medins_common.outbox import kafka_headers
from medins_common.pgadmin import create_database, database_url, drop_database
from medins_common.service import Runtime
from medins_common.settings import DEV_JWT_SECRET
from medins_common.timeutil import SHANGHAI

RESULTS = Path(__file__).resolve().parents[1] / "results"
# The 30 provinces from Beijing to Ningxia (GB/T 2260).
REGIONS = [
    f"{province}0000"
    for province in (
        11,
        12,
        13,
        14,
        15,
        21,
        22,
        23,
        31,
        32,
        33,
        34,
        35,
        36,
        37,
        41,
        42,
        43,
        44,
        45,
        46,
        50,
        51,
        52,
        53,
        54,
        61,
        62,
        63,
        64,
    )
]
INSTITUTIONS_PER_REGION = 5
FEN = Decimal("0.01")


# -- the month's bills --------------------------------------------------------------------------


class Month:
    """Generated bills, as envelopes, and what settlement would answer for them."""

    def __init__(self, *, bills: int, period: str, seed: int) -> None:
        self.period = period
        self.messages: list[tuple[bytes, bytes, list[tuple[str, bytes]]]] = []
        self.pairs: dict[tuple[str, str], dict[str, Any]] = {}
        self.days: dict[tuple[str, str], dict[str, Any]] = {}
        year, month = (int(part) for part in period.split("-"))
        rng = random.Random(seed)
        pairs = [(i, t) for i in REGIONS for t in REGIONS if i != t]
        moment = datetime.now(SHANGHAI).isoformat()
        for number in range(bills):
            insured, treatment = (
                pairs[number % len(pairs)] if number < len(pairs) else rng.choice(pairs)
            )
            institution = f"H{treatment[:4]}{rng.randrange(INSTITUTIONS_PER_REGION):07d}"
            day = rng.randint(1, 28)
            settled_at = datetime(
                year, month, day, rng.randint(8, 20), rng.randint(0, 59), tzinfo=SHANGHAI
            )
            fund_fen = rng.randint(1, 800_000)
            medfee_fen = fund_fen + rng.randint(0, 300_000)
            acct_fen = rng.randint(0, medfee_fen - fund_fen)
            fund, medfee, acct = (Decimal(v) * FEN for v in (fund_fen, medfee_fen, acct_fen))
            part, cash = medfee - fund, medfee - fund - acct
            bill_id = f"{period}-{number:08d}"
            payload = {
                "bill_id": bill_id,
                "setl_id": f"S{number:010d}",
                "mdtrt_id": f"M{number:010d}",
                "institution_code": institution,
                "psn_no": f"{insured[:2]}{number:018d}",
                "insured_region": insured,
                "treatment_region": treatment,
                "insutype": "310",
                "med_type": "21",
                "period": period,
                "medfee_sumamt": str(medfee),
                "fund_pay_sumamt": str(fund),
                "psn_part_amt": str(part),
                "acct_pay": str(acct),
                "psn_cash_pay": str(cash),
                "clr_optins": treatment,
                "settled_at": settled_at.isoformat(),
            }
            event_id, correlation_id = str(uuid.uuid4()), uuid.uuid4().hex
            envelope = {
                "event_id": event_id,
                "event_type": "BillSettled",
                "version": 1,
                "occurred_at": moment,
                "producer": "settlement",
                "correlation_id": correlation_id,
                "payload": payload,
            }
            self.messages.append(
                (
                    bill_id.encode(),
                    json.dumps(envelope).encode(),
                    kafka_headers(
                        event_id=event_id, event_type="BillSettled", correlation_id=correlation_id
                    ),
                )
            )
            totals = self.pairs.setdefault(
                (insured, treatment),
                {
                    "settled_count": 0,
                    "medfee_sumamt": Decimal(0),
                    "fund_pay_sumamt": Decimal(0),
                    "psn_part_amt": Decimal(0),
                    "psn_cash_pay": Decimal(0),
                },
            )
            totals["settled_count"] += 1
            totals["medfee_sumamt"] += medfee
            totals["fund_pay_sumamt"] += fund
            totals["psn_part_amt"] += part
            totals["psn_cash_pay"] += cash
            figures = self.days.setdefault(
                (institution, settled_at.date().isoformat()),
                {
                    "count": 0,
                    "medfee_sumamt": Decimal(0),
                    "fund_pay_sumamt": Decimal(0),
                    "cash": Decimal(0),
                },
            )
            figures["count"] += 1
            figures["medfee_sumamt"] += medfee
            figures["fund_pay_sumamt"] += fund
            figures["cash"] += cash

    def settlement_answers(self, request: httpx.Request) -> httpx.Response:
        """Settlement's period endpoints for this month, computed from the same bills."""
        if request.url.path == f"/v1/periods/{self.period}/totals":
            pairs = [
                {
                    "insured_region": i,
                    "treatment_region": t,
                    "reversed_count": 0,
                    **{k: (str(v) if isinstance(v, Decimal) else v) for k, v in totals.items()},
                }
                for (i, t), totals in self.pairs.items()
            ]
            return httpx.Response(200, json={"period": self.period, "pairs": pairs})
        if request.url.path == f"/v1/periods/{self.period}/hospital-reconciliations":
            days = []
            for (institution, day), figures in self.days.items():
                shown = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in figures.items()}
                days.append(
                    {
                        "institution_code": institution,
                        "day": day,
                        "declared": shown,
                        "computed": shown,
                        "result": "match",
                    }
                )
            return httpx.Response(200, json={"period": self.period, "days": days})
        return httpx.Response(404, json={"code": "not_found"})


# -- the steps ----------------------------------------------------------------------------------


async def produce(bootstrap: str, month: Month) -> float:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", linger_ms=20, max_batch_size=512 * 1024
    )
    await producer.start()
    started = time.perf_counter()
    try:
        for first in range(0, len(month.messages), 20_000):
            chunk = month.messages[first : first + 20_000]
            deliveries = [
                await producer.send(BILLS, value=value, key=key, headers=headers)
                for key, value, headers in chunk
            ]
            await asyncio.gather(*deliveries)
    finally:
        await producer.stop()
    return time.perf_counter() - started


async def ingest(runtime: Runtime, bootstrap: str, expected: int) -> float:
    """The real consumer until every bill is in the ledger; seconds from its start."""
    stop = asyncio.Event()
    runner = ConsumerRunner(
        processor=InboxProcessor(subscription=LEDGER, uow_factory=runtime.uow),
        bootstrap_servers=bootstrap,
    )
    started = time.perf_counter()
    task = asyncio.create_task(runner.run(stop))
    last_report = started
    try:
        while True:
            await asyncio.sleep(0.5)
            if task.done():
                task.result()
            async with runtime.engine.connect() as conn:
                posted = int(
                    await conn.scalar(text("SELECT coalesce(max(entry_id), 0) FROM ledger_entries"))
                )
            now = time.perf_counter()
            if posted >= expected:
                return now - started
            if now - last_report > 15:
                print(f"    … {posted:,} posted, {posted / (now - started):,.0f}/s", flush=True)
                last_report = now
    finally:
        stop.set()
        await task


BASELINES = {
    # The plainest aggregate: what each pair owes (the ratio's denominator, the strict choice).
    "minimal": "count(*), sum(amount)",
    # The same, with every sum a statement shows.
    "statement sums": "count(*), sum(medfee_sumamt), sum(amount), sum(psn_cash_pay)",
}


async def baseline(runtime: Runtime, period: str, sums: str) -> float:
    """A plain GROUP BY pair over the period's ledger rows, median of three."""
    query = text(
        f"SELECT insured_region, treatment_region, {sums} FROM ledger_entries "
        "WHERE period = :period GROUP BY insured_region, treatment_region"
    )
    times = []
    for _ in range(3):
        started = time.perf_counter()
        async with runtime.engine.connect() as conn:
            rows = (await conn.execute(query, {"period": period})).all()
        times.append(time.perf_counter() - started)
    assert rows
    return statistics.median(times)


async def undo_run(runtime: Runtime) -> None:
    """Bench only: forget the run and reopen the period, so the run can be timed again.

    Emptied, not deleted from: every turn writes into tables as fresh as the first turn's, not
    past the dead rows of the turns before (no autovacuum runs between turns).
    """
    async with runtime.engine.begin() as conn:
        await conn.execute(
            text(
                "TRUNCATE reconciliation_differences, statements, clearing_runs, closed_periods, "
                "outbox"
            )
        )


async def clearing_run(
    runtime: Runtime, month: Month, settings: ClearingSettings
) -> tuple[float, dict[str, Any]]:
    admin = Principal(subject="bench-admin", role=Role.ADMIN)
    started = time.perf_counter()
    run, _ = await clearing_runs.start_run(
        runtime.uow(), period=month.period, principal=admin, lease=settings.run_lease
    )
    async with SettlementClient(
        base_url="http://settlement.bench",
        jwt_secret=DEV_JWT_SECRET,
        timeout_seconds=30,
        transport=httpx.MockTransport(month.settlement_answers),
    ) as settlement:
        await clearing_runs.execute_run(
            runtime, run_id=run.run_id, settlement=settlement, lease=settings.run_lease
        )
    seconds = time.perf_counter() - started
    finished = await clearing_runs.get_run(runtime.uow(), run_id=run.run_id)
    return seconds, {
        "status": finished.status.value,
        "progress": finished.progress,
        "error": finished.error,
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    server = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    database = f"bench_clearing_{uuid.uuid4().hex[:8]}"
    print(
        f"generating {args.bills:,} settled bills of {args.period} across {len(REGIONS)} regions …",
        flush=True,
    )
    started = time.perf_counter()
    month = Month(bills=args.bills, period=args.period, seed=args.seed)
    seconds = time.perf_counter() - started
    print(f"  {len(month.pairs)} pairs, {len(month.days)} institution-days, in {seconds:.1f} s")
    broker = EmbeddedBroker(port=free_port(), log_file=Path(tempfile.mkdtemp()) / "broker.log")
    broker.start()
    await create_database(server, database, exist_ok=False)
    url = database_url(server, database)
    settings = ClearingSettings(database_url=url, kafka_bootstrap_servers=broker.bootstrap_servers)
    runtime = Runtime.build(SERVICE, settings)
    try:
        await upgrade_async(SERVICE, url)
        await ensure_topics(broker.bootstrap_servers, [BILLS])
        seconds = await produce(broker.bootstrap_servers, month)
        print(
            f"  produced onto {BILLS} in {seconds:.1f} s ({args.bills / seconds:,.0f}/s)",
            flush=True,
        )
        messages = len(month.messages)
        month.messages.clear()  # the generator's copy is not needed any more

        print("(a) ingestion through the real consumer …", flush=True)
        ingest_seconds = await ingest(runtime, broker.bootstrap_servers, messages)
        rate = messages / ingest_seconds
        print(
            f"    {messages:,} events in {ingest_seconds:.1f} s: {rate:,.0f} events/s", flush=True
        )

        async with runtime.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE ledger_entries"))
            await conn.execute(text("VACUUM ANALYZE ledger_lines"))
        # The machine is shared: the baselines and the run are timed in turns, --repeat times,
        # and the medians compared. Between turns the run is undone on this scratch database.
        timings: dict[str, list[float]] = {name: [] for name in (*BASELINES, "run")}
        for turn in range(args.repeat):
            if turn:
                await undo_run(runtime)
            print(f"(c) baselines, (b) the clearing run: turn {turn + 1} of {args.repeat} …")
            for name, sums in BASELINES.items():
                timings[name].append(await baseline(runtime, args.period, sums))
            run_seconds, outcome = await clearing_run(runtime, month, settings)
            timings["run"].append(run_seconds)
            print(
                "    "
                + ", ".join(f"{name} {seconds[-1]:.3f} s" for name, seconds in timings.items())
                + f" ({timings['run'][-1] / timings['minimal'][-1]:.2f}×); the run "
                + f"{outcome['status']}; load average {os.getloadavg()[0]:.2f}",
                flush=True,
            )
            if outcome["status"] != "closed":
                print(f"    the run did not close: {outcome}", file=sys.stderr)
        print(f"    the last run's counts: {outcome['progress']}")
        baselines = {name: statistics.median(timings[name]) for name in BASELINES}
        run_seconds = statistics.median(timings["run"])
        load = os.getloadavg()
    finally:
        await runtime.dispose()
        broker.stop()
        if not args.keep_database:
            await drop_database(server, database)
    baseline_seconds = baselines["minimal"]
    ratio = run_seconds / baseline_seconds
    verdict = {
        "ingestion >= 3000 events/s": rate >= 3000,
        "run <= 3x baseline": ratio <= 3,
        "run < 60 s": run_seconds < 60,
    }
    results = {
        "bills": messages,
        "period": args.period,
        "regions": len(REGIONS),
        "pairs": len(month.pairs),
        "ingestion_seconds": round(ingest_seconds, 2),
        "ingestion_events_per_second": round(rate),
        "baseline_seconds": round(baseline_seconds, 3),
        "baseline_statement_sums_seconds": round(baselines["statement sums"], 3),
        "run_over_statement_sums_baseline": round(run_seconds / baselines["statement sums"], 2),
        "timings": {
            name: [round(value, 3) for value in values] for name, values in timings.items()
        },
        "run_seconds": round(run_seconds, 3),
        "run_over_baseline": round(ratio, 2),
        "turn_ratios": [
            round(run / plain, 2)
            for run, plain in zip(timings["run"], timings["minimal"], strict=True)
        ],
        "load_average": [round(value, 2) for value in load],
        "run": outcome,
        "targets_met": verdict,
        "cpus": os.cpu_count(),
        "log_level": args.log_level,
    }
    print()
    print(f"bills                  {messages:>12,}")
    met = {True: "met", False: "MISSED"}
    print(
        f"ingestion              {rate:>12,.0f} events/s   (target ≥ 3,000)   "
        f"{met[verdict['ingestion >= 3000 events/s']]}"
    )
    print(
        f"plain GROUP BY pair    {baseline_seconds:>12.3f} s   (with the statement's sums: "
        f"{baselines['statement sums']:.3f} s)"
    )
    print(
        f"clearing run           {run_seconds:>12.3f} s   = {ratio:.2f}× baseline "
        f"(target ≤ 3×, < 60 s)   {met[verdict['run <= 3x baseline'] and verdict['run < 60 s']]}"
    )
    print(
        f"turns (run / plain)    {', '.join(f'{value:.2f}×' for value in results['turn_ratios'])}"
    )
    print(f"load average           {' '.join(f'{value:.2f}' for value in load)} (1, 5, 15 min)")
    return results


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bills", type=int, default=1_000_000, help="settled bills in the month")
    parser.add_argument("--period", default="2026-10", help="the settlement month (YYYY-MM)")
    parser.add_argument("--seed", type=int, default=20261)
    parser.add_argument(
        "--log-level",
        default="WARNING",
        help="the consumer's log level (INFO writes a line per event, as `make run`)",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="turns of baselines and run (medians)"
    )
    parser.add_argument("--keep-database", action="store_true", help="do not drop the database")
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse()
    configure_logging(service="clearing-bench", level=arguments.log_level)
    outcome = asyncio.run(main(arguments))
    RESULTS.mkdir(exist_ok=True)
    target = RESULTS / f"clearing-{datetime.now():%Y%m%d-%H%M%S}.json"
    target.write_text(json.dumps(outcome, indent=2, default=str))
    print(f"\nwritten to {target}")
