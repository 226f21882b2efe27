"""``python -m devstack.demo`` (``make demo``): the whole journey against ``make run``'s stack.

Registers a Tianjin person and two hospitals, issues a referral, files it, settles in Beijing
(with a retry), settles and reverses a second bill, reconciles the hospital's day, runs the
monthly clearing, confirms it by both regions, records the payment, and prints the statement
with its check against the bills to the fen. The steps are in ``devstack.journey``, shared with
the end-to-end test. Start the suite first (``make run``, default ports).
"""

from __future__ import annotations

import asyncio
import os
import sys
from decimal import Decimal

import httpx

from devstack.journey import Endpoints, Journey, JourneyError, JourneyResult
from devstack.stack import SERVICES
from medins_common.auth import Role, mint
from medins_common.settings import DEV_JWT_SECRET
from medins_common.timeutil import today

COLUMNS = (
    ("institution_code", "institution", 16),
    ("settled_count", "settled", 8),
    ("reversed_count", "reversed", 9),
    ("medfee_sumamt", "medical fees", 14),
    ("fund_pay_sumamt", "fund share", 14),
    ("psn_cash_pay", "cash", 12),
)


def endpoints() -> Endpoints:
    urls = {service.name: f"http://127.0.0.1:{service.port}" for service in SERVICES}
    return Endpoints(**urls)


async def month_already_cleared(clearing_url: str, secret: str, period: str) -> bool:
    """A closed month is never reopened: a second demo in the same month cannot clear it."""
    admin = mint(secret=secret, role=Role.ADMIN, subject="demo")
    async with httpx.AsyncClient(base_url=clearing_url, timeout=10) as clearing:
        runs = await clearing.get("/v1/clearing-runs", headers={"Authorization": f"Bearer {admin}"})
    runs.raise_for_status()
    return any(run["period"] == period and run["status"] == "closed" for run in runs.json())


def print_statement(result: JourneyResult, clearing_url: str) -> None:
    statement = result.statement
    print()
    print(
        f"Clearing statement {statement['period']}: {statement['insured_region']} (insured) → "
        f"{statement['treatment_region']} (treatment), {statement['status']}"
    )
    print("  " + "".join(title.rjust(width) for _, title, width in COLUMNS))
    rows = [*statement["institutions"], {"institution_code": "TOTAL", **statement["totals"]}]
    for row in rows:
        print("  " + "".join(str(row[name]).rjust(width) for name, _, width in COLUMNS))
    due, expected = Decimal(statement["amount_due"]), result.expected_fund_pay
    print()
    print(f"  amount due (the fund share, net): {due}")
    verdict = "equal to the fen" if due == expected else "DIFFERENT"
    print(f"  the standing bills' fund share:   {expected}   {verdict}")
    for label, name in (
        ("confirmed by the insured side:  ", "insured_confirmed"),
        ("confirmed by the treatment side:", "treatment_confirmed"),
        ("paid:                           ", "paid"),
    ):
        moment = (statement[f"{name}_at"] or "")[:19].replace("T", " ")
        print(f"  {label}  {moment} by {statement[f'{name}_by']}")
    print()
    print("The statement as CSV:")
    print(result.statement_csv)
    print(
        f"PDF: {clearing_url}/v1/statements/{statement['statement_id']}.pdf (admin or clerk token)"
    )


def main() -> int:
    secret = os.environ.get("JWT_SECRET", DEV_JWT_SECRET)
    urls = endpoints()
    period = today().strftime("%Y-%m")
    try:
        if asyncio.run(month_already_cleared(urls.clearing, secret, period)):
            print(
                f"{period} is already cleared on this stack, and a closed month is never reopened "
                "(later bills go to the next month as adjustments). Run the demo on a fresh stack: "
                "stop `make run`, remove .data/, start it again.",
                file=sys.stderr,
            )
            return 1
        result = asyncio.run(
            Journey(urls, secret=secret, say=lambda line: print(f"· {line}")).run()
        )
    except httpx.ConnectError as exc:
        print(f"Nothing answers ({exc}): start the suite with `make run` first.", file=sys.stderr)
        return 2
    except JourneyError as exc:
        print(f"The journey stopped: {exc}", file=sys.stderr)
        return 1
    print_statement(result, urls.clearing)
    return 0


if __name__ == "__main__":
    sys.exit(main())
