"""Referral on the real stack: filing's events (published here as filing would) feed referral's
read model; the workflow runs over HTTP; ReferralIssued and ReferralRevoked travel through the
broker into filing's and settlement's read models (D-R1, D-R4, ARCHITECTURE.md "Events")."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import select

from devstack.testing import bearer
from filing.adapters.tables import known_referrals as filing_referrals
from medins_common.events.schemas import REFERRALS, InstitutionUpserted, PersonRegistered
from medins_common.timeutil import today
from settlement.adapters.tables import known_referrals as settlement_referrals
from settlement.adapters.tables import referral_revocations

from .conftest import count, eventually, log_text, next_event, publish, reading, scalar

RUN = uuid.uuid4().hex[:6].upper()
TIANJIN_TERTIARY = f"H1201{RUN}01"
BEIJING_TERTIARY = f"H1101{RUN}02"
BEIJING_MEMBER = f"H1101{RUN}03"
PSN_NO = f"1200{uuid.uuid4().int % 10**16:016d}"


def hospital(code: str, sub: str) -> dict[str, str]:
    headers = bearer("hospital", institution_code=code)
    return {**headers, "X-Correlation-ID": f"e2e-referral-{RUN}-{sub}"}


@pytest.fixture
async def referral_topic(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaConsumer]:
    async with reading(kafka_bootstrap, REFERRALS) as consumer:
        yield consumer


async def test_a_referral_is_issued_over_http_and_reaches_filing_and_settlement(
    stack, http, kafka_bootstrap, referral_topic
):
    await publish(
        kafka_bootstrap,
        InstitutionUpserted(
            code=TIANJIN_TERTIARY, name="天津医科大学总医院", region="120101", level=3
        ),
        InstitutionUpserted(
            code=BEIJING_TERTIARY, name="北京朝阳医院", region="110105", level=3, consortium_id=RUN
        ),
        InstitutionUpserted(
            code=BEIJING_MEMBER,
            name="朝阳社区卫生服务中心",
            region="110105",
            level=1,
            consortium_id=RUN,
        ),
        PersonRegistered(
            psn_no=PSN_NO,
            name="张三",
            insured_region="120000",
            insutype="310",
            person_type="employee_retired",
        ),
        producer="filing",
    )
    body = {
        "psn_no": PSN_NO,
        "diagnosis_code": "C34.1",
        "diagnosis_name": "上叶，支气管或肺恶性肿瘤",
        "reason": "需行胸腔镜下肺叶切除术，本院暂无相应技术条件",
        "target_institution": BEIJING_TERTIARY,
        "target_region": "110105",
        "valid_from": today().isoformat(),
        "valid_to": (today() + timedelta(days=90)).isoformat(),
        "physician": {"name": "王建国", "title": "副主任医师"},
    }
    opinion_headers = {**hospital(TIANJIN_TERTIARY, "opinion"), "Idempotency-Key": RUN}

    async def drafted():
        # Referral's consumers apply the events shortly; until then: 404 or 403, nothing written.
        response = await http["referral"].post("/v1/referrals", json=body, headers=opinion_headers)
        return response.status_code == 201 and response.json()

    draft = await eventually(drafted)
    referral_id = draft["referral_id"]
    approval = await http["referral"].post(
        f"/v1/referrals/{referral_id}/approval",
        json={"department_head": "李主任"},
        headers=hospital(TIANJIN_TERTIARY, "approval"),
    )
    assert approval.status_code == 200, approval.text
    upload = await http["referral"].post(
        f"/v1/referrals/{referral_id}/upload",
        json={"officer": "赵科员"},
        headers=hospital(TIANJIN_TERTIARY, "upload"),
    )
    assert upload.status_code == 200, upload.text
    assert upload.json()["status"] == "issued"

    # ReferralIssued on the topic, keyed by the referral, with the upload's correlation id.
    envelope = await next_event(referral_topic, key=referral_id, event_type="ReferralIssued")
    assert envelope["producer"] == "referral"
    assert envelope["correlation_id"] == f"e2e-referral-{RUN}-upload"
    assert envelope["payload"]["path"] == "tertiary_outbound"
    assert envelope["payload"]["covered_institutions"] == [BEIJING_TERTIARY, BEIJING_MEMBER]

    # Filing (for referral filings, D-F2) and settlement (for the +5 points, D-S4) learn of it.
    in_filing = count(filing_referrals).where(filing_referrals.c.referral_id == referral_id)
    in_settlement = count(settlement_referrals).where(
        settlement_referrals.c.referral_id == referral_id,
        settlement_referrals.c.path == "tertiary_outbound",
    )

    async def known_to_both():
        return (
            await scalar(stack, "filing", in_filing) == 1
            and await scalar(stack, "settlement", in_settlement) == 1
        )

    await eventually(known_to_both)

    # The patient prints it; anyone checks the printed code without a token.
    owner = bearer("insured", psn_no=PSN_NO)
    printed = await http["referral"].get(f"/v1/referrals/{referral_id}/print", headers=owner)
    assert printed.status_code == 200
    assert printed.content.startswith(b"%PDF-")
    code = upload.json()["verification_code"]
    verified = await http["referral"].get(f"/v1/referrals/verify/{code}")
    assert verified.json()["genuine"] is True

    # Revoked before use: ReferralRevoked reaches both read models too.
    revoked = await http["referral"].post(
        f"/v1/referrals/{referral_id}/revocation",
        json={"officer": "赵科员", "reason": "患者放弃转诊"},
        headers=hospital(TIANJIN_TERTIARY, "revocation"),
    )
    assert revoked.status_code == 200, revoked.text
    await next_event(referral_topic, key=referral_id, event_type="ReferralRevoked")
    revoked_in_filing = select(filing_referrals.c.revoked).where(
        filing_referrals.c.referral_id == referral_id
    )
    revoked_in_settlement = count(referral_revocations).where(
        referral_revocations.c.referral_id == referral_id
    )

    async def known_revoked():
        return (
            await scalar(stack, "filing", revoked_in_filing) == 1
            and await scalar(stack, "settlement", revoked_in_settlement) == 1
        )

    await eventually(known_revoked)
    assert (await http["referral"].get(f"/v1/referrals/verify/{code}")).json()["status"] == (
        "revoked"
    )
    assert f"e2e-referral-{RUN}-upload" in log_text(stack, "settlement", "consumers")
