"""ICD-10 diagnosis codes on a referral (D-R1 content; D-R6 chapters), without I/O."""

import pytest

from referral.domain.diagnosis import chapter_of, normalize_diagnosis_code
from referral.domain.errors import InvalidDiagnosisCode


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("C34.1", "C34.1"),
        ("I10", "I10"),
        ("E11.9", "E11.9"),
        ("c34.1", "C34.1"),
        (" J18.0 ", "J18.0"),
        ("C34.100", "C34.100"),
        ("I10.x00x002", "I10.X00X002"),
    ],
)
def test_an_icd10_code_is_accepted_and_stored_upper_case(given, stored):
    assert normalize_diagnosis_code(given) == stored


@pytest.mark.parametrize(
    "code", ["", "C3", "34.1", "C341", "C34.", "C34.12345", "CC4.1", "肺癌", "C34-1", "D49", "U99"]
)
def test_a_code_that_is_not_icd10_is_refused_naming_the_field(code):
    with pytest.raises(InvalidDiagnosisCode) as refused:
        normalize_diagnosis_code(code)
    assert refused.value.code == "invalid_diagnosis_code"
    assert refused.value.field == "diagnosis_code"


@pytest.mark.parametrize(
    ("code", "chapter"),
    [
        ("A00", "I"),
        ("B99.9", "I"),
        ("C34.1", "II"),
        ("D48.9", "II"),
        ("D50.0", "III"),
        ("E11.9", "IV"),
        ("F32", "V"),
        ("G40.9", "VI"),
        ("H59", "VII"),
        ("H60.0", "VIII"),
        ("I10", "IX"),
        ("J18.0", "X"),
        ("K93", "XI"),
        ("L40", "XII"),
        ("M16.1", "XIII"),
        ("N18.5", "XIV"),
        ("O80", "XV"),
        ("P07.3", "XVI"),
        ("Q21.0", "XVII"),
        ("R50", "XVIII"),
        ("S72.0", "XIX"),
        ("T98.3", "XIX"),
        ("V01", "XX"),
        ("Y98", "XX"),
        ("Z51.1", "XXI"),
        ("U07.1", "XXII"),
    ],
)
def test_d_r6_each_code_falls_in_its_icd10_chapter(code, chapter):
    assert chapter_of(code) == chapter


@pytest.mark.parametrize("code", ["D49", "E91", "K94", "P97", "T99", "V00", "Y99", "U86"])
def test_categories_between_the_chapters_belong_to_none(code):
    assert chapter_of(code) is None
