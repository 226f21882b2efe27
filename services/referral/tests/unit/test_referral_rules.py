"""Who may refer whom, where and for how long (D-R1–R5, Art. 16–20), without I/O."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import pytest

from medins_common.errors import ProblemError
from medins_common.timeutil import SHANGHAI
from referral.domain.referral import (
    Actor,
    Content,
    Facts,
    Institution,
    KnownFiling,
    Path,
    Patient,
    PhysicianTitle,
    Referral,
    State,
    Status,
    StepKind,
    coverage,
    latest_valid_to,
    qualified_title,
)

TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI)
DOCTOR = Actor(subject="his-user-7", role="hospital")

TIANJIN_L3 = Institution("H12010100001", "天津医科大学总医院", "120101", 3)
TIANJIN_L2 = Institution("H12010100002", "天津市第二医院", "120101", 2)
BEIJING_L3 = Institution("H11010500001", "北京朝阳医院", "110105", 3, consortium_id="CY-1")
BEIJING_MEMBER = Institution(
    "H11010500009", "朝阳社区卫生服务中心", "110105", 1, consortium_id="CY-1"
)
BEIJING_L2 = Institution("H11010800002", "北京海淀医院", "110108", 2)
BEIJING_L1 = Institution("H11010800001", "海淀某卫生院", "110108", 1)
SHIJIAZHUANG_L3 = Institution("H13010200001", "河北医大四院", "130102", 3)
SHIJIAZHUANG_L2 = Institution("H13010400002", "石家庄市第二医院", "130104", 2)
BAODING_L3 = Institution("H13060200003", "保定市第一医院", "130602", 3)
PATIENT = Patient("P0001", "张三", "120000")

HEBEI_RESIDENT = KnownFiling("F-LT", "long_term", "130100", date(2025, 1, 1), None)


def content(**changes: Any) -> Content:
    values: dict[str, Any] = {
        "path": Path.TERTIARY_OUTBOUND,
        "psn_no": "P0001",
        "diagnosis_code": "C34.1",
        "diagnosis_name": "上叶，支气管或肺恶性肿瘤",
        "reason": "需行胸腔镜下肺叶切除，本院无相应技术条件",
        "target_institution": BEIJING_L3.code,
        "target_region": BEIJING_L3.region,
        "valid_from": TODAY,
        "valid_to": date(2026, 8, 31),
    }
    return Content(**{**values, **changes})


def facts(issuer: Institution | None = TIANJIN_L3, target: Institution | None = BEIJING_L3, **kw):
    return Facts(patient=kw.pop("patient", PATIENT), issuer=issuer, target=target, **kw)


def draft(
    what: Content | None = None, title: str = "副主任医师", referral_id: str = "R1", **facts_kw
) -> Referral:
    return Referral.draft(
        referral_id=referral_id,
        content=what or content(),
        facts=facts(**facts_kw),
        actor=DOCTOR,
        physician_name="王医生",
        physician_title=title,
        at=NOW,
        verification_code="CODE",
    )


def issued(what: Content | None = None, referral_id: str = "R1", **facts_kw) -> Referral:
    referral = draft(what, referral_id=referral_id, **facts_kw)
    referral.approve(actor=DOCTOR, department_head="李主任", at=NOW)
    referral.issue(actor=DOCTOR, officer="赵科员", facts=facts(**facts_kw), at=NOW)
    return referral


@contextlib.contextmanager
def refused(code: str, field: str | None = None) -> Iterator[pytest.ExceptionInfo[ProblemError]]:
    """Expect a refusal with this stable code (and field)."""
    with pytest.raises(ProblemError) as error:
        yield error
    assert error.value.code == code, error.value
    if field is not None:
        assert error.value.field == field, error.value.field


# D-R1: the issuer, the physician, the target ------------------------------------------


def test_d_r1_a_tianjin_level_3_hospital_drafts_a_referral_to_a_level_3_hospital_outside():
    referral = draft()
    assert referral.state is State.DRAFT
    assert referral.issuing_institution == TIANJIN_L3.code
    [opinion] = referral.steps
    assert opinion.kind is StepKind.OPINION
    assert (opinion.actor_subject, opinion.person_name, opinion.at) == ("his-user-7", "王医生", NOW)
    assert opinion.person_title == "associate_chief"


@pytest.mark.parametrize(
    "issuer",
    [
        TIANJIN_L2,
        replace(TIANJIN_L3, level=None),
        replace(TIANJIN_L3, designated=False),
        replace(TIANJIN_L3, kind="pharmacy"),
        BEIJING_L3,
        None,
    ],
    ids=["level-2", "no-level", "not-designated", "pharmacy", "outside-tianjin", "unknown"],
)
def test_d_r1_only_a_tianjin_designated_level_3_hospital_issues_a_tertiary_referral(issuer):
    target = BEIJING_L2 if issuer is BEIJING_L3 else BEIJING_L3
    what = content(target_institution=target.code, target_region=target.region)
    with refused("issuer_not_qualified", "path"):
        draft(what, issuer=issuer, target=target)


@pytest.mark.parametrize(
    ("title", "stored"),
    [
        ("主任医师", PhysicianTitle.CHIEF),
        ("副主任医师", PhysicianTitle.ASSOCIATE_CHIEF),
        ("chief", PhysicianTitle.CHIEF),
        ("associate_chief", PhysicianTitle.ASSOCIATE_CHIEF),
    ],
)
def test_d_r1_an_associate_senior_or_senior_physician_may_write_the_opinion(title, stored):
    assert qualified_title(title) is stored
    assert draft(title=title).steps[0].person_title == stored.value


@pytest.mark.parametrize("title", ["主治医师", "住院医师", "医师", "attending", "", "主任"])
def test_d_r1_a_lower_title_may_not_write_the_opinion(title):
    with refused("physician_title_too_low", "physician.title"):
        draft(title=title)


@pytest.mark.parametrize(
    "target",
    [
        BEIJING_L1,
        replace(BEIJING_L2, level=None),
        replace(BEIJING_L2, designated=False),
        replace(BEIJING_L2, kind="pharmacy"),
    ],
    ids=["level-1", "no-level", "not-designated", "pharmacy"],
)
def test_d_r1_the_target_is_a_designated_level_2_or_3_hospital(target):
    what = content(target_institution=target.code, target_region=target.region)
    with refused("target_not_qualified", "target_institution"):
        draft(what, target=target)


def test_d_r1_a_level_2_target_outside_tianjin_is_accepted():
    what = content(target_institution=BEIJING_L2.code, target_region=BEIJING_L2.region)
    assert draft(what, target=BEIJING_L2).content.target_institution == BEIJING_L2.code


def test_d_r1_the_target_lies_outside_tianjin():
    what = content(target_institution=TIANJIN_L2.code, target_region=TIANJIN_L2.region)
    with refused("target_in_tianjin", "target_institution"):
        draft(what, target=TIANJIN_L2)


def test_the_target_region_is_the_target_institutions_region():
    with refused("target_region_mismatch", "target_region"):
        draft(content(target_region="110000"))


def test_an_unknown_target_is_refused():
    with refused("target_unknown", "target_institution"):
        draft(target=None)


def test_the_diagnosis_code_is_stored_normalised():
    assert draft(content(diagnosis_code="e11.9")).content.diagnosis_code == "E11.9"


def test_a_malformed_diagnosis_code_is_refused():
    with refused("invalid_diagnosis_code", "diagnosis_code"):
        draft(content(diagnosis_code="lung cancer"))


# The patient -----------------------------------------------------------------------


@pytest.mark.parametrize("status", ["suspended", "deceased"])
def test_only_an_active_person_is_referred(status):
    with refused("person_not_active", "psn_no"):
        draft(patient=replace(PATIENT, status=status))


@pytest.mark.parametrize("region", ["120000", "120101", "120225"])
def test_a_person_insured_anywhere_in_tianjin_is_referred(region):
    assert draft(patient=replace(PATIENT, insured_region=region)).state is State.DRAFT


def test_art_2_a_person_insured_outside_tianjin_is_not_referred_under_these_rules():
    with refused("not_insured_in_tianjin", "psn_no"):
        draft(patient=replace(PATIENT, insured_region="110000"))


# Validity ---------------------------------------------------------------------------


def test_the_longest_validity_is_twelve_months_less_a_day():
    assert latest_valid_to(date(2026, 3, 2)) == date(2027, 3, 1)
    assert latest_valid_to(date(2024, 2, 29)) == date(2025, 2, 27)
    assert draft(content(valid_to=date(2027, 3, 1))).content.valid_to == date(2027, 3, 1)


def test_a_validity_beyond_twelve_months_is_refused_naming_the_latest_end():
    with refused("invalid_validity", "valid_to") as error:
        draft(content(valid_to=date(2027, 3, 2)))
    assert "2027-03-01" in error.value.detail


def test_valid_to_before_valid_from_is_refused():
    with refused("invalid_validity", "valid_to"):
        draft(content(valid_from=date(2026, 4, 1), valid_to=date(2026, 3, 31)))


def test_a_one_day_referral_is_valid():
    assert draft(content(valid_to=TODAY)).content.valid_to == TODAY


def test_a_new_referral_is_not_backdated():
    with refused("invalid_validity", "valid_from"):
        draft(content(valid_from=date(2026, 3, 1)))


# D-R2: one target institution, one referral at a time -----------------------------------


def test_d_r2_a_second_referral_overlapping_an_issued_one_on_the_same_path_is_refused():
    first = issued()
    other = content(target_institution=BEIJING_L2.code, target_region=BEIJING_L2.region)
    with refused("overlapping_referral", "valid_from") as error:
        draft(other, referral_id="R2", target=BEIJING_L2, referrals_of_patient=[first])
    assert error.value.extra == {"conflicting_referral_id": "R1"}


def test_d_r2_a_referral_after_the_first_ends_or_after_it_is_revoked_is_accepted():
    first = issued(content(valid_to=date(2026, 3, 31)))
    later = content(valid_from=date(2026, 4, 1))
    assert draft(later, referral_id="R2", referrals_of_patient=[first]).state is State.DRAFT

    first.revoke(actor=DOCTOR, officer="赵科员", reason="患者放弃", at=NOW)
    assert draft(referral_id="R3", referrals_of_patient=[first]).state is State.DRAFT


def test_d_r2_the_overlap_rule_is_checked_again_at_upload():
    first = issued()
    second = draft(referral_id="R2")
    second.approve(actor=DOCTOR, department_head="李主任", at=NOW)
    with refused("overlapping_referral"):
        second.issue(
            actor=DOCTOR, officer="赵科员", facts=facts(referrals_of_patient=[first]), at=NOW
        )
    assert second.state is State.APPROVED


# D-R1: the workflow --------------------------------------------------------------------


def test_d_r1_the_department_head_approves_and_the_insurance_office_uploads_in_that_order():
    referral = draft()
    referral.approve(actor=DOCTOR, department_head="李主任", at=NOW)
    assert referral.state is State.APPROVED
    office = Actor(subject="his-office-2", role="hospital")
    referral.issue(actor=office, officer="赵科员", facts=facts(), at=NOW)

    assert referral.state is State.ISSUED
    assert [s.kind for s in referral.steps] == [
        StepKind.OPINION,
        StepKind.APPROVAL,
        StepKind.UPLOAD,
    ]
    upload = referral.steps[-1]
    assert (upload.actor_subject, upload.person_name, upload.at) == ("his-office-2", "赵科员", NOW)


def test_d_r1_an_upload_before_the_approval_is_refused():
    referral = draft()
    with refused("referral_state_conflict") as error:
        referral.issue(actor=DOCTOR, officer="赵科员", facts=facts(), at=NOW)
    assert error.value.extra == {"referral_status": "draft"}
    assert referral.state is State.DRAFT


def test_a_second_approval_is_refused():
    referral = draft()
    referral.approve(actor=DOCTOR, department_head="李主任", at=NOW)
    with refused("referral_state_conflict"):
        referral.approve(actor=DOCTOR, department_head="李主任", at=NOW)


def test_d_r1_the_upload_checks_the_rules_again_on_that_day():
    referral = draft()
    referral.approve(actor=DOCTOR, department_head="李主任", at=NOW)
    no_longer_designated = replace(BEIJING_L3, designated=False)
    with refused("target_not_qualified"):
        referral.issue(
            actor=DOCTOR, officer="赵科员", facts=facts(target=no_longer_designated), at=NOW
        )
    assert referral.state is State.APPROVED


def test_a_draft_whose_validity_ended_before_the_upload_is_refused_as_expired():
    referral = draft(content(valid_to=TODAY))
    referral.approve(actor=DOCTOR, department_head="李主任", at=NOW)
    tomorrow = datetime(2026, 3, 3, 9, 0, tzinfo=SHANGHAI)
    with refused("referral_expired", "valid_to"):
        referral.issue(actor=DOCTOR, officer="赵科员", facts=facts(), at=tomorrow)


# D-R3: long-term filers ------------------------------------------------------------------

HEBEI = {"filings": [HEBEI_RESIDENT], "hospitals_of_issuer_province": [SHIJIAZHUANG_L2, BAODING_L3]}


def on_path(path: Path, target: Institution, **changes: Any) -> Content:
    return content(
        path=path, target_institution=target.code, target_region=target.region, **changes
    )


def test_d_r3_the_highest_level_institution_of_the_filed_place_refers_inside_the_province():
    what = on_path(Path.LONG_TERM_IN_PROVINCE, BAODING_L3)
    referral = draft(what, issuer=SHIJIAZHUANG_L3, target=BAODING_L3, **HEBEI)
    assert referral.issuing_institution == SHIJIAZHUANG_L3.code
    assert referral.content.path is Path.LONG_TERM_IN_PROVINCE


def test_d_r3_an_in_province_referral_to_another_province_is_refused():
    what = on_path(Path.LONG_TERM_IN_PROVINCE, BEIJING_L3)
    with refused("target_outside_path", "target_institution"):
        draft(what, issuer=SHIJIAZHUANG_L3, **HEBEI)


def test_d_r3_the_same_institution_refers_to_another_province():
    what = on_path(Path.LONG_TERM_CROSS_PROVINCE, BEIJING_L3)
    assert draft(what, issuer=SHIJIAZHUANG_L3, **HEBEI).content.path is (
        Path.LONG_TERM_CROSS_PROVINCE
    )


def test_d_r3_a_cross_province_referral_inside_the_filed_province_is_refused():
    what = on_path(Path.LONG_TERM_CROSS_PROVINCE, BAODING_L3)
    with refused("target_outside_path"):
        draft(what, issuer=SHIJIAZHUANG_L3, target=BAODING_L3, **HEBEI)


def test_d_r3_a_lower_level_institution_of_the_filed_place_may_not_refer():
    what = on_path(Path.LONG_TERM_IN_PROVINCE, BAODING_L3)
    with refused("issuer_not_qualified", "path") as error:
        draft(
            what,
            issuer=SHIJIAZHUANG_L2,
            target=BAODING_L3,
            filings=[HEBEI_RESIDENT],
            hospitals_of_issuer_province=[SHIJIAZHUANG_L3, BAODING_L3],
        )
    assert "highest level" in error.value.detail


def test_d_r3_where_the_filed_place_has_no_level_3_its_level_2_hospital_is_the_highest():
    what = on_path(Path.LONG_TERM_IN_PROVINCE, BAODING_L3)
    referral = draft(
        what,
        issuer=SHIJIAZHUANG_L2,
        target=BAODING_L3,
        filings=[HEBEI_RESIDENT],
        hospitals_of_issuer_province=[BAODING_L3],  # level 3, but in another city
    )
    assert referral.issuing_institution == SHIJIAZHUANG_L2.code


def test_d_r3_an_institution_outside_the_filed_place_may_not_refer():
    what = on_path(Path.LONG_TERM_IN_PROVINCE, SHIJIAZHUANG_L2)
    with refused("issuer_not_qualified") as error:
        draft(what, issuer=BAODING_L3, target=SHIJIAZHUANG_L2, **HEBEI)
    assert "filed place" in error.value.detail


@pytest.mark.parametrize(
    "filing",
    [
        None,
        replace(HEBEI_RESIDENT, filing_class="temporary"),
        replace(HEBEI_RESIDENT, status="cancelled"),
        replace(HEBEI_RESIDENT, start_date=date(2026, 4, 1)),
        replace(HEBEI_RESIDENT, end_date=date(2026, 6, 30)),
    ],
    ids=["none", "temporary", "cancelled", "starts-later", "ends-earlier"],
)
def test_d_r3_the_long_term_paths_need_a_long_term_filing_over_the_whole_validity(filing):
    what = on_path(Path.LONG_TERM_IN_PROVINCE, BAODING_L3)
    filings = [filing] if filing else []
    with refused("no_long_term_filing", "psn_no"):
        draft(what, issuer=SHIJIAZHUANG_L3, target=BAODING_L3, filings=filings)


# D-R4: temporary patients moved on by the first receiving institution --------------------


def onward(target: Institution = BEIJING_L2, **changes: Any) -> Content:
    return on_path(Path.TEMPORARY_ONWARD, target, **{"origin_referral_id": "R1", **changes})


def test_d_r4_the_first_receiving_institution_moves_the_patient_on_inside_its_province():
    origin = issued()
    referral = draft(
        onward(), referral_id="R2", issuer=BEIJING_L3, target=BEIJING_L2, origin=origin
    )
    assert referral.issuing_institution == BEIJING_L3.code
    assert referral.content.origin_referral_id == "R1"


def test_d_r4_another_institution_than_the_first_receiving_one_may_not():
    origin = issued()
    with refused("issuer_not_qualified"):
        draft(onward(), referral_id="R2", issuer=BEIJING_L2, target=BEIJING_L2, origin=origin)


def test_d_r4_an_onward_referral_to_another_province_is_refused():
    origin = issued()
    with refused("target_outside_path"):
        draft(
            onward(SHIJIAZHUANG_L3),
            referral_id="R2",
            issuer=BEIJING_L3,
            target=SHIJIAZHUANG_L3,
            origin=origin,
        )


def test_d_r4_an_onward_referral_names_its_origin():
    with refused("origin_referral_required", "origin_referral_id"):
        draft(onward(origin_referral_id=None), issuer=BEIJING_L3, target=BEIJING_L2)


def revoked(referral: Referral) -> Referral:
    referral.revoke(actor=DOCTOR, officer="赵科员", reason="患者放弃", at=NOW)
    return referral


@pytest.mark.parametrize(
    "origin",
    [
        lambda: None,
        lambda: revoked(issued()),
        lambda: draft(),
        lambda: issued(content(psn_no="P0002"), patient=replace(PATIENT, psn_no="P0002")),
        lambda: issued(content(valid_to=date(2026, 5, 31))),
    ],
    ids=["unknown", "revoked", "not-issued", "another-person", "shorter-than-onward"],
)
def test_d_r4_the_origin_is_the_patients_issued_referral_in_force_throughout(origin):
    with refused("origin_referral_not_in_force", "origin_referral_id"):
        draft(onward(), referral_id="R2", issuer=BEIJING_L3, target=BEIJING_L2, origin=origin())


def test_d_r4_the_certificate_covers_the_designated_institutions_of_the_targets_consortium():
    undesignated = Institution(
        "H11010500010", "未定点机构", "110105", 1, False, consortium_id="CY-1"
    )
    other = Institution("H11010500011", "别的医联体", "110105", 2, consortium_id="HD-9")
    referral = issued(consortium_of_target=[BEIJING_MEMBER, undesignated, other, BEIJING_L3])

    assert referral.covered_institutions == (BEIJING_L3.code, BEIJING_MEMBER.code)
    assert referral.consortium_id == "CY-1"
    assert referral.covers(BEIJING_MEMBER.code)
    assert not referral.covers(undesignated.code)


def test_d_r4_without_a_consortium_only_the_target_is_covered():
    assert coverage(BEIJING_L2, [BEIJING_MEMBER]) == (BEIJING_L2.code,)


# D-R5: emergencies moved on by the first receiving institution ---------------------------


def emergency(target: Institution = BEIJING_L3, **changes: Any) -> Content:
    admitted = {"emergency_admitted_on": date(2026, 2, 27)}
    return on_path(Path.EMERGENCY_ONWARD, target, **{**admitted, **changes})


def test_d_r5_the_first_receiving_institution_transfers_an_emergency_across_provinces():
    what = emergency(valid_from=date(2026, 2, 28))
    referral = draft(what, issuer=SHIJIAZHUANG_L3)
    assert referral.content.emergency_admitted_on == date(2026, 2, 27)
    assert referral.content.valid_from == date(2026, 2, 28)


def test_d_r5_the_emergency_hospital_need_not_be_designated():
    undesignated = replace(SHIJIAZHUANG_L2, designated=False)
    assert draft(emergency(), issuer=undesignated).issuing_institution == undesignated.code


def test_d_r5_a_transfer_inside_the_emergencys_province_is_not_this_path():
    with refused("target_outside_path"):
        draft(emergency(BAODING_L3), issuer=SHIJIAZHUANG_L3, target=BAODING_L3)


def test_d_r5_an_emergency_received_in_tianjin_is_not_this_path():
    with refused("issuer_not_qualified"):
        draft(emergency(), issuer=TIANJIN_L3)


def test_d_r5_the_admission_day_is_required_and_not_in_the_future():
    with refused("emergency_admission_required", "emergency_admitted_on"):
        draft(emergency(emergency_admitted_on=None), issuer=SHIJIAZHUANG_L3)
    with refused("invalid_validity", "emergency_admitted_on"):
        draft(emergency(emergency_admitted_on=date(2026, 3, 3)), issuer=SHIJIAZHUANG_L3)


def test_d_r5_the_transfer_does_not_start_before_the_admission():
    with refused("invalid_validity", "valid_from"):
        draft(emergency(valid_from=date(2026, 2, 26)), issuer=SHIJIAZHUANG_L3)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"origin_referral_id": "R0"}, "origin_referral_id"),
        ({"emergency_admitted_on": date(2026, 3, 1)}, "emergency_admitted_on"),
    ],
)
def test_fields_of_another_path_are_refused(changes, field):
    with refused("not_for_path", field):
        draft(content(**changes))


# Revocation and expiry --------------------------------------------------------------------


def test_an_issued_referral_is_revoked_before_use():
    referral = issued()
    was_issued = referral.revoke(actor=DOCTOR, officer="赵科员", reason="患者放弃", at=NOW)
    assert was_issued is True
    assert referral.state is State.REVOKED
    assert referral.status(TODAY) is Status.REVOKED
    assert referral.steps[-1].note == "患者放弃"


def test_a_draft_is_withdrawn_without_having_been_issued():
    referral = draft()
    assert referral.revoke(actor=DOCTOR, officer="赵科员", reason="录入错误", at=NOW) is False
    assert referral.state is State.REVOKED
    assert not referral.was_issued


def test_a_used_referral_cannot_be_revoked():
    referral = issued()
    referral.used = True
    with refused("referral_used"):
        referral.revoke(actor=DOCTOR, officer="赵科员", reason="患者放弃", at=NOW)
    assert referral.state is State.ISSUED


def test_a_revoked_referral_cannot_be_revoked_again():
    referral = revoked(issued())
    with refused("referral_already_revoked"):
        revoked(referral)


def test_an_issued_referral_is_expired_after_its_last_day_and_cannot_be_revoked():
    referral = issued(content(valid_to=date(2026, 3, 31)))
    assert referral.status(date(2026, 3, 31)) is Status.ISSUED
    assert referral.in_force_on(date(2026, 3, 31))
    assert referral.status(date(2026, 4, 1)) is Status.EXPIRED
    assert not referral.in_force_on(date(2026, 4, 1))
    with refused("referral_expired"):
        referral.revoke(
            actor=DOCTOR,
            officer="赵科员",
            reason="x",
            at=datetime(2026, 4, 1, 0, 5, tzinfo=SHANGHAI),
        )
