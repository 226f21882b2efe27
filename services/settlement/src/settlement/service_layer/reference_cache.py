"""Catalogues and policies in force, with each stored version read from the database once.

A stored version never changes (a correction is a new version), so only the question "which
version is in force on this day" goes to the database on every settlement; the version's
items and rules come from memory. This saves five statements per settlement.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from settlement.adapters import reference_data
from settlement.adapters.reference_data import CATALOGUES, POLICIES
from settlement.domain.policy import CareType, Catalogue, Policy
from settlement.domain.reference_data import PolicyVersion

# By database and version id: the shipped defaults have the same ids in every database.
_catalogues: dict[tuple[str, str], Catalogue] = {}
_policies: dict[tuple[str, str], PolicyVersion] = {}


def _database(session: AsyncSession) -> str:
    return str(session.get_bind().url)


async def catalogue_in_force(
    session: AsyncSession, *, region: str, on: date, item_codes: Collection[str]
) -> Catalogue:
    version_id = await reference_data.version_in_force(session, CATALOGUES, region=region, on=on)
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
    *,
    insured_region: str,
    on: date,
    insutype: str,
    person_type: str,
    care_type: CareType,
    institution_level: int | None,
) -> Policy:
    version_id = await reference_data.version_in_force(
        session, POLICIES, region=insured_region, on=on
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
