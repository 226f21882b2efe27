"""Read-side questions hospitals and the app ask settlement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from medins_common.auth import Principal, Role
from medins_common.errors import Forbidden, NotFound
from medins_common.unit_of_work import UnitOfWork
from settlement.adapters import read_model
from settlement.domain.eligibility import KnownFiling, filings_in_force


@dataclass(frozen=True)
class FilingStatus:
    psn_no: str
    insured_region: str
    on: date
    filed: bool
    filings: list[KnownFiling]


async def filing_status(
    uow: UnitOfWork, *, psn_no: str, on: date, principal: Principal
) -> FilingStatus:
    if principal.role is Role.INSURED and principal.psn_no != psn_no:
        raise Forbidden(
            "An insured person may see only their own records.",
            code="not_own_record",
            field="psn_no",
        )
    async with uow:
        person = await read_model.person(uow.session, psn_no)
        filings = await read_model.filings_of(uow.session, psn_no)
    if person is None:
        raise NotFound(
            f"Settlement knows no person {psn_no} (yet).", code="person_unknown", field="psn_no"
        )
    in_force = filings_in_force(filings, on)
    return FilingStatus(
        psn_no=psn_no,
        insured_region=person.insured_region,
        on=on,
        filed=bool(in_force),
        filings=in_force,
    )
