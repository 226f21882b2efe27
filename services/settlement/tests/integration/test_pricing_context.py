"""The pricing context reads a person's filings, referrals and (when asked) chronic registrations
in the same statement as the person, as JSON; it must give exactly what the per-person readers
give, on both databases."""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import date

from medins_common.events.schemas import ChronicRegistrationChanged, ReferralRevoked
from settlement.adapters import read_model
from settlement.adapters.pricing_context import (
    PricingContext,
    Wanted,
    read_pricing_context,
    read_pricing_contexts,
)
from settlement.domain.eligibility import DEFAULT_SCOPE

from .conftest import filing_cancelled, filing_created, person_registered
from .test_read_models_for_coverage import HOSPITAL, institution, referral_issued


async def context_and_readers(service, psn_no: str) -> tuple[PricingContext, tuple[list, ...]]:
    async with service.runtime.uow() as uow:
        read = functools.partial(
            read_pricing_context, uow.session, psn_no=psn_no, institution_code=HOSPITAL
        )
        context, without_chronic = await read(chronic=True), await read()
        readers = (
            await read_model.filings_of(uow.session, psn_no),
            await read_model.referrals_of(uow.session, psn_no),
            await read_model.chronic_registrations_of(uow.session, psn_no),
        )
    assert without_chronic == replace(context, chronic_registrations=None)
    return context, readers


def hypertension_registered(registration_id: str) -> ChronicRegistrationChanged:
    return ChronicRegistrationChanged(
        registration_id=registration_id,
        psn_no="P0001",
        disease_code="M03900",
        disease_name="高血压",
        institution_codes=[HOSPITAL],
    )


def folded(context: PricingContext) -> tuple[list, ...]:
    return context.filings, context.referrals, context.chronic_registrations


async def test_the_context_gives_the_filings_referrals_and_registrations_the_readers_give(
    settlement_service,
):
    await settlement_service.feed(
        person_registered(),
        institution(),
        # Out of order: the readers order filings by start, then id.
        filing_created("F2", start_date=date(2025, 3, 1), end_date=None, scope=["inpatient"]),
        filing_created("F1", filing_class="long_term", subtype="retiree_resettled"),
        filing_cancelled("F1", on=date(2025, 9, 1)),
        filing_created("F0", start_date=date(2024, 1, 1), end_date=date(2024, 12, 31)),
        filing_created("F9", psn_no="P0002"),  # someone else's
        referral_issued(referral_id="R2", valid_from=date(2025, 6, 1)),
        ReferralRevoked(referral_id="R2", psn_no="P0001"),
        # The consortium comes from the target institution.
        referral_issued(referral_id="R1", consortium_id=None, covered_institutions=[]),
        referral_issued(referral_id="R3", target_institution="H99", consortium_id=None),
        referral_issued(referral_id="R4", consortium_id="", valid_from=date(2025, 7, 1)),
        hypertension_registered("C2"),
        ChronicRegistrationChanged(
            registration_id="C1",
            psn_no="P0001",
            disease_code="E10900",
            disease_name="糖尿病",
            status="cancelled",
        ),
    )
    async with settlement_service.runtime.uow() as uow:  # a row from before scopes were sent
        await read_model.save_filing(
            uow.session,
            {
                "filing_id": "F3",
                "psn_no": "P0001",
                "filing_class": "temporary",
                "subtype": "referral",
                "destination_region": "110000",
                "start_date": date(2025, 3, 1),
                "end_date": date(2025, 4, 30),
                "scope": None,
            },
        )
        await uow.commit()

    context, readers = await context_and_readers(settlement_service, "P0001")

    assert folded(context) == readers
    filings, referrals, registrations = folded(context)
    assert [f.filing_id for f in filings] == ["F0", "F1", "F2", "F3"]
    assert [f.cancelled_on for f in filings] == [None, date(2025, 9, 1), None, None]
    assert [f.end_date for f in filings] == [
        date(2024, 12, 31),
        date(2026, 2, 28),
        None,
        date(2025, 4, 30),
    ]
    assert [f.scope for f in filings][2:] == [frozenset({"inpatient"}), DEFAULT_SCOPE]
    assert [(r.referral_id, r.revoked, r.consortium_id) for r in referrals] == [
        ("R1", False, "BJ-C1"),
        ("R3", False, None),
        ("R2", True, "BJ-C1"),
        ("R4", False, "BJ-C1"),  # an empty consortium is none: the target's
    ]
    assert referrals[0].covered_institutions == frozenset()
    assert referrals[2].covered_institutions == frozenset({HOSPITAL, "H11010800002"})
    assert (referrals[2].valid_from, referrals[2].valid_to) == (date(2025, 6, 1), date(2025, 7, 31))
    assert [(c.registration_id, c.active) for c in registrations] == [("C1", False), ("C2", True)]
    assert registrations[1].institution_codes == frozenset({HOSPITAL})


async def test_a_person_with_nothing_known_gets_empty_lists_from_the_context(settlement_service):
    await settlement_service.feed(person_registered(), filing_created("F9", psn_no="P0002"))

    for psn_no in ("P0001", "P0404"):  # known without filings, and unknown
        context, readers = await context_and_readers(settlement_service, psn_no)

        assert folded(context) == readers == ([], [], [])


async def test_contexts_read_together_are_each_what_it_is_read_alone(settlement_service):
    """Settlements posted together read their contexts in one statement (a UNION ALL): each,
    in order, must be what its own statement gives, chronic registrations where asked."""
    await settlement_service.feed(
        person_registered(),
        person_registered(psn_no="P0002"),
        institution(),
        filing_created("F1"),
        filing_created("F2", psn_no="P0002", start_date=date(2025, 3, 1)),
        referral_issued(referral_id="R1"),
        hypertension_registered("C1"),
    )
    wanted = [
        Wanted("P0002", HOSPITAL),
        Wanted("P0001", HOSPITAL, chronic=True),
        Wanted("P0404", HOSPITAL),  # unknown person
        Wanted("P0001", "H404"),  # unknown institution
        Wanted("P0001", HOSPITAL),  # the same person again, without the registrations
    ]
    async with settlement_service.runtime.uow() as uow:
        together = await read_pricing_contexts(uow.session, wanted)
        alone = [
            await read_pricing_context(
                uow.session,
                psn_no=one.psn_no,
                institution_code=one.institution_code,
                chronic=one.chronic,
            )
            for one in wanted
        ]

    assert together == alone
    assert [context.person and context.person.psn_no for context in together] == [
        "P0002",
        "P0001",
        None,
        "P0001",
        "P0001",
    ]
    assert [context.institution is None for context in together] == [0, 0, 0, 1, 0]
    assert [f.filing_id for f in together[0].filings] == ["F2"]
    assert [r.referral_id for r in together[1].referrals] == ["R1"]
    assert [c.registration_id for c in together[1].chronic_registrations] == ["C1"]
    assert together[4].chronic_registrations is None
