"""Settlement throughput and latency on PostgreSQL, against two baselines on the same machine.

Not a test. It creates a fresh PostgreSQL database, migrates it (the shipped reference data
comes with the migration), seeds settlement's read models with one Beijing level-3 hospital
and many Tianjin employees filed long-term to Beijing, and then measures:

1. the settlement API (``settlement.asgi:app`` under uvicorn), posting settlements of
   20 lines each over HTTP from concurrent keep-alive clients, as fast as it answers;
2. baseline A: a bare FastAPI endpoint under the same uvicorn, validating the same body model
   and echoing it;
3. baseline B: raw asyncpg writing the same rows a settlement writes (accumulator row claimed
   and locked in one upsert, bill row with its lines and trace, accumulator update, outbox row);
4. the settlement API again, at half its measured peak (an open loop at a fixed rate), for p99.

Run: ``make bench-settlement`` or ``.venv/bin/python bench/settlement/run.py [--help]``;
BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres) names the server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import asyncpg
import httpx

from devstack.testing import bearer
from medins_common.migrations import upgrade
from medins_common.pgadmin import create_database, database_url, drop_database
from medins_common.service import Runtime
from settlement.adapters import read_model
from settlement.bootstrap import SERVICE
from settlement.config import SettlementSettings
from settlement.domain.defaults import DEFAULT_CATALOGUES

HERE = Path(__file__).parent
HOSPITAL_CODE = "H11010500001"
LINES_PER_BILL = 20
ENDDATE = date(2026, 11, 1)


@dataclass
class Run:
    name: str
    completed: int
    seconds: float
    latencies_ms: list[float]
    errors: int = 0

    @property
    def per_second(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    def line(self) -> str:
        latency = (
            f"p50 {self.percentile(0.50):7.1f} ms  p99 {self.percentile(0.99):7.1f} ms"
            if self.latencies_ms
            else ""
        )
        errors = f"  errors {self.errors}" if self.errors else ""
        return (
            f"{self.name:<44} {self.per_second:8.1f} /s  ({self.completed} in "
            f"{self.seconds:5.1f} s)  {latency}{errors}"
        )


# -- the workload ---------------------------------------------------------------------------


def bill_lines() -> list[dict[str, str]]:
    """20 lines of Beijing's shipped catalogue, priced within their caps."""
    beijing = next(c for c in DEFAULT_CATALOGUES if c.region == "110000")
    items = [item for item in beijing.items][:LINES_PER_BILL]
    lines = []
    for index, item in enumerate(items):
        price = item.price_cap if item.price_cap is not None else Decimal("12.50")
        lines.append({"med_list_codg": item.code, "cnt": str(1 + index % 3), "pric": str(price)})
    return lines


def settlement_bodies(persons: int) -> Iterator[bytes]:
    lines = bill_lines()
    total = sum(Decimal(line["cnt"]) * Decimal(line["pric"]) for line in lines)
    while True:
        setl_id = uuid.uuid4().hex[:20]
        yield json.dumps(
            {
                "setl_id": setl_id,
                "psn_no": f"B{random.randrange(persons):09d}",
                "mdtrt_id": f"M{setl_id}",
                "insutype": "310",
                "med_type": "21",
                "begndate": "2026-10-25",
                "enddate": ENDDATE.isoformat(),
                "medfee_sumamt": f"{total:.2f}",
                "lines": lines,
            }
        ).encode()


async def seed(url: str, persons: int) -> None:
    runtime = Runtime.build(SERVICE, SettlementSettings(database_url=url))
    try:
        async with runtime.uow() as uow:
            await read_model.save_institution(
                uow.session,
                {
                    "code": HOSPITAL_CODE,
                    "name": "北京朝阳医院",
                    "region": "110105",
                    "kind": "hospital",
                    "level": 3,
                    "designated": True,
                    "networked_services": ["inpatient", "general_outpatient"],
                    "consortium_id": None,
                    "jjj_mutual_recognition": False,
                },
            )
            for number in range(persons):
                psn_no = f"B{number:09d}"
                await read_model.save_person(
                    uow.session,
                    {
                        "psn_no": psn_no,
                        "name": "张三",
                        "insured_region": "120000",
                        "insutype": "310",
                        "person_type": "employee_in_service",
                        "status": "active",
                    },
                )
                await read_model.save_filing(
                    uow.session,
                    {
                        "filing_id": f"F{psn_no}",
                        "psn_no": psn_no,
                        "filing_class": "long_term",
                        "subtype": "long_term_resident",
                        "destination_region": "110000",
                        "start_date": date(2025, 1, 1),
                        "end_date": None,
                        "scope": None,
                    },
                )
            await uow.commit()
    finally:
        await runtime.dispose()


# -- drivers --------------------------------------------------------------------------------


