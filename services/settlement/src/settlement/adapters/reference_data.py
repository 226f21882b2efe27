"""Catalogues and policies in and out of the database, and which version is in force on a day.

Catalogue and policy versions are stored alike: a version row (region, first day) and its
child rows; ``CATALOGUES`` and ``POLICIES`` name their tables for the shared functions.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Column, Connection, Select, Table, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from medins_common import timeutil
from settlement.adapters.reference_tables import (
    ANY_LEVEL,
    catalogue_items,
    catalogue_versions,
    policy_chronic_diseases,
    policy_rules,
    policy_versions,
)
from settlement.domain.policy import (
    CareType,
    Catalogue,
    CatalogueItem,
    ItemClass,
    ItemKind,
    NoCatalogue,
    NoPolicy,
    Policy,
)
from settlement.domain.reference_data import (
    CatalogueVersion,
    ChronicDisease,
    PolicyRule,
    PolicyVersion,
    VersionRef,
    VersionSummary,
    in_force,
    province_of,
)

SEEDED_BY = "defaults"
Rows = list[tuple[Table, list[dict[str, Any]]]]


@dataclass(frozen=True)
class VersionTables:
    versions: Table
    region_column: str
    entries: Table  # the rows counted as the version's entries
    children: tuple[Table, ...]

    @property
    def region(self) -> Column[Any]:
        return self.versions.c[self.region_column]


CATALOGUES = VersionTables(catalogue_versions, "region", catalogue_items, (catalogue_items,))
POLICIES = VersionTables(
    policy_versions, "insured_region", policy_rules, (policy_rules, policy_chronic_diseases)
)


# -- writing ---------------------------------------------------------------------------------


def _catalogue_rows(version: CatalogueVersion) -> Rows:
    header = {
        "version_id": version.version_id,
        "region": version.region,
        "effective_from": version.effective_from,
        "source": version.source,
        "created_by": version.created_by,
        "created_at": version.created_at,
    }
    items = [
        {
            "version_id": version.version_id,
            "item_code": item.code,
            "name": item.name,
            "kind": item.kind.value,
            "item_class": item.item_class.value,
            "self_pay_share": item.self_pay_share,
            "price_cap": item.price_cap,
        }
        for item in version.items
    ]
    return [(catalogue_versions, [header]), (catalogue_items, items)]


def _policy_rows(version: PolicyVersion) -> Rows:
    header = {
        "version_id": version.version_id,
        "insured_region": version.insured_region,
        "effective_from": version.effective_from,
        "source": version.source,
        "referral_share_increase": version.referral_share_increase,
        "own_initiative_share_increase": version.own_initiative_share_increase,
        "created_by": version.created_by,
        "created_at": version.created_at,
    }
    rules = [
        {
            "version_id": version.version_id,
            "insutype": rule.insutype,
            "person_type": rule.person_type,
            "care_type": rule.care_type.value,
            "institution_level": _stored_level(rule.institution_level),
            "position": position,
            "fund_ratio": rule.fund_ratio,
            "annual_cap": rule.annual_cap,
            "deductible_first_admission": rule.deductible_first_admission,
            "deductible_later_admission": rule.deductible_later_admission,
            "annual_deductible": rule.annual_deductible,
            "retiree_addition": rule.retiree_addition,
        }
        for position, rule in enumerate(version.rules)
    ]
    diseases = [
        {"version_id": version.version_id, "disease_code": d.code, "disease_name": d.name}
        for d in version.chronic_diseases
    ]
    return [
        (policy_versions, [header]),
        (policy_rules, rules),
        (policy_chronic_diseases, diseases),
    ]


async def add_version(session: AsyncSession, version: CatalogueVersion | PolicyVersion) -> None:
    rows = (
        _catalogue_rows(version) if isinstance(version, CatalogueVersion) else _policy_rows(version)
    )
    for table, values in rows:
        if values:
            await session.execute(insert(table), values)


async def delete_version(session: AsyncSession, tables: VersionTables, version_id: str) -> None:
    for child in tables.children:
        await session.execute(delete(child).where(child.c.version_id == version_id))
    await session.execute(delete(tables.versions).where(tables.versions.c.version_id == version_id))


def seed_defaults(
    connection: Connection,
    *,
    catalogues: Iterable[CatalogueVersion],
    policies: Iterable[PolicyVersion],
) -> None:
    """Store the shipped versions a database lacks. One already there by id, or an admin's
    own version for the same region and day, is left alone: running it again changes nothing.
    Synchronous: the migration's data step calls it."""
    stamp = {"created_by": SEEDED_BY, "created_at": timeutil.now()}
    pending = [
        (CATALOGUES, v.region, v, _catalogue_rows(replace(v, **stamp))) for v in catalogues
    ] + [(POLICIES, v.insured_region, v, _policy_rows(replace(v, **stamp))) for v in policies]
    for tables, region, version, rows in pending:
        by_id = select(tables.versions.c.version_id).where(
            tables.versions.c.version_id == version.version_id
        )
        same_day = _taken(tables, region=region, effective_from=version.effective_from)
        if connection.scalar(by_id) or connection.scalar(same_day):
            continue
        for table, values in rows:
            if values:
                connection.execute(insert(table), values)


