"""The insured person (D-P4, D-F11): national ID check digit and mask, types, changes."""

import pytest

from filing.domain.errors import InvalidIdNumber, InvalidPersonType, InvalidRegion
from filing.domain.person import (
    Insutype,
    Person,
    PersonStatus,
    PersonType,
    check_id_number,
    check_person_type,
    mask_id_number,
    new_person,
)

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def with_check_char(prefix17: str) -> str:
    """An independent GB 11643 computation: the prefix and its check character."""
    total = sum(int(d) * w for d, w in zip(prefix17, _WEIGHTS, strict=True))
    return prefix17 + "10X98765432"[total % 11]


def test_the_helper_agrees_with_a_published_example():
    assert with_check_char("11010519491231002") == "11010519491231002X"


@pytest.mark.parametrize(
    "prefix",
    [
        "11010519491231002",
        "12010119800101123",
        "12010219900315456",
        "13010219700101001",
        "46010020000229000",
    ],
)
def test_d_p4_an_id_number_with_the_right_check_character_is_accepted(prefix):
    id_no = with_check_char(prefix)
    assert check_id_number(id_no) == id_no


def test_d_p4_a_lower_case_x_check_character_is_accepted_and_upper_cased():
    assert check_id_number("11010519491231002x") == "11010519491231002X"


def test_d_p4_surrounding_blanks_are_ignored():
    assert check_id_number(" 11010519491231002X ") == "11010519491231002X"


_VALID = with_check_char("12010119800101123")


@pytest.mark.parametrize("wrong", [c for c in "0123456789X" if c != _VALID[-1]])
def test_d_p4_every_wrong_check_character_is_refused(wrong):
    with pytest.raises(InvalidIdNumber) as refused:
        check_id_number(_VALID[:-1] + wrong)
    assert refused.value.code == "invalid_id_number"
    assert refused.value.field == "id_no"
    assert refused.value.status == 422


@pytest.mark.parametrize(
    "malformed",
    [
        "",
        "1101051949123100",
        "11010519491231002X1",
        "1101051949123100AX",
        "11010519491231002Y",
        "X10105194912310020",
    ],
)
def test_d_p4_a_malformed_id_number_is_refused(malformed):
    with pytest.raises(InvalidIdNumber) as refused:
        check_id_number(malformed)
    assert refused.value.field == "id_no"


def test_d_p4_a_transposition_of_two_digits_is_caught():
    id_no = with_check_char("12010119800101123")
    swapped = id_no[:6] + id_no[7] + id_no[6] + id_no[8:]
    assert swapped != id_no
    with pytest.raises(InvalidIdNumber):
        check_id_number(swapped)


def test_d_p4_the_masked_id_shows_the_first_six_eight_stars_and_the_last_four():
    assert mask_id_number("11010519491231002X") == "110105********002X"


def test_d_p4_the_mask_hides_the_birth_date_and_sequence():
    id_no = with_check_char("12010219900315456")
    masked = mask_id_number(id_no)
    assert len(masked) == 18
    assert masked[:6] == id_no[:6]
    assert masked[6:14] == "*" * 8
    assert masked[14:] == id_no[14:]
    assert "19900315" not in masked


# --- D-P4: insurance type and person type agree; D-F11: changes ----------------------------


def a_person(**changes) -> Person:
    values = {
        "psn_no": "P1",
        "name": "张三",
        "id_no_masked": "110105********002X",
        "insured_region": "120000",
        "insutype": Insutype.EMPLOYEE,
        "person_type": PersonType.EMPLOYEE_RETIRED,
    }
    return Person(**{**values, **changes})


@pytest.mark.parametrize(
    ("insutype", "person_type"),
    [
        (Insutype.EMPLOYEE, PersonType.EMPLOYEE_IN_SERVICE),
        (Insutype.EMPLOYEE, PersonType.EMPLOYEE_RETIRED),
        (Insutype.RESIDENT, PersonType.RESIDENT),
    ],
)
def test_d_p4_employees_are_in_service_or_retired_and_residents_are_residents(
    insutype, person_type
):
    check_person_type(insutype, person_type)


@pytest.mark.parametrize(
    ("insutype", "person_type"),
    [
        (Insutype.EMPLOYEE, PersonType.RESIDENT),
        (Insutype.RESIDENT, PersonType.EMPLOYEE_RETIRED),
        (Insutype.RESIDENT, PersonType.EMPLOYEE_IN_SERVICE),
    ],
)
def test_d_p4_a_person_type_that_does_not_fit_the_insurance_type_is_refused(insutype, person_type):
    with pytest.raises(InvalidPersonType) as refused:
        check_person_type(insutype, person_type)
    assert refused.value.code == "person_type_mismatch"
    assert refused.value.field == "person_type"


def test_d_p4_a_new_person_is_checked_and_masked():
    person, id_no = new_person(
        psn_no="P1",
        name="张三",
        id_no="11010519491231002x",
        insured_region="120000",
        insutype=Insutype.EMPLOYEE,
        person_type=PersonType.EMPLOYEE_RETIRED,
    )
    assert id_no == "11010519491231002X"
    assert person.id_no_masked == "110105********002X"
    assert person.status is PersonStatus.ACTIVE


def test_d_p4_a_new_person_needs_a_known_insured_region():
    with pytest.raises(InvalidRegion) as refused:
        new_person(
            psn_no="P1",
            name="张三",
            id_no="11010519491231002X",
            insured_region="990000",
            insutype=Insutype.EMPLOYEE,
            person_type=PersonType.EMPLOYEE_RETIRED,
        )
    assert refused.value.field == "insured_region"


def test_d_f11_a_move_to_resident_insurance_changes_insutype_and_person_type_together():
    after, changed = a_person().changed(insutype=Insutype.RESIDENT, person_type=PersonType.RESIDENT)
    assert (after.insutype, after.person_type) == (Insutype.RESIDENT, PersonType.RESIDENT)
    assert changed == ["insutype", "person_type"]


def test_d_f11_an_insutype_change_alone_that_leaves_the_person_type_wrong_is_refused():
    with pytest.raises(InvalidPersonType):
        a_person().changed(insutype=Insutype.RESIDENT)


def test_a_change_to_the_same_values_changes_no_field():
    _, changed = a_person().changed(name="张三", status=PersonStatus.ACTIVE)
    assert changed == []


def test_the_national_id_insured_region_and_psn_no_are_not_changed():
    with pytest.raises(ValueError):
        a_person().changed(insured_region="110000")
    with pytest.raises(ValueError):
        a_person().changed(id_no_masked="x")


def test_a_suspended_person_is_not_active():
    assert not a_person(status=PersonStatus.SUSPENDED).is_active
