"""Pricing one episode of care: coverage from the read models, the catalogue and policy in
force on the discharge day, then the policy engine. Direct settlements and manual claims differ
only in whose catalogue applies (D-S2 the treatment place's, D-S3 the insured place's) and in
whether a missing filing refuses (direct settlement) or means own initiative (a claim)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from medins_common.errors import ProblemError
from settlement.adapters.pricing_context import (
    PricingContext,
    ReferenceStamp,
    Wanted,
    read_pricing_contexts,
)
from settlement.domain.bill import usage_taken
from settlement.domain.coverage import (
    CareAt,
    ChronicRegistration,
    Institution,
    KnownPerson,
    KnownReferral,
    decide_coverage,
    pooling_region,
)
from settlement.domain.eligibility import KnownFiling
from settlement.domain.errors import InstitutionUnknown, PersonUnknown
from settlement.domain.policy import (
    BillLine,
    CareType,
    Coverage,
    SettlementInput,
    SettlementResult,
    TraceStep,
    Usage,
    settle,
    value_manual_claim,
)
from settlement.service_layer import reference_cache


@dataclass(frozen=True)
class Priced:
    coverage: Coverage
    result: SettlementResult
    trace: tuple[TraceStep, ...]  # coverage, then the engine's steps
    taken: Usage  # what the care takes from the person's accumulator
    treatment_region: str  # the pooling region of the institution


@dataclass(frozen=True)
class Parties:
    """Who is treated where, with what the person is known by (filings, referrals, chronic
    registrations) and the stamp of the reference data, all read in one statement."""

    person: KnownPerson
    institution: Institution
    reference: ReferenceStamp
    filings: list[KnownFiling]
    referrals: list[KnownReferral]
    chronic_registrations: list[ChronicRegistration] | None  # read for chronic care only


@dataclass(frozen=True)
class Treated:
    """Who is treated where, and with what kind of care (chronic care reads more)."""

    psn_no: str
    institution_code: str
    care_type: CareType


async def parties(
    session: AsyncSession, *, psn_no: str, institution_code: str, care_type: CareType
) -> Parties:
    """The parties to one episode of care of ``care_type`` (the episode ``price`` is given)."""
    [found] = await parties_of_each(session, [Treated(psn_no, institution_code, care_type)])
    if isinstance(found, ProblemError):
        raise found
    return found


async def parties_of_each(
    session: AsyncSession, episodes: Sequence[Treated]
) -> list[Parties | ProblemError]:
    """The parties to each episode, read in one statement, or the refusal of that episode
    alone (an unknown person or institution)."""
    contexts = await read_pricing_contexts(
        session,
        [
            Wanted(
                psn_no=episode.psn_no,
                institution_code=episode.institution_code,
                chronic=episode.care_type is CareType.CHRONIC_OUTPATIENT,
            )
            for episode in episodes
        ],
    )
    found: list[Parties | ProblemError] = []
    for episode, context in zip(episodes, contexts, strict=True):
        try:
            found.append(_parties_in(context, episode))
        except ProblemError as refusal:
            found.append(refusal)
    return found


def _parties_in(context: PricingContext, episode: Treated) -> Parties:
    if context.person is None:
        raise PersonUnknown(f"Settlement knows no person {episode.psn_no} (yet).", field="psn_no")
    if context.institution is None:
        raise InstitutionUnknown(
            f"Settlement knows no institution {episode.institution_code} (yet).",
            field="institution_code",
        )
    return Parties(
        person=context.person,
        institution=context.institution,
        reference=context.reference,
        filings=context.filings,
        referrals=context.referrals,
        chronic_registrations=context.chronic_registrations,
    )


class Episode(Protocol):
    """A stay or visit as a hospital posts it, or as a person claims it afterwards."""

    @property
    def care_type(self) -> CareType: ...

    begndate: date
    enddate: date
    emergency: bool
    chronic_disease: str | None

    @property
    def lines(self) -> tuple[BillLine, ...]: ...


async def price(
    session: AsyncSession,
    *,
    parties: Parties,
    episode: Episode,
    usage: Usage,
    self_paid_claim: bool = False,
) -> Priced:
    person, institution, reference = parties.person, parties.institution, parties.reference
    lines = episode.lines
    care = CareAt(
        institution=institution,
        care_type=episode.care_type,
        admitted_on=episode.begndate,
        on=episode.enddate,
        emergency=episode.emergency,
        chronic_disease=episode.chronic_disease,
    )
    treatment_region = pooling_region(institution.region)
    if parties.chronic_registrations is None and care.care_type is CareType.CHRONIC_OUTPATIENT:
        raise ValueError("chronic outpatient care priced with parties read for other care")
    decision = decide_coverage(
        person=person,
        care=care,
        filings=parties.filings,
        referrals=parties.referrals,
        chronic_registrations=parties.chronic_registrations or [],
        self_paid_claim=self_paid_claim,
    )
    catalogue = await reference_cache.catalogue_in_force(
        session,
        reference,
        region=person.insured_region if self_paid_claim else treatment_region,
        on=care.on,
        item_codes={line.item_code for line in lines},
    )
    policy = await reference_cache.policy_in_force(
        session,
        reference,
        insured_region=person.insured_region,
        on=care.on,
        insutype=person.insutype,
        person_type=person.person_type,
        care_type=care.care_type,
        institution_level=institution.level,
    )
    engine = value_manual_claim if self_paid_claim else settle
    result = engine(
        SettlementInput(
            insured_region=person.insured_region,
            treatment_region=treatment_region,
            insutype=person.insutype,
            person_type=person.person_type,
            care_type=care.care_type,
            on=care.on,
            lines=tuple(lines),
            coverage=decision.coverage,
            usage=usage,
            chronic_disease=care.chronic_disease,
        ),
        catalogue=catalogue,
        policy=policy,
    )
    return Priced(
        coverage=decision.coverage,
        result=result,
        trace=decision.trace + result.trace,
        taken=usage_taken(usage, result.usage_after),
        treatment_region=treatment_region,
    )