# -- reading ---------------------------------------------------------------------------------


def _taken(tables: VersionTables, *, region: str, effective_from: date) -> Select[Any]:
    return select(tables.versions.c.version_id).where(
        tables.region == region, tables.versions.c.effective_from == effective_from
    )


async def version_taken(
    session: AsyncSession, tables: VersionTables, *, region: str, effective_from: date
) -> bool:
    found = await session.scalar(_taken(tables, region=region, effective_from=effective_from))
    return found is not None


async def list_versions(
    session: AsyncSession, tables: VersionTables, *, region: str | None
) -> list[VersionSummary]:
    versions, entries = tables.versions, tables.entries
    counts = (
        select(entries.c.version_id, func.count().label("entries"))
        .group_by(entries.c.version_id)
        .subquery()
    )
    query = (
        select(versions, func.coalesce(counts.c.entries, 0).label("entries"))
        .outerjoin(counts, counts.c.version_id == versions.c.version_id)
        .order_by(tables.region, versions.c.effective_from)
    )
    if region is not None:
        query = query.where(tables.region == region)
    return [
        VersionSummary(
            version_id=row.version_id,
            region=row._mapping[tables.region_column],
            effective_from=row.effective_from,
            source=row.source,
            created_by=row.created_by,
            created_at=row.created_at,
            entries=row.entries,
        )
        for row in (await session.execute(query)).all()
    ]


async def effective_from_of(
    session: AsyncSession, tables: VersionTables, version_id: str
) -> date | None:
    return await session.scalar(
        select(tables.versions.c.effective_from).where(tables.versions.c.version_id == version_id)
    )


async def version_in_force(
    session: AsyncSession, tables: VersionTables, *, region: str, on: date
) -> str | None:
    """The version in force on the day (the domain's ``in_force`` picks among the region's
    and its province's)."""
    refs = await version_refs(session, tables, regions={region, province_of(region)})
    chosen = in_force(refs, region=region, on=on)
    return chosen and chosen.version_id


async def version_refs(
    session: AsyncSession, tables: VersionTables, *, regions: Collection[str] | None = None
) -> list[VersionRef]:
    """Which versions exist, for which region and from which day: of all regions, or some."""
    query = select(tables.versions.c.version_id, tables.region, tables.versions.c.effective_from)
    if regions is not None:
        query = query.where(tables.region.in_(regions))
    return [VersionRef(*row) for row in (await session.execute(query)).all()]


async def get_catalogue_version(
    session: AsyncSession, version_id: str, *, item_codes: Collection[str] | None = None
) -> CatalogueVersion | None:
    header = (
        await session.execute(
            select(catalogue_versions).where(catalogue_versions.c.version_id == version_id)
        )
    ).first()
    if header is None:
        return None
    query = (
        select(catalogue_items)
        .where(catalogue_items.c.version_id == version_id)
        .order_by(catalogue_items.c.item_code)
    )
    if item_codes is not None:
        query = query.where(catalogue_items.c.item_code.in_(set(item_codes)))
    return CatalogueVersion(
        region=header.region,
        effective_from=header.effective_from,
        items=tuple(_item(row) for row in (await session.execute(query)).all()),
        source=header.source,
        version_id=header.version_id,
        created_by=header.created_by,
        created_at=header.created_at,
    )


