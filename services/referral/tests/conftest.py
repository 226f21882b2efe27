"""Referral's real app on a fresh, migrated database, its read model fed with filing's events
through the real inbox (as the consumers process would), and a small world of institutions."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka.structs import ConsumerRecord
from sqlalchemy import Table, func, select, update

from devstack.testing import api_client, bearer
from medins_common.auth import Role, mint
from medins_common.events.envelope import Event
from medins_common.events.schemas import (
    BillReversed,
    BillSettled,
    FilingCreated,
    InstitutionUpserted,
    PersonRegistered,
)
from medins_common.inbox import InboxProcessor
from medins_common.messaging_tables import OUTBOX
from medins_common.outbox import envelope_for
from medins_common.service import Runtime
from medins_common.settings import DEV_JWT_SECRET
from medins_common.timeutil import SHANGHAI, today
from referral.adapters.tables import referral_steps, referrals
from referral.bootstrap import SERVICE
from referral.config import ReferralSettings
from referral.service_layer.handlers import READ_MODEL, REFERRAL_USES

TIANJIN = "120000"
TODAY = today()

# code, name, region, level, consortium
TIANJIN_L3 = ("H12010100001", "天津医科大学总医院", "120101", 3, None)
TIANJIN_L3_QUIET = ("H12010300001", "天津市第一中心医院", "120103", 3, None)
TIANJIN_L2 = ("H12010100002", "天津市第二医院", "120101", 2, None)
BEIJING_L3 = ("H11010500001", "北京朝阳医院", "110105", 3, "CY-1")
BEIJING_MEMBER = ("H11010500009", "朝阳社区卫生服务中心", "110105", 1, "CY-1")
BEIJING_L2 = ("H11010800002", "北京海淀医院", "110108", 2, None)
BEIJING_L1 = ("H11010800001", "海淀镇卫生院", "110108", 1, None)
SHIJIAZHUANG_L3 = ("H13010200001", "河北医科大学第四医院", "130102", 3, None)
SHIJIAZHUANG_L2 = ("H13010400002", "石家庄市第二医院", "130104", 2, None)
BAODING_L3 = ("H13060200003", "保定市第一中心医院", "130602", 3, None)
SHANGHAI_L3 = ("H31010400001", "上海交通大学医学院附属瑞金医院", "310101", 3, None)
INSTITUTIONS = (
    TIANJIN_L3,
    TIANJIN_L3_QUIET,
    TIANJIN_L2,
    BEIJING_L3,
    BEIJING_MEMBER,
    BEIJING_L2,
    BEIJING_L1,
    SHIJIAZHUANG_L3,
    SHIJIAZHUANG_L2,
    BAODING_L3,
    SHANGHAI_L3,
)

# Long-term filer resettled in Shijiazhuang (130100) since last year.
HEBEI_RESIDENT = "P0002"


def hospital(institution: tuple[Any, ...] = TIANJIN_L3, sub: str = "his-user-7") -> dict[str, str]:
    """A hospital token of the institution, for one of its staff (the token's subject)."""
    minted = mint(
        secret=DEV_JWT_SECRET, role=Role.HOSPITAL, subject=sub, institution_code=institution[0]
    )
    return {"Authorization": f"Bearer {minted}"}


CLERK = bearer("clerk", region=TIANJIN)
ADMIN = bearer("admin")


def institution_upserted(institution: tuple[Any, ...], **changes: Any) -> InstitutionUpserted:
    code, name, region, level, consortium = institution
    values = {
        "code": code,
        "name": name,
        "region": region,
        "level": level,
        "consortium_id": consortium,
        "networked_services": ["inpatient", "general_outpatient"],
    }
    return InstitutionUpserted(**{**values, **changes})


def person_registered(psn_no: str = "P0001", **changes: Any) -> PersonRegistered:
    values = {
        "psn_no": psn_no,
        "name": "张三",
        "insured_region": TIANJIN,
        "insutype": "310",
        "person_type": "employee_retired",
    }
    return PersonRegistered(**{**values, **changes})


def long_term_filing(
    psn_no: str = HEBEI_RESIDENT, filing_id: str = "F-LT", **changes: Any
) -> FilingCreated:
    values = {
        "filing_id": filing_id,
        "psn_no": psn_no,
        "insured_region": TIANJIN,
        "filing_class": "long_term",
        "subtype": "retiree_resettled",
        "destination_region": "130100",
        "start_date": TODAY - timedelta(days=365),
        "channel": "district_window",
    }
    return FilingCreated(**{**values, **changes})


def bill_settled(
    referral: dict[str, Any], *, bill_id: str = "B1", institution: str | None = None, **changes
) -> BillSettled:
    moment = datetime.combine(TODAY, datetime.min.time(), tzinfo=SHANGHAI) + timedelta(hours=10)
    values = {
        "bill_id": bill_id,
        "setl_id": f"S-{bill_id}",
        "mdtrt_id": f"M-{bill_id}",
        "institution_code": institution or referral["target_institution"]["code"],
        "psn_no": referral["psn_no"],
        "insured_region": TIANJIN,
        "treatment_region": referral["target_region"],
        "insutype": "310",
        "med_type": "21",
        "period": moment.strftime("%Y-%m"),
        "medfee_sumamt": "1280.50",
        "fund_pay_sumamt": "900.00",
        "psn_part_amt": "380.50",
        "acct_pay": "0.00",
        "psn_cash_pay": "380.50",
        "clr_optins": referral["target_region"],
        "settled_at": moment,
    }
    return BillSettled(**{**values, **changes})


def bill_reversed(settled: BillSettled) -> BillReversed:
    return BillReversed(
        **settled.model_dump(exclude={"settled_at"}),
        reversed_at=settled.settled_at + timedelta(hours=1),
        original_period=settled.period,
    )


def referral_body(psn_no: str = "P0001", target=BEIJING_L3, **changes: Any) -> dict[str, Any]:
    return {
        "psn_no": psn_no,
        "diagnosis_code": "C34.1",
        "diagnosis_name": "上叶，支气管或肺恶性肿瘤",
        "reason": "需行胸腔镜下肺叶切除术，本院暂无相应技术条件",
        "target_institution": target[0],
        "target_region": target[2],
        "valid_from": TODAY.isoformat(),
        "valid_to": (TODAY + timedelta(days=90)).isoformat(),
        "physician": {"name": "王建国", "title": "副主任医师"},
        **changes,
    }


_offsets = itertools.count()


def record(event: Event, *, value: bytes | None = None) -> ConsumerRecord:
    """A Kafka record as the consumer hands it over: the producer's envelope, JSON-encoded."""
    producer = "settlement" if isinstance(event, BillSettled) else "filing"
    value = value or envelope_for(event, producer=producer).model_dump_json().encode()
    key = event.key.encode()
    return ConsumerRecord(
        event.topic, 0, next(_offsets), 0, 0, key, value, None, len(key), len(value), []
    )


@dataclass
class ReferralService:
    client: httpx.AsyncClient
    runtime: Runtime
    processors: dict[str, InboxProcessor]

    async def feed(self, *events: Event | ConsumerRecord) -> None:
        """Each event through the subscription that handles it, as the consumers would."""
        for item in events:
            rec = item if isinstance(item, ConsumerRecord) else record(item)
            for processor in self.processors.values():
                if rec.topic in processor.subscription.topics:
                    await processor.process(rec)

    async def seed(self) -> None:
        await self.feed(
            *(institution_upserted(institution) for institution in INSTITUTIONS),
            person_registered("P0001"),
            person_registered(HEBEI_RESIDENT, name="李四"),
            long_term_filing(),
        )

    async def count(self, table: Table, *where: Any) -> int:
        async with self.runtime.engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(table).where(*where)))

    async def counts(self) -> tuple[int, int, int]:
        """(referrals, steps, outbox rows): what a refusal must leave unchanged."""
        return (
            await self.count(referrals),
            await self.count(referral_steps),
            await self.count(OUTBOX),
        )

    async def outbox(self) -> list[dict[str, Any]]:
        async with self.runtime.engine.connect() as conn:
            rows = (await conn.execute(select(OUTBOX).order_by(OUTBOX.c.id))).mappings().all()
        return [{**row, "payload": json.loads(row["envelope"])["payload"]} for row in rows]

    async def execute(self, statement: Any) -> None:
        """Change stored data directly, to stand for the passing of time."""
        async with self.runtime.engine.begin() as conn:
            await conn.execute(statement)

    async def expire(self, referral_id: str) -> None:
        """Make a referral's validity lie in the past (it ended yesterday)."""
        await self.execute(
            update(referrals)
            .where(referrals.c.referral_id == referral_id)
            .values(valid_from=TODAY - timedelta(days=30), valid_to=TODAY - timedelta(days=1))
        )

    async def create(
        self, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return await self.client.post(
            "/v1/referrals", json=body or referral_body(), headers=headers or hospital()
        )

    async def step(
        self, referral_id: str, step: str, body: dict[str, Any], headers: dict[str, str]
    ) -> httpx.Response:
        return await self.client.post(
            f"/v1/referrals/{referral_id}/{step}", json=body, headers=headers
        )

    async def approve(self, referral_id: str, headers: dict[str, str] | None = None):
        return await self.step(
            referral_id, "approval", {"department_head": "李主任"}, headers or hospital()
        )

    async def upload(self, referral_id: str, headers: dict[str, str] | None = None):
        return await self.step(
            referral_id, "upload", {"officer": "赵科员"}, headers or hospital(sub="his-office-2")
        )

    async def revoke(self, referral_id: str, headers: dict[str, str] | None = None):
        return await self.step(
            referral_id,
            "revocation",
            {"officer": "赵科员", "reason": "患者病情好转，放弃转诊"},
            headers or hospital(),
        )

    async def issue(
        self,
        body: dict[str, Any] | None = None,
        issuer: tuple[Any, ...] = TIANJIN_L3,
        uploader: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """The whole workflow (D-R1); the issued referral as answered."""
        created = await self.create(body, hospital(issuer))
        assert created.status_code == 201, created.text
        referral_id = created.json()["referral_id"]
        approved = await self.approve(referral_id, hospital(issuer))
        assert approved.status_code == 200, approved.text
        uploaded = await self.upload(referral_id, uploader or hospital(issuer, sub="his-office-2"))
        assert uploaded.status_code == 200, uploaded.text
        return uploaded.json()


@pytest.fixture
async def referral_service(new_database) -> AsyncIterator[ReferralService]:
    settings = ReferralSettings(database_url=await new_database("referral"))
    async with api_client(SERVICE, settings) as (client, runtime):
        processors = {
            subscription.name: InboxProcessor(
                subscription=subscription,
                uow_factory=runtime.uow,
                max_attempts=2,
                retry_base_seconds=0.01,
            )
            for subscription in (READ_MODEL, REFERRAL_USES)
        }
        yield ReferralService(client, runtime, processors)


@pytest.fixture
async def world(referral_service: ReferralService) -> ReferralService:
    """The service with the standard institutions, two persons and one long-term filing."""
    await referral_service.seed()
    return referral_service


def assert_problem(
    response: httpx.Response, status: int, code: str, field: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["detail"]
    if field is not None:
        assert body.get("field") == field, body
    return body


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()
