"""The directory of designated institutions (D-F5, D-F12): admin import, public lookup."""

from __future__ import annotations

from collections.abc import Sequence

from filing.adapters import repository
from filing.domain.errors import RowProblem
from filing.domain.institution import Institution, NetworkedService, new_institution
from filing.domain.regions import check_region
from filing.service_layer.bulk import (
    ImportResult,
    ImportRow,
    build_rows,
    flag_repeats,
    reject_if_any,
)
from medins_common.errors import NotFound
from medins_common.events.schemas import InstitutionUpserted
from medins_common.unit_of_work import UnitOfWork


async def import_institutions(
    uow: UnitOfWork, *, rows: Sequence[ImportRow], problems: list[RowProblem]
) -> ImportResult:
    """Insert or update every row, or nothing; an InstitutionUpserted for each row that
    changes something, none for a row equal to the directory."""
    built = build_rows(rows, new_institution, problems)
    flag_repeats(((pos, inst.code) for pos, inst in built), field="code", problems=problems)
    reject_if_any(problems)
    async with uow:
        current = await repository.institutions_by_code(
            uow.session, [institution.code for _, institution in built]
        )
        changed = [inst for _, inst in built if current.get(inst.code) != inst]
        if changed:
            await repository.save_institutions(uow.session, changed)
            await uow.publish(*(_upserted(institution) for institution in changed))
        await uow.commit()
    created = sum(1 for institution in changed if institution.code not in current)
    return ImportResult(
        created=created, updated=len(changed) - created, unchanged=len(built) - len(changed)
    )


def _upserted(institution: Institution) -> InstitutionUpserted:
    return InstitutionUpserted(
        code=institution.code,
        name=institution.name,
        region=institution.region,
        kind=institution.kind.value,
        level=None if institution.level is None else int(institution.level),
        designated=institution.designated,
        networked_services=sorted(service.value for service in institution.networked_services),
        consortium_id=institution.consortium_id,
        jjj_mutual_recognition=institution.jjj_mutual_recognition,
    )


async def find_networked(
    uow: UnitOfWork,
    *,
    region: str,
    service: NetworkedService | None,
    limit: int,
    offset: int,
) -> list[Institution]:
    """D-F12: designated institutions in a province, city or district, by what they settle."""
    check_region(region, field="region")
    async with uow:
        return await repository.institutions_in(
            uow.session, region=region, service=service, limit=limit, offset=offset
        )


def institution_not_found(code: str, *, field: str) -> NotFound:
    return NotFound(f"No institution {code}.", code="institution_not_found", field=field)


async def get_institution(uow: UnitOfWork, *, code: str) -> Institution:
    async with uow:
        institution = await repository.get_institution(uow.session, code)
    if institution is None:
        raise institution_not_found(code, field="code")
    return institution