async def get_policy_version(
    session: AsyncSession,
    version_id: str,
    *,
    rule_key: tuple[str, str, CareType, int | None] | None = None,
) -> PolicyVersion | None:
    """A stored policy; with ``rule_key`` only the rules that could apply to it (its level's
    and the any-level rule), which is all a settlement needs."""
    header = (
        await session.execute(
            select(policy_versions).where(policy_versions.c.version_id == version_id)
        )
    ).first()
    if header is None:
        return None
    query = (
        select(policy_rules)
        .where(policy_rules.c.version_id == version_id)
        .order_by(policy_rules.c.position)
    )
    if rule_key is not None:
        insutype, person_type, care_type, level = rule_key
        query = query.where(
            policy_rules.c.insutype == insutype,
            policy_rules.c.person_type == person_type,
            policy_rules.c.care_type == care_type.value,
            policy_rules.c.institution_level.in_({ANY_LEVEL, _stored_level(level)}),
        )
    diseases = (
        await session.execute(
            select(policy_chronic_diseases)
            .where(policy_chronic_diseases.c.version_id == version_id)
            .order_by(policy_chronic_diseases.c.disease_code)
        )
    ).all()
    return PolicyVersion(
        insured_region=header.insured_region,
        effective_from=header.effective_from,
        rules=tuple(_rule(row) for row in (await session.execute(query)).all()),
        source=header.source,
        referral_share_increase=header.referral_share_increase,
        own_initiative_share_increase=header.own_initiative_share_increase,
        chronic_diseases=tuple(ChronicDisease(d.disease_code, d.disease_name) for d in diseases),
        version_id=header.version_id,
        created_by=header.created_by,
        created_at=header.created_at,
    )


async def catalogue_version_in_force(
    session: AsyncSession, *, region: str, on: date, item_codes: Collection[str] | None = None
) -> CatalogueVersion | None:
    """The catalogue version in force on the day, with all its items or only those named."""
    version_id = await version_in_force(session, CATALOGUES, region=region, on=on)
    if version_id is None:
        return None
    return await get_catalogue_version(session, version_id, item_codes=item_codes)


async def policy_version_in_force(
    session: AsyncSession,
    *,
    insured_region: str,
    on: date,
    rule_key: tuple[str, str, CareType, int | None] | None = None,
) -> PolicyVersion | None:
    """The policy version in force on the day, with all its rules or those for one key."""
    version_id = await version_in_force(session, POLICIES, region=insured_region, on=on)
    if version_id is None:
        return None
    return await get_policy_version(session, version_id, rule_key=rule_key)


async def catalogue_in_force(
    session: AsyncSession, *, region: str, on: date, item_codes: Collection[str]
) -> Catalogue:
    """For the engine: the treatment region's catalogue in force on the day, holding the
    items a bill names (those it lists; the engine refuses the others)."""
    version = await catalogue_version_in_force(session, region=region, on=on, item_codes=item_codes)
    if version is None:
        raise NoCatalogue(
            f"No catalogue of region {region} (or its province) is in force on {on}.",
            field="treatment_region",
        )
    return version.as_catalogue()


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
    """For the engine: the insured place's benefits in force on the day for this person's
    insutype and person type, this care and this institution level."""
    key = (insutype, person_type, care_type.benefit, institution_level)
    version = await policy_version_in_force(
        session, insured_region=insured_region, on=on, rule_key=key
    )
    policy = version and version.policy_for(
        insutype=insutype,
        person_type=person_type,
        care_type=care_type,
        institution_level=institution_level,
    )
    if not policy:
        raise NoPolicy(
            f"No policy of insured region {insured_region} in force on {on} covers "
            f"{insutype}/{person_type}/{care_type.benefit} at level {institution_level or 'any'}.",
            field="insured_region" if version is None else "care_type",
        )
    return policy


def _item(row: Any) -> CatalogueItem:
    return CatalogueItem(
        code=row.item_code,
        name=row.name,
        kind=ItemKind(row.kind),
        item_class=ItemClass(row.item_class),
        self_pay_share=row.self_pay_share,
        price_cap=row.price_cap,
    )


def _rule(row: Any) -> PolicyRule:
    return PolicyRule(
        insutype=row.insutype,
        person_type=row.person_type,
        care_type=CareType(row.care_type),
        institution_level=None if row.institution_level == ANY_LEVEL else row.institution_level,
        fund_ratio=row.fund_ratio,
        annual_cap=row.annual_cap,
        deductible_first_admission=row.deductible_first_admission,
        deductible_later_admission=row.deductible_later_admission,
        annual_deductible=row.annual_deductible,
        retiree_addition=row.retiree_addition,
    )


def _stored_level(level: int | None) -> int:
    return ANY_LEVEL if level is None else level
