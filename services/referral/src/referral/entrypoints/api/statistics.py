from __future__ import annotations

import csv
import io
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import Response

from medins_common.api.errors import PROBLEM_RESPONSES
from medins_common.api.security import require_roles
from medins_common.auth import Principal, Role
from medins_common.service import UnitOfWorkDep
from medins_common.timeutil import now, period_of
from referral.entrypoints.api.schemas import HospitalMonthOut, StatisticsOut
from referral.service_layer import queries

router = APIRouter(prefix="/v1/statistics", tags=["statistics"], responses=PROBLEM_RESPONSES)

Overseer = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.AUDITOR))]
Month = Annotated[str | None, Query(examples=["2026-11"], description="YYYY-MM, Asia/Shanghai")]
CSV = "text/csv"
CSV_COLUMNS = ("institution_code", "institution_name", "month", "measure", "key", "count")


@router.get(
    "/referrals",
    response_model=StatisticsOut,
    summary="Referrals per Tianjin tertiary hospital and month (D-R6), JSON or CSV",
    description="Issued (by upload month), revoked (issued referrals, by revocation month), "
    "and the month's issued referrals by target region and ICD-10 chapter. CSV with "
    "`Accept: text/csv` or `?format=csv`: one row per hospital, month, measure and key.",
    responses={200: {"content": {CSV: {}}}},
)
async def referral_statistics(
    uow: UnitOfWorkDep,
    _overseer: Overseer,
    first: Annotated[Month, Query(alias="from")] = None,
    last: Annotated[Month, Query(alias="to")] = None,
    institution_code: Annotated[str | None, Query(max_length=30)] = None,
    output: Annotated[Literal["json", "csv"] | None, Query(alias="format")] = None,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    first = first or period_of(now())
    last = last or first
    rows = await queries.statistics(
        uow,
        first_month=first,
        last_month=last,
        institution_code=institution_code,
    )
    out = StatisticsOut(
        from_month=first, to_month=last, rows=[HospitalMonthOut.of(r) for r in rows]
    )
    if output == "csv" or (output is None and CSV in (accept or "")):
        return Response(
            _csv(out),
            media_type=f"{CSV}; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="referrals-{first}-{last}.csv"'},
        )
    return Response(out.model_dump_json(by_alias=True), media_type="application/json")


def _csv(out: StatisticsOut) -> str:
    """Long form, one count per line, so every breakdown fits one sheet. A BOM lets
    spreadsheet programs read the Chinese names as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in out.rows:
        head = (row.institution_code, row.institution_name or "", row.month)
        writer.writerow((*head, "issued", "", row.issued))
        writer.writerow((*head, "revoked", "", row.revoked))
        for region, count in row.by_target_region.items():
            writer.writerow((*head, "target_region", region, count))
        for chapter, count in row.by_icd10_chapter.items():
            writer.writerow((*head, "icd10_chapter", chapter, count))
    return "\ufeff" + buffer.getvalue()
