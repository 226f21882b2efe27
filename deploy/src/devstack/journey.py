"""The whole journey across the four services, over their public HTTP APIs.

Register a Tianjin person and institutions → a Tianjin tertiary hospital issues a referral →
the referral filing → a Beijing hospital settles (and retries), settles another bill and
reverses it → hospitals reconcile their day → the monthly clearing runs, is confirmed by both
sides and paid → the statement's amounts are checked against the settled bills to the fen.

One implementation serves the end-to-end test (tests/e2e/test_journey.py) and ``make demo``.
Every step runs under fresh identifiers, so the journey can run more than once on one stack.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx

from medins_common.auth import Role, mint
from medins_common.money import ZERO, to_fen
from medins_common.timeutil import today

TIANJIN, BEIJING = "120000", "110000"
Say = Callable[[str], None]


class JourneyError(AssertionError):
    """A step answered otherwise than the journey expects; the message says which and how."""


@dataclass(frozen=True)
class Endpoints:
    filing: str
    referral: str
    settlement: str
    clearing: str


@dataclass
class JourneyResult:
    period: str
    settled_bills: list[dict[str, Any]] = field(default_factory=list)
    reversed_setl_ids: list[str] = field(default_factory=list)
    run: dict[str, Any] = field(default_factory=dict)
    statement: dict[str, Any] = field(default_factory=dict)
    statement_csv: str = ""

    @property
    def expected_fund_pay(self) -> Decimal:
        """What the statement must show: the fund share of the bills that still stand."""
        return sum(
            (
                Decimal(bill["fund_pay_sumamt"])
                for bill in self.settled_bills
                if bill["setl_id"] not in self.reversed_setl_ids
            ),
            ZERO,
        )


class Journey:
    def __init__(self, endpoints: Endpoints, *, secret: str, say: Say = lambda _: None) -> None:
        self._urls = endpoints
        self._secret = secret
        self._say = say
        run = uuid.uuid4().hex[:8]
        self.run_tag = run
        self.psn_no = f"1200{uuid.uuid4().int % 10**16:016d}"
        self.tianjin_hospital = f"H1201{run}"
        self.beijing_hospital = f"H1101{run}"
        self.day = today()
        self.period = self.day.strftime("%Y-%m")
        self._clients: dict[str, httpx.AsyncClient] = {}

    # -- plumbing ------------------------------------------------------------------------
    def token(self, role: Role, **claims: str) -> dict[str, str]:
        subject = f"journey-{role.value}-{self.run_tag}"
        bearer = mint(secret=self._secret, role=role, subject=subject, **claims)
        return {"Authorization": f"Bearer {bearer}"}

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        expect: int | tuple[int, ...] = 200,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        client = self._clients[service]
        answer = await client.request(method, path, headers=headers, **kwargs)
        expected = (expect,) if isinstance(expect, int) else expect
        if answer.status_code not in expected:
            raise JourneyError(
                f"{service} {method} {path} answered {answer.status_code}, "
                f"expected {expected}: {answer.text[:800]}"
            )
        return answer

    async def until_accepted(
        self,
        what: str,
        service: str,
        path: str,
        *,
        json: Any,
        headers: dict[str, str],
        timeout: float = 60.0,
    ) -> httpx.Response:
        """POST until accepted: the events it depends on may still be on their way."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            answer = await self._clients[service].post(path, json=json, headers=headers)
            if answer.status_code in (200, 201):
                return answer
            if answer.status_code >= 500 or asyncio.get_running_loop().time() > deadline:
                raise JourneyError(
                    f"{what}: {service} POST {path} answered "
                    f"{answer.status_code}: {answer.text[:800]}"
                )
            await asyncio.sleep(0.25)

    # -- the journey ---------------------------------------------------------------------
    async def run(self) -> JourneyResult:
        async with (
            httpx.AsyncClient(base_url=self._urls.filing, timeout=30) as filing,
            httpx.AsyncClient(base_url=self._urls.referral, timeout=30) as referral,
            httpx.AsyncClient(base_url=self._urls.settlement, timeout=30) as settlement,
            httpx.AsyncClient(base_url=self._urls.clearing, timeout=30) as clearing,
        ):
            self._clients = {
                "filing": filing,
                "referral": referral,
                "settlement": settlement,
                "clearing": clearing,
            }
            result = JourneyResult(period=self.period)
            await self.register_institutions_and_person()
            referral_id = await self.issue_referral()
            await self.file_referral(referral_id)
            await self.settle_retry_and_reverse(result)
            await self.reconcile_the_day(result)
            await self.clear_the_month(result)
            return result

    async def register_institutions_and_person(self) -> None:
        admin = self.token(Role.ADMIN)
        institutions = [
            {
                "code": self.tianjin_hospital,
                "name": "天津市第一中心医院（演示）",
                "region": "120101",
                "kind": "hospital",
                "level": 3,
                "designated": True,
                "networked_services": ["inpatient", "general_outpatient"],
            },
            {
                "code": self.beijing_hospital,
                "name": "北京协和医院（演示）",
                "region": "110105",
                "kind": "hospital",
                "level": 3,
                "designated": True,
                "networked_services": ["inpatient", "general_outpatient", "chronic_outpatient"],
            },
        ]
        await self.call(
            "filing", "POST", "/v1/institutions/import", json=institutions, headers=admin
        )
        person = {
            "psn_no": self.psn_no,
            "name": "张三",
            "id_no": _id_number(self.psn_no),
            "insured_region": TIANJIN,
            "insutype": "310",
            "person_type": "employee_in_service",
        }
        await self.call(
            "filing",
            "POST",
            "/v1/persons",
            json=person,
            expect=201,
            headers=self.token(Role.CLERK, region=TIANJIN),
        )
        self._say(
            f"registered person {self.psn_no} and institutions "
            f"{self.tianjin_hospital} (Tianjin, level 3), {self.beijing_hospital} "
            "(Beijing, level 3)"
        )

    async def issue_referral(self) -> str:
        physician = self.token(Role.HOSPITAL, institution_code=self.tianjin_hospital)
        draft = {
            "psn_no": self.psn_no,
            "diagnosis_code": "C34.1",
            "diagnosis_name": "上叶，支气管或肺恶性肿瘤",
            "reason": "需行胸腔镜下肺叶切除术，本院暂无相应技术条件",
            "target_institution": self.beijing_hospital,
            "target_region": "110105",
            "valid_from": self.day.isoformat(),
            "valid_to": (self.day + timedelta(days=90)).isoformat(),
            "physician": {"name": "王建国", "title": "副主任医师"},
        }
        created = await self.until_accepted(  # once referral has heard of person and hospitals
            "the referral's opinion", "referral", "/v1/referrals", json=draft, headers=physician
        )
        referral_id = created.json()["referral_id"]
        await self.call(
            "referral",
            "POST",
            f"/v1/referrals/{referral_id}/approval",
            json={"department_head": "李主任"},
            headers=physician,
        )
        issued = await self.call(
            "referral",
            "POST",
            f"/v1/referrals/{referral_id}/upload",
            json={"officer": "赵科员"},
            headers=physician,
        )
        if issued.json()["status"] != "issued":
            raise JourneyError(f"referral not issued: {issued.text[:500]}")
        self._say(
            f"referral {referral_id} issued by {self.tianjin_hospital} to {self.beijing_hospital}"
        )
        return referral_id

    async def file_referral(self, referral_id: str) -> None:
        filing = {
            "psn_no": self.psn_no,
            "subtype": "referral",
            "destination_region": BEIJING,
            "start_date": self.day.isoformat(),
            "channel": "jin_yibao_app",
            "referral_id": referral_id,
        }
        created = await self.until_accepted(  # once filing has heard of the referral
            "the referral filing",
            "filing",
            "/v1/filings",
            json=filing,
            headers=self.token(Role.INSURED, psn_no=self.psn_no),
        )
        self._say(f"referral filing {created.json()['filing_id']} to Beijing, by the app")

    async def settle_retry_and_reverse(self, result: JourneyResult) -> None:
        hospital = self.token(Role.HOSPITAL, institution_code=self.beijing_hospital)
        stay = _bill(
            self.psn_no,
            f"S{self.run_tag}01",
            f"M{self.run_tag}01",
            self.day,
            [
                ("331303002", "1", "1300.00"),
                ("330100005", "1", "1000.00"),
                ("110900001", "5", "60.00"),
                ("XJ01DDA020", "10", "15.00"),
                ("250101015", "2", "20.00"),
                ("XD11AXX001", "1", "38.50"),
            ],
        )
        visit = _bill(
            self.psn_no,
            f"S{self.run_tag}02",
            f"M{self.run_tag}02",
            self.day,
            [("110200001", "1", "12.00"), ("XA02BCA010", "14", "2.30")],
            med_type="11",
        )
        keyed = {**hospital, "Idempotency-Key": f"journey-{self.run_tag}-1"}
        first = await self.until_accepted(  # once settlement has heard of the filing
            "the first settlement", "settlement", "/v1/settlements", json=stay, headers=keyed
        )
        retry = await self.call(
            "settlement", "POST", "/v1/settlements", json=stay, headers=keyed, expect=(200, 201)
        )
        if retry.json() != first.json():
            raise JourneyError("a retried settlement answered differently")
        second = await self.call(
            "settlement", "POST", "/v1/settlements", json=visit, headers=hospital, expect=(200, 201)
        )
        await self.call(
            "settlement",
            "POST",
            f"/v1/settlements/{visit['setl_id']}/reversal",
            json={"reason": "收费错误"},
            headers=hospital,
            expect=(200, 201),
        )
        result.settled_bills = [first.json(), second.json()]
        result.reversed_setl_ids = [visit["setl_id"]]
        bill = first.json()
        self._say(
            f"settled {stay['setl_id']}: medfee {bill['medfee_sumamt']}, fund "
            f"{bill['fund_pay_sumamt']}, person {bill['psn_part_amt']} (retry answered "
            f"the same); settled and reversed {visit['setl_id']}"
        )

    async def reconcile_the_day(self, result: JourneyResult) -> None:
        hospital = self.token(Role.HOSPITAL, institution_code=self.beijing_hospital)
        standing = [
            bill for bill in result.settled_bills if bill["setl_id"] not in result.reversed_setl_ids
        ]
        totals = {
            "day": self.day.isoformat(),
            "count": len(standing),
            "medfee_sumamt": _total(standing, "medfee_sumamt"),
            "fund_pay_sumamt": _total(standing, "fund_pay_sumamt"),
            "cash": _total(standing, "psn_cash_pay"),
        }
        answer = await self.call(
            "settlement", "POST", "/v1/reconciliations/daily", json=totals, headers=hospital
        )
        if answer.json()["result"] != "match":
            raise JourneyError(f"the day does not reconcile: {answer.text[:800]}")
        self._say(f"{self.beijing_hospital} reconciled {self.day}: match")

    async def clear_the_month(self, result: JourneyResult, timeout: float = 90.0) -> None:
        admin = self.token(Role.ADMIN)
        started = await self.call(
            "clearing",
            "POST",
            "/v1/clearing-runs",
            json={"period": self.period},
            headers={**admin, "Idempotency-Key": f"journey-{self.run_tag}-run"},
            expect=202,
        )
        run_id = started.json()["run_id"]
        deadline = asyncio.get_running_loop().time() + timeout
        while True:  # the ledger may still be taking the bills in: reconcile again until closed
            run = (
                await self.call("clearing", "GET", f"/v1/clearing-runs/{run_id}", headers=admin)
            ).json()
            if run["status"] == "closed":
                break
            if run["status"] == "failed" or asyncio.get_running_loop().time() > deadline:
                differences = await self.call(
                    "clearing", "GET", f"/v1/clearing-runs/{run_id}/differences", headers=admin
                )
                raise JourneyError(
                    f"clearing run {run['status']} at {run['step']}: "
                    f"{run.get('error')} {differences.text[:800]}"
                )
            if run["status"] == "blocked":
                await asyncio.sleep(0.5)
                await self.call(
                    "clearing",
                    "POST",
                    f"/v1/clearing-runs/{run_id}/reconciliation",
                    headers=admin,
                    expect=202,
                )
            await asyncio.sleep(0.25)
        result.run = run
        self._say(f"clearing run {run_id} for {self.period}: closed ({run['progress']})")

        statements = (
            await self.call(
                "clearing", "GET", f"/v1/clearing-runs/{run_id}/statements", headers=admin
            )
        ).json()["statements"]
        ours = [
            s
            for s in statements
            if s["insured_region"] == TIANJIN and s["treatment_region"][:2] == BEIJING[:2]
        ]
        if len(ours) != 1:
            raise JourneyError(f"expected one Tianjin → Beijing statement, got {statements}")
        statement_id = ours[0]["statement_id"]
        insured_side = self.token(Role.CLERK, region=ours[0]["insured_region"])
        treatment_side = self.token(Role.CLERK, region=ours[0]["treatment_region"])
        for step, side in (
            ("insured-confirmation", insured_side),
            ("treatment-confirmation", treatment_side),
            ("payment", treatment_side),
        ):
            answer = await self.call(
                "clearing", "POST", f"/v1/statements/{statement_id}/{step}", headers=side
            )
            self._say(f"statement {statement_id}: {step} → {answer.json()['status']}")
        result.statement = (
            await self.call("clearing", "GET", f"/v1/statements/{statement_id}", headers=admin)
        ).json()
        result.statement_csv = (
            await self.call("clearing", "GET", f"/v1/statements/{statement_id}.csv", headers=admin)
        ).text
        if Decimal(result.statement["amount_due"]) != result.expected_fund_pay:
            raise JourneyError(
                f"the statement says {result.statement['amount_due']}, the standing bills' fund "
                f"share is {result.expected_fund_pay}"
            )


