"""Settlement's real app on a fresh database, its read models seeded through the adapter, and
a small catalogue and policy of the tests' own, so the figures below are computed by hand."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal as D
from typing import Any

import httpx
import pytest
from sqlalchemy import Table, func, select

from devstack.testing import api_client, bearer
from medins_common import timeutil
from medins_common.service import Runtime
from settlement.adapters import read_model
from settlement.bootstrap import SERVICE
from settlement.config import SettlementSettings
from settlement.domain.policy import CareType, CatalogueItem, ItemClass, ItemKind
from settlement.domain.reference_data import (
    CatalogueVersion,
    ChronicDisease,
    PolicyRule,
    PolicyVersion,
)
from settlement.service_layer import reference_data

TIANJIN, BEIJING = "120000", "110000"
HOSPITAL_CODE = "H11010500001"  # a level-3 designated Beijing hospital
HOSPITAL = bearer("hospital", institution_code=HOSPITAL_CODE)
PERSON = "P0001"  # insured in Tianjin, employee in service, filed long-term to Beijing
TEST_VERSIONS_FROM = date(2025, 1, 1)  # newer than the shipped defaults, so ours apply

# The tests' catalogue of Beijing: one item of each kind of treatment.
CATALOGUE = CatalogueVersion(
    region=BEIJING,
    effective_from=TEST_VERSIONS_FROM,
    source="tests",
    version_id="test-catalogue-110000",
    items=(
        CatalogueItem("DRUG_A", "甲类药", ItemKind.DRUG, ItemClass.A),
        CatalogueItem("DRUG_B", "乙类药", ItemKind.DRUG, ItemClass.B, self_pay_share=D("0.10")),
        CatalogueItem("DRUG_C", "丙类药", ItemKind.DRUG, ItemClass.C),
        CatalogueItem("SVC_CAP", "限价项目", ItemKind.SERVICE, ItemClass.A, price_cap=D("50.00")),
    ),
)

# The tests' catalogue of Tianjin, for manual claims of Tianjin-insured people (D-S3).
TIANJIN_CATALOGUE = CatalogueVersion(
    region=TIANJIN,
    effective_from=TEST_VERSIONS_FROM,
    source="tests",
    version_id="test-catalogue-120000",
    items=(
        CatalogueItem("DRUG_A", "甲类药", ItemKind.DRUG, ItemClass.A),
        CatalogueItem("DRUG_CAP", "限价药", ItemKind.DRUG, ItemClass.A, price_cap=D("10.00")),
        CatalogueItem("SVC_CAP", "限价项目", ItemKind.SERVICE, ItemClass.A, price_cap=D("40.00")),
    ),
)


def _rule(care_type: CareType, level: int | None, ratio: str, cap: str, **figures: str):
    return PolicyRule(
        insutype="310",
        person_type=figures.pop("person_type", "employee_in_service"),
        care_type=care_type,
        institution_level=level,
        fund_ratio=D(ratio),
        annual_cap=D(cap),
        **{name: D(value) for name, value in figures.items()},
    )


# The tests' policy of Tianjin. Inpatient figures are Tianjin's (DOMAIN.md); the outpatient
# cap is small so that a few bills reach it.
POLICY = PolicyVersion(
    insured_region=TIANJIN,
    effective_from=TEST_VERSIONS_FROM,
    source="tests",
    version_id="test-policy-120000",
    chronic_diseases=(ChronicDisease("M03900", "高血压"),),
    rules=(
        _rule(
            CareType.INPATIENT,
            3,
            "0.80",
            "350000",
            deductible_first_admission="1700",
            deductible_later_admission="500",
        ),
        _rule(
            CareType.INPATIENT,
            2,
            "0.85",
            "350000",
            deductible_first_admission="1100",
            deductible_later_admission="350",
        ),
        _rule(
            CareType.INPATIENT,
            1,
            "0.85",
            "350000",
            deductible_first_admission="800",
            deductible_later_admission="270",
        ),
        _rule(
            CareType.INPATIENT,
            3,
            "0.80",
            "350000",
            person_type="employee_retired",
            deductible_first_admission="1700",
            deductible_later_admission="500",
            retiree_addition="0.05",
        ),
        _rule(CareType.GENERAL_OUTPATIENT, None, "0.50", "1000", annual_deductible="100"),
        _rule(CareType.CHRONIC_OUTPATIENT, None, "0.80", "5000", annual_deductible="100"),
    ),
)


def assert_problem(
    response: httpx.Response, status: int, code: str, field: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    if field is not None:
        assert body.get("field") == field, body
    return body


def line(code: str, cnt: str, pric: str) -> dict[str, str]:
    return {"med_list_codg": code, "cnt": cnt, "pric": pric}


def bill_body(
    setl_id: str | None = "S1",
    *,
    lines: Sequence[dict[str, str]] = (line("DRUG_A", "100", "50.00"),),
    medfee_sumamt: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A settlement body; medfee_sumamt is the lines' sum unless given."""
    total = sum((D(item["cnt"]) * D(item["pric"]) for item in lines), D("0"))
    body = {
        "psn_no": PERSON,
        "mdtrt_id": f"M-{setl_id}",
        "insutype": "310",
        "med_type": "21",
        "begndate": "2025-06-01",
        "enddate": "2025-06-05",
        "medfee_sumamt": medfee_sumamt or f"{total:.2f}",
        "lines": list(lines),
        **fields,
    }
    if setl_id is not None:
        body["setl_id"] = setl_id
    return body


