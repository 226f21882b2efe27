"""Catalogues, policies and closed periods kept in memory, exact by the reference stamp.

Every settlement reads the stamp with the person and the institution (``pricing_context``);
while it is unchanged, which versions exist and which periods are closed come from memory, and
so do each version's items and rules (a stored version never changes: a correction is a new
version). This saves five statements per settlement.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import URL
from sqlalchemy.ext.asyncio import AsyncSession

from settlement.adapters import read_model, reference_data
from settlement.adapters.pricing_context import ReferenceStamp, VersionsStamp
from settlement.adapters.reference_data import CATALOGUES, POLICIES, VersionTables
from settlement.domain.policy import CareType, Catalogue, Policy
from settlement.domain.reference_data import PolicyVersion, VersionRef, in_force

# By database (and table): the shipped defaults have the same version ids in every database.
_versions: dict[tuple[URL, str], tuple[VersionsStamp, list[VersionRef]]] = {}
_closed_periods: dict[URL, tuple[int, frozenset[str]]] = {}
_catalogues: dict[tuple[URL, str], Catalogue] = {}
_policies: dict[tuple[URL, str], PolicyVersion] = {}


def _database(session: AsyncSession) -> URL:
    return session.get_bind().url


async def _version_in_force(
    session: AsyncSession, tables: VersionTables, stamp: VersionsStamp, *, region: str, on: date
) -> str | None:
    key = (_database(session), tables.versions.name)
    known = _versions.get(key)
    if known is None or known[0] != stamp:
        known = _versions[key] = (stamp, await reference_data.version_refs(session, tables))
    chosen = in_force(known[1], region=region, on=on)
    return chosen and chosen.version_id


async def closed_periods(session: AsyncSession, reference: ReferenceStamp) -> frozenset[str]:
    key = _database(session)
    known = _closed_periods.get(key)
    if known is None or known[0] != reference.closed_periods:
        known = _closed_periods[key] = (
            reference.closed_periods,
            await read_model.all_closed_periods(session),
        )
    return known[1]


async def catalogue_in_force(
    session: AsyncSession,
    reference: ReferenceStamp,
    *,
    region: str,
    on: date,
    item_codes: Collection[str],
) -> Catalogue:
    version_id = await _version_in_force(
        session, CATALOGUES, reference.catalogues, region=region, on=on
    )
    key = (_database(session), version_id or "")
    if version_id is not None and key not in _catalogues:
        version = await reference_data.get_catalogue_version(session, version_id)
        if version is not None:
            _catalogues[key] = version.as_catalogue()
    if key not in _catalogues:
        # The reference-data module's own answer and refusal for a missing catalogue.
        return await reference_data.catalogue_in_force(
            session, region=region, on=on, item_codes=item_codes
        )
    return _catalogues[key]


async def policy_in_force(
    session: AsyncSession,
    reference: ReferenceStamp,
    *,
    insured_region: str,
    on: date,
    insutype: str,
    person_type: str,
    care_type: CareType,
    institution_level: int | None,
) -> Policy:
    version_id = await _version_in_force(
        session, POLICIES, reference.policies, region=insured_region, on=on
    )
    key = (_database(session), version_id or "")
    if version_id is not None and key not in _policies:
        version = await reference_data.get_policy_version(session, version_id)
        if version is not None:
            _policies[key] = version
    policy = key in _policies and _policies[key].policy_for(
        insutype=insutype,
        person_type=person_type,
        care_type=care_type,
        institution_level=institution_level,
    )
    if not policy:
        return await reference_data.policy_in_force(
            session,
            insured_region=insured_region,
            on=on,
            insutype=insutype,
            person_type=person_type,
            care_type=care_type,
            institution_level=institution_level,
        )
    return policy
