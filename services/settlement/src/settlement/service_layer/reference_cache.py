"""Catalogues, policies and closed periods kept in memory, exact by the reference stamp.

Every settlement reads the stamp with the person and the institution (``pricing_context``);
while it is unchanged, which versions exist and which periods are closed come from memory, and
so do each version's items and rules (a stored version never changes: a correction is a new
version). This saves five statements per settlement.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable, Collection
from datetime import date
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncSession

from settlement.adapters import read_model, reference_data
from settlement.adapters.pricing_context import ReferenceStamp, VersionsStamp
from settlement.adapters.reference_data import CATALOGUES, POLICIES, VersionTables
from settlement.domain.policy import CareType, Catalogue, Policy
from settlement.domain.reference_data import PolicyVersion, VersionRef, in_force

T = TypeVar("T")

# By database (and table): the shipped defaults have the same version ids in every database.
_versions: dict[tuple[str, str], tuple[VersionsStamp, list[VersionRef]]] = {}
_closed_periods: dict[str, tuple[int, frozenset[str]]] = {}
_catalogues: dict[tuple[str, str], Catalogue] = {}
_policies: dict[tuple[str, str], PolicyVersion] = {}
# Each engine's database as a key, rendered once: a URL renders itself on every hash.
_databases: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def _database(session: AsyncSession) -> str:
    engine = session.get_bind()
    database = _databases.get(engine)
    if database is None:
        database = _databases[engine] = engine.url.render_as_string()
    return database


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


async def _stored_in_force(
    session: AsyncSession,
    tables: VersionTables,
    stamp: VersionsStamp,
    cache: dict[tuple[str, str], T],
    load: Callable[[AsyncSession, str], Awaitable[T | None]],
    *,
    region: str,
    on: date,
) -> T | None:
    """The version in force, from memory once loaded; None if there is none."""
    version_id = await _version_in_force(session, tables, stamp, region=region, on=on)
    if version_id is None:
        return None
    key = (_database(session), version_id)
    if key not in cache:
        loaded = await load(session, version_id)
        if loaded is None:
            return None
        cache[key] = loaded
    return cache[key]


async def _load_catalogue(session: AsyncSession, version_id: str) -> Catalogue | None:
    version = await reference_data.get_catalogue_version(session, version_id)
    return version and version.as_catalogue()


async def catalogue_in_force(
    session: AsyncSession,
    reference: ReferenceStamp,
    *,
    region: str,
    on: date,
    item_codes: Collection[str],
) -> Catalogue:
    catalogue = await _stored_in_force(
        session,
        CATALOGUES,
        reference.catalogues,
        _catalogues,
        _load_catalogue,
        region=region,
        on=on,
    )
    if catalogue is None:
        # The reference-data module's own answer and refusal for a missing catalogue.
        return await reference_data.catalogue_in_force(
            session, region=region, on=on, item_codes=item_codes
        )
    return catalogue


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
    version = await _stored_in_force(
        session,
        POLICIES,
        reference.policies,
        _policies,
        reference_data.get_policy_version,
        region=insured_region,
        on=on,
    )
    policy = version and version.policy_for(
        insutype=insutype,
        person_type=person_type,
        care_type=care_type,
        institution_level=institution_level,
    )
    if not policy:
        # The reference-data module's own answer and refusal for a missing policy.
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