def _bill(
    psn_no: str,
    setl_id: str,
    mdtrt_id: str,
    day: Any,
    lines: list[tuple[str, str, str]],
    med_type: str = "21",
) -> dict[str, Any]:
    total = sum((to_fen(Decimal(cnt) * Decimal(price)) for _, cnt, price in lines), ZERO)
    return {
        "setl_id": setl_id,
        "psn_no": psn_no,
        "mdtrt_id": mdtrt_id,
        "insutype": "310",
        "med_type": med_type,
        "begndate": day.isoformat(),
        "enddate": day.isoformat(),
        "medfee_sumamt": str(total),
        "lines": [{"med_list_codg": code, "cnt": cnt, "pric": price} for code, cnt, price in lines],
    }


def _total(bills: list[dict[str, Any]], name: str) -> str:
    return str(sum((Decimal(bill[name]) for bill in bills), ZERO))


def _id_number(seed: str) -> str:
    """A valid 18-character national ID derived from a seed."""
    return with_check_character(
        f"120101{1950 + int(seed[-2:]) % 50}0101{int(seed[-6:-2]) % 1000:03d}"
    )


def with_check_character(body: str) -> str:
    """Complete 17 digits into a national ID number with its GB 11643 check character."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(digit) * weight for digit, weight in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]
