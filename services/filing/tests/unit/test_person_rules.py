"""The insured person's national ID number (D-P4): GB 11643 check digit, shown masked."""

import pytest

from filing.domain.errors import InvalidIdNumber
from filing.domain.person import check_id_number, mask_id_number

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