async def settle_the_disk(pool: asyncpg.Pool) -> None:
    """Before each measured run, what the earlier runs wrote goes to disk: a checkpoint, then
    the kernel's dirty pages. Otherwise the kernel writes them back 30 s later, in the middle
    of a later run, and the WAL flush every commit waits for slows down with it (seen as
    stalls of 100-200 ms in the half-rate run, charged to the settlement API for what the
    baselines had written). A run's own writes still count, if it lasts long enough."""
    await pool.execute("CHECKPOINT")
    await asyncio.to_thread(os.sync)


@contextlib.contextmanager
def without_collector_pauses() -> Iterator[None]:
    """The benchmark's own collector stays out of a measured run, as timeit's does, and
    collects between runs instead. A full collection of this process was seen to take
    60-70 ms, and every request in flight would have counted it as the server's latency."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def closed_loop(
    name: str,
    send: Callable[[], Awaitable[bool]],
    *,
    concurrency: int,
    count: int,
    seconds: float,
) -> Run:
    """As fast as it answers: ``concurrency`` workers, until ``count`` or ``seconds``."""
    latencies: list[float] = []
    errors = 0
    issued = 0

    async def worker() -> None:
        nonlocal issued, errors
        while issued < count and time.perf_counter() < deadline:
            issued += 1
            started = time.perf_counter()
            ok = await send()
            if ok:
                latencies.append((time.perf_counter() - started) * 1000)
            else:
                errors += 1

    with without_collector_pauses():
        began = time.perf_counter()
        deadline = began + seconds
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Run(name, len(latencies), time.perf_counter() - began, latencies, errors)


async def open_loop(
    name: str, send: Callable[[], Awaitable[bool]], *, rate: float, seconds: float
) -> Run:
    """A fixed arrival rate, whatever the answers: latency under a steady load."""
    latencies: list[float] = []
    errors = 0

    async def one() -> None:
        nonlocal errors
        started = time.perf_counter()
        if await send():
            latencies.append((time.perf_counter() - started) * 1000)
        else:
            errors += 1

    tasks = []
    with without_collector_pauses():
        began = time.perf_counter()
        for number in range(int(rate * seconds)):
            delay = began + number / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one()))
        await asyncio.gather(*tasks)
    return Run(name, len(latencies), time.perf_counter() - began, latencies, errors)


class Connections:
    """Keep-alive HTTP/1.1 connections to one server, reused by whoever is free.

    A few lines of asyncio streams rather than a full HTTP client: the client shares the
    machine with the server, and the cheaper it is, the more the figures measure the server.
    """

    def __init__(self, port: int) -> None:
        self._port = port
        # Taken oldest first: a steady load then goes round all the connections, so it
        # reaches every uvicorn worker, as a load balancer's would; newest first, a light
        # load kept reusing the same few and queued on one worker while the other idled.
        self._idle: deque[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = deque()

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        reader, writer = (
            self._idle.popleft()
            if self._idle
            else await asyncio.open_connection("127.0.0.1", self._port)
        )
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Length: {len(body)}\r\n"
            f"{head}\r\n".encode()
            + body
        )
        status_line = await reader.readline()
        if not status_line:  # the server closed an idle connection: open another
            writer.close()
            return await self.post(path, body, headers)
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        await reader.readexactly(length)
        self._idle.append((reader, writer))
        return int(status_line.split()[1])

    def close(self) -> None:
        for _, writer in self._idle:
            writer.close()


def http_sender(
    connections: Connections, path: str, bodies: Iterator[bytes], expected: int
) -> Callable[[], Awaitable[bool]]:
    headers = {
        **bearer("hospital", institution_code=HOSPITAL_CODE),
        "Content-Type": "application/json",
    }

    async def send() -> bool:
        return await connections.post(path, next(bodies), headers) == expected

    return send


# -- baseline B: raw asyncpg writing a settlement's rows ------------------------------------

RAW_STATEMENTS = {
    "claim": "INSERT INTO accumulators (psn_no, insutype, year, care_type, deductible_used, "
    "fund_paid, admissions, updated_at) VALUES ($1, '310', 2026, 'inpatient', 0, 0, 0, now()) "
    "ON CONFLICT (psn_no, insutype, year, care_type) DO UPDATE SET updated_at = "
    "excluded.updated_at RETURNING deductible_used, fund_paid, admissions",
    "bill": "INSERT INTO bills (bill_id, institution_code, setl_id, mdtrt_id, psn_no, insutype, "
    "person_type, med_type, care_type, insured_region, treatment_region, begndate, enddate, "
    "emergency, chronic_disease, request_hash, medfee_sumamt, fulamt_ownpay_amt, "
    "overlmt_selfpay, preselfpay_amt, inscp_scp_amt, act_pay_dedc, hifp_pay, pool_prop_selfpay, "
    "fund_pay_sumamt, psn_part_amt, acct_pay, psn_cash_pay, clr_optins, coverage, lines, trace, "
    "catalogue_version, policy_version, accumulator_year, accumulator_care_type, "
    "used_deductible, used_fund, used_admissions, settled_at, settled_day, period) VALUES "
    "($1, $2, $3, $4, $5, '310', 'employee_in_service', '21', 'inpatient', '120000', '110000', "
    "$6, $7, false, NULL, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 0, $18, "
    "'110000', $19, $20, $21, 'v', 'v', 2026, 'inpatient', $14, $15, 1, now(), $7, '2026-11')",
    "use": "UPDATE accumulators SET deductible_used = deductible_used + $2, fund_paid = "
    "fund_paid + $3, admissions = admissions + 1, updated_at = now() WHERE psn_no = $1 AND "
    "insutype = '310' AND year = 2026 AND care_type = 'inpatient'",
    "outbox": "INSERT INTO outbox (event_id, event_type, topic, message_key, correlation_id, "
    "envelope, created_at) VALUES ($1, 'BillSettled', 'settlement.bills.v1', $2, $3, $4, now())",
}


def raw_sender(
    pool: asyncpg.Pool, sample: dict, persons: int, prepared: dict[str, str]
) -> Callable[[], Awaitable[bool]]:
    coverage, lines, trace = (json.dumps(sample[k]) for k in ("coverage", "lines", "trace"))
    amounts = [
        Decimal(sample[name])
        for name in (
            "medfee_sumamt",
            "fulamt_ownpay_amt",
            "overlmt_selfpay",
            "preselfpay_amt",
            "inscp_scp_amt",
            "act_pay_dedc",
            "hifp_pay",
            "pool_prop_selfpay",
            "fund_pay_sumamt",
            "psn_part_amt",
        )
    ]
    envelope = json.dumps({"payload": {key: sample[key] for key in sample if key != "trace"}})

    async def send() -> bool:
        psn_no = f"B{random.randrange(persons):09d}"
        bill_id = uuid.uuid4().hex
        async with pool.acquire() as conn, conn.transaction():
            await conn.fetchrow(prepared["claim"], psn_no)
            await conn.execute(
                prepared["bill"],
                bill_id,
                HOSPITAL_CODE,
                bill_id[:20],
                f"M{bill_id[:20]}",
                psn_no,
                date(2026, 10, 25),
                ENDDATE,
                bill_id + bill_id,
                *amounts,
                coverage,
                lines,
                trace,
            )
            await conn.execute(prepared["use"], psn_no, amounts[5], amounts[6])
            await conn.execute(prepared["outbox"], str(uuid.uuid4()), bill_id, "bench", envelope)
        return True

    return send


# -- processes ------------------------------------------------------------------------------


def server_command(app: str, listening: socket.socket) -> list[str]:
    """Both HTTP servers run alike (``serve.py``: uvicorn, uvloop, httptools, no access log),
    one process serving the listening socket it is handed. ``serve.py`` lies beside
    ``echo_app.py``, so the echo app imports as a top-level module."""
    return [sys.executable, str(HERE / "serve.py"), app, str(listening.fileno())]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening_sockets(port: int, count: int) -> list[socket.socket]:
    """One listening socket per worker process, all on one port (SO_REUSEPORT): the kernel
    spreads new connections evenly over them. Workers sharing one socket (``uvicorn
    --workers``) race for each connection, and the benchmark's few long-lived connections
    were seen to land all on one worker while the other idled."""
    sockets = []
    for _ in range(count):
        listening = socket.socket()
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        listening.bind(("127.0.0.1", port))
        listening.listen(2048)
        sockets.append(listening)
    return sockets


@contextlib.asynccontextmanager
async def serving(
    app: str, port: int, workers: int, env: dict[str, str]
) -> AsyncIterator[Connections]:
    sockets = listening_sockets(port, workers)
    processes = [
        subprocess.Popen(
            server_command(app, listening),
            env={**os.environ, **env},
            cwd=HERE.parent.parent,
            pass_fds=[listening.fileno()],
        )
        for listening in sockets
    ]
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as probe:
            for _ in range(200):
                with contextlib.suppress(httpx.HTTPError):
                    # Every worker up: a few probes, spread over the sockets by the kernel.
                    answers = [(await probe.get("/healthz")).status_code for _ in range(workers)]
                    if answers == [200] * workers:
                        break
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError(f"{app} did not come up")
        connections = Connections(port)
        yield connections
        connections.close()
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)
        for listening in sockets:
            listening.close()


def median_run(name: str, runs: list[Run]) -> Run:
    """The round of median throughput: one busy moment on a shared machine does not decide."""
    chosen = sorted(runs, key=lambda run: run.per_second)[len(runs) // 2]
    return Run(name, chosen.completed, chosen.seconds, chosen.latencies_ms, chosen.errors)


async def main(args: argparse.Namespace) -> None:
    server = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"bench_settlement_{uuid.uuid4().hex[:8]}"
    await create_database(server, name, exist_ok=False)
    url = database_url(server, name)
    try:
        await asyncio.to_thread(upgrade, SERVICE, url)
        await seed(url, args.persons)
        env = {
            "SETTLEMENT_DATABASE_URL": url,
            "SETTLEMENT_DATABASE_POOL_SIZE": str(args.pool_size),
            "LOG_LEVEL": "WARNING",
        }
        bodies = settlement_bodies(args.persons)
        size = len(next(bodies))
        print(f"database {name}; {args.persons} persons; {LINES_PER_BILL} lines ({size} bytes)")
        print(
            f"concurrency {args.concurrency}; {args.rounds} rounds of up to {args.count} "
            f"requests or {args.seconds:.0f} s a run; load average {os.getloadavg()[0]:.1f}\n"
        )
        settlement_port, echo_port = free_port(), free_port()
        async with (
            serving(
                "settlement.asgi:app", settlement_port, args.workers, env
            ) as settlement_connections,
            serving("echo_app:app", echo_port, args.workers, {}) as echo_connections,
            asyncpg.create_pool(
                url.replace("postgresql+asyncpg", "postgresql"),
                min_size=args.pool_size,
                max_size=args.pool_size,
            ) as pool,
        ):
            settle = http_sender(settlement_connections, "/v1/settlements", bodies, 201)
            echo = http_sender(echo_connections, "/echo", bodies, 200)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{settlement_port}") as http:
                sample = await http.post(
                    "/v1/settlements",
                    content=next(bodies),
                    headers={
                        **bearer("hospital", institution_code=HOSPITAL_CODE),
                        "Content-Type": "application/json",
                    },
                )
            assert sample.status_code == 201, sample.text
            raw = raw_sender(pool, sample.json(), args.persons, RAW_STATEMENTS)
            measured = {
                "settlement API (peak)": settle,
                "baseline A: bare FastAPI, validate and echo": echo,
                "baseline B: raw asyncpg, the same rows": raw,
            }
            for send in measured.values():
                await closed_loop(
                    "warm-up", send, concurrency=args.concurrency, count=200, seconds=10
                )
            rounds: dict[str, list[Run]] = {label: [] for label in measured}
            for number in range(1, args.rounds + 1):
                # Interleaved, so that the machine's other load falls on all three alike.
                for label, send in measured.items():
                    await settle_the_disk(pool)
                    run = await closed_loop(
                        f"round {number}: {label}",
                        send,
                        concurrency=args.concurrency,
                        count=args.count,
                        seconds=args.seconds,
                    )
                    rounds[label].append(run)
                    print(run.line())
            peak, fastapi_run, raw_run = (median_run(label, runs) for label, runs in rounds.items())
            await settle_the_disk(pool)
            half = await open_loop(
                "settlement API at half the peak rate",
                settle,
                rate=peak.per_second / 2,
                seconds=args.seconds,
            )

        print("\nmedians of the rounds, then the half-rate run:")
        for run in (peak, fastapi_run, raw_run, half):
            print(run.line())
        lower = min(fastapi_run, raw_run, key=lambda run: run.per_second)
        print()
        print(f"lower baseline: {lower.name} ({lower.per_second:.1f} /s)")
        ratio = peak.per_second / lower.per_second
        print(f"settlement / lower baseline:   {ratio:6.1%}   (target >= 50%)")
        print(f"settlement / bare FastAPI:     {peak.per_second / fastapi_run.per_second:6.1%}")
        print(f"settlement / raw asyncpg:      {peak.per_second / raw_run.per_second:6.1%}")
        print(f"p99 at half the peak rate:     {half.percentile(0.99):6.1f} ms (target < 50 ms)")
        print(
            f"machine: {os.cpu_count()} CPUs shared by client, servers and PostgreSQL; uvicorn "
            f"workers: {args.workers}; load average now {os.getloadavg()[0]:.1f}"
        )
    finally:
        if not args.keep:
            await drop_database(server, name)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent clients")
    parser.add_argument("--count", type=int, default=5000, help="most requests a run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; medians count")
    parser.add_argument("--seconds", type=float, default=20, help="longest run, in seconds")
    parser.add_argument("--persons", type=int, default=2000, help="persons seeded")
    parser.add_argument(
        "--pool-size",
        type=int,
        default=10,
        help="connections of each pool, the API's (per worker) and the raw baseline's "
        "(default: the service's own default)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count(),
        help="uvicorn processes of each HTTP server, each with its own listening socket on "
        "the server's port (default: one per CPU)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