@dataclass
class SettlementApp:
    client: httpx.AsyncClient
    runtime: Runtime

    async def know_person(
        self,
        psn_no: str,
        *,
        insured_region: str = TIANJIN,
        insutype: str = "390",
        person_type: str = "resident",
        status: str = "active",
    ) -> None:
        async with self.runtime.uow() as uow:
            await read_model.save_person(
                uow.session,
                {
                    "psn_no": psn_no,
                    "name": "李四",
                    "insured_region": insured_region,
                    "insutype": insutype,
                    "person_type": person_type,
                    "status": status,
                },
            )
            await uow.commit()

    async def know_filing(
        self,
        filing_id: str,
        psn_no: str,
        *,
        start: date,
        end: date | None = None,
        cancelled_on: date | None = None,
        filing_class: str = "long_term",
        subtype: str = "long_term_resident",
        destination: str = BEIJING,
        scope: Sequence[str] | None = None,
    ) -> None:
        async with self.runtime.uow() as uow:
            await read_model.save_filing(
                uow.session,
                {
                    "filing_id": filing_id,
                    "psn_no": psn_no,
                    "filing_class": filing_class,
                    "subtype": subtype,
                    "destination_region": destination,
                    "start_date": start,
                    "end_date": end,
                    "scope": list(scope) if scope is not None else None,
                },
            )
            if cancelled_on is not None:
                await read_model.cancel_filing(
                    uow.session,
                    filing_id=filing_id,
                    psn_no=psn_no,
                    cancelled_on=cancelled_on,
                    as_of=timeutil.now(),
                )
            await uow.commit()

    async def know_institution(
        self,
        code: str = HOSPITAL_CODE,
        *,
        region: str = BEIJING,
        level: int | None = 3,
        designated: bool = True,
        services: Sequence[str] = ("inpatient", "general_outpatient", "chronic_outpatient"),
        consortium_id: str | None = None,
        jjj_mutual_recognition: bool = False,
    ) -> None:
        async with self.runtime.uow() as uow:
            await read_model.save_institution(
                uow.session,
                {
                    "code": code,
                    "name": f"医院 {code}",
                    "region": region,
                    "kind": "hospital",
                    "level": level,
                    "designated": designated,
                    "networked_services": list(services),
                    "consortium_id": consortium_id,
                    "jjj_mutual_recognition": jjj_mutual_recognition,
                },
            )
            await uow.commit()

    async def know_referral(
        self,
        referral_id: str,
        psn_no: str,
        *,
        target: str,
        covered: Sequence[str] = (),
        consortium_id: str | None = None,
        valid_from: date = date(2025, 1, 1),
        valid_to: date = date(2025, 12, 31),
    ) -> None:
        async with self.runtime.uow() as uow:
            await read_model.save_referral(
                uow.session,
                {
                    "referral_id": referral_id,
                    "psn_no": psn_no,
                    "path": "tertiary_outbound",
                    "issuing_institution": "H12010100001",
                    "target_institution": target,
                    "target_region": BEIJING,
                    "covered_institutions": [target, *covered],
                    "consortium_id": consortium_id,
                    "valid_from": valid_from,
                    "valid_to": valid_to,
                },
            )
            await uow.commit()

    async def know_chronic_registration(
        self, registration_id: str, psn_no: str, *, disease: str, institutions: Sequence[str]
    ) -> None:
        async with self.runtime.uow() as uow:
            await read_model.save_chronic_registration(
                uow.session,
                {
                    "registration_id": registration_id,
                    "psn_no": psn_no,
                    "filing_id": None,
                    "disease_code": disease,
                    "disease_name": "高血压",
                    "institution_codes": list(institutions),
                    "status": "active",
                },
            )
            await uow.commit()

    async def close_period(self, period: str) -> None:
        async with self.runtime.uow() as uow:
            await read_model.close_period(
                uow.session, period=period, run_id=f"run-{period}", closed_at=timeutil.now()
            )
            await uow.commit()

    async def know_reference_data(self) -> None:
        for version in (CATALOGUE, TIANJIN_CATALOGUE, POLICY):
            await reference_data.import_version(
                self.runtime.uow(), version=version, created_by="tests"
            )

    async def count(self, table: Table, *where: Any) -> int:
        async with self.runtime.engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(table).where(*where)))

    async def rows(self, table: Table, *where: Any) -> list[dict[str, Any]]:
        async with self.runtime.engine.connect() as conn:
            query = select(table).where(*where)
            return [dict(row) for row in (await conn.execute(query)).mappings()]


@pytest.fixture
async def settlement_app(new_database) -> AsyncIterator[SettlementApp]:
    settings = SettlementSettings(database_url=await new_database("settlement"))
    async with api_client(SERVICE, settings) as (client, runtime):
        yield SettlementApp(client, runtime)


@pytest.fixture
async def ready(settlement_app) -> SettlementApp:
    """A Tianjin employee filed long-term to Beijing, a level-3 Beijing hospital, and the
    tests' catalogue and policy."""
    await settlement_app.know_reference_data()
    await settlement_app.know_institution()
    await settlement_app.know_person(PERSON, insutype="310", person_type="employee_in_service")
    await settlement_app.know_filing("F1", PERSON, start=date(2025, 1, 1))
    return settlement_app
