"""Reference-data use cases: admins import dated catalogue and policy versions; anyone
signed in reads them (they are public policy)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from sqlalchemy.exc import IntegrityError

from medins_common import timeutil
from medins_common.errors import Conflict, NotFound
from medins_common.unit_of_work import UnitOfWork
from settlement.adapters import reference_data
from settlement.adapters.reference_data import CATALOGUES, POLICIES, VersionTables
from settlement.domain.reference_data import (
    CatalogueVersion,
    PolicyVersion,
    VersionExists,
    VersionSummary,
    refuse_if_invalid,
)

Version = CatalogueVersion | PolicyVersion


async def import_version(
    uow: UnitOfWork,
    *,
    version: Version,
    created_by: str,
    csv_lines: Sequence[int] | None = None,
) -> VersionSummary:
    """A region's whole catalogue or policy from a day on: all of it or nothing."""
    created_at = timeutil.now()
    version = replace(
        version, version_id=str(uuid.uuid4()), created_by=created_by, created_at=created_at
    )
    refuse_if_invalid(
        version.problems(), describe=version.KIND, collection=version.ENTRIES, csv_lines=csv_lines
    )
    tables = CATALOGUES if isinstance(version, CatalogueVersion) else POLICIES
    region, effective_from = version.region, version.effective_from
    try:
        async with uow:
            await _refuse_taken(uow, tables, region=region, effective_from=effective_from)
            await reference_data.add_version(uow.session, version)
            await uow.commit()
    except IntegrityError:
        # A concurrent import of the same region and day committed first: the same 409.
        async with uow:
            await _refuse_taken(uow, tables, region=region, effective_from=effective_from)
        raise
    return VersionSummary(
        version_id=version.version_id,
        region=region,
        effective_from=effective_from,
        source=version.source,
        created_by=created_by,
        created_at=created_at,
        entries=len(version.entries),
    )


async def _refuse_taken(
    uow: UnitOfWork, tables: VersionTables, *, region: str, effective_from: date
) -> None:
    if await reference_data.version_taken(
        uow.session, tables, region=region, effective_from=effective_from
    ):
        raise VersionExists(
            f"Region {region} already has a version from {effective_from}; import the "
            "change as a version from another day, or delete that one if not yet in force.",
            field="effective_from",
        )


async def list_versions(
    uow: UnitOfWork, *, tables: VersionTables, region: str | None
) -> list[VersionSummary]:
    async with uow:
        return await reference_data.list_versions(uow.session, tables, region=region)


async def get_catalogue(uow: UnitOfWork, *, version_id: str) -> CatalogueVersion:
    async with uow:
        version = await reference_data.get_catalogue_version(uow.session, version_id)
    if version is None:
        raise _not_found(version_id)
    return version


async def get_policy(uow: UnitOfWork, *, version_id: str) -> PolicyVersion:
    async with uow:
        version = await reference_data.get_policy_version(uow.session, version_id)
    if version is None:
        raise _not_found(version_id)
    return version


async def catalogue_in_force(
    uow: UnitOfWork, *, region: str, on: date, item_codes: Sequence[str] | None = None
) -> CatalogueVersion:
    """The catalogue a settlement in the treatment region on that day would use."""
    async with uow:
        version = await reference_data.catalogue_version_in_force(
            uow.session, region=region, on=on, item_codes=item_codes or None
        )
    if version is None:
        raise _none_in_force("catalogue", region, on, field="region")
    return version


async def policy_in_force(uow: UnitOfWork, *, insured_region: str, on: date) -> PolicyVersion:
    """The policy a settlement for a person insured in the region on that day would use."""
    async with uow:
        version = await reference_data.policy_version_in_force(
            uow.session, insured_region=insured_region, on=on
        )
    if version is None:
        raise _none_in_force("policy", insured_region, on, field="insured_region")
    return version


def _none_in_force(kind: str, region: str, on: date, *, field: str) -> NotFound:
    return NotFound(
        f"No {kind} of region {region} (or its province) is in force on {on}.",
        code=f"no_{kind}_in_force",
        field=field,
    )


async def delete_version(uow: UnitOfWork, *, tables: VersionTables, version_id: str) -> None:
    """Withdraw a version before its first day; one in force may have been applied to
    settlements, so it stays (a correction is a new version)."""
    async with uow:
        effective_from = await reference_data.effective_from_of(uow.session, tables, version_id)
        if effective_from is None:
            raise _not_found(version_id)
        if effective_from <= timeutil.today():
            raise Conflict(
                f"Version {version_id} has been in force since {effective_from}; correct it "
                "with a new version instead.",
                code="version_in_force",
                field="version_id",
            )
        await reference_data.delete_version(uow.session, tables, version_id)
        await uow.commit()


def _not_found(version_id: str) -> NotFound:
    return NotFound(f"No version {version_id}.", code="version_not_found", field="version_id")
