"""ICD-10 diagnosis codes: the format a referral accepts, and the chapter a code belongs to."""

from __future__ import annotations

import re

from referral.domain.errors import InvalidDiagnosisCode

# A category (letter, two digits), then optionally a subdivision of up to three characters
# and the national clinical version's extension (C34.1, I10, E11.9, C34.100, I10.X00X002).
_FORMAT = re.compile(r"^[A-Z]\d{2}(\.[0-9X]{1,3}(X\d{3})?)?$")

# The 22 chapters of ICD-10 (WHO 2019) by their first and last category.
CHAPTERS: tuple[tuple[str, str, str], ...] = (
    ("I", "A00", "B99"),
    ("II", "C00", "D48"),
    ("III", "D50", "D89"),
    ("IV", "E00", "E90"),
    ("V", "F00", "F99"),
    ("VI", "G00", "G99"),
    ("VII", "H00", "H59"),
    ("VIII", "H60", "H95"),
    ("IX", "I00", "I99"),
    ("X", "J00", "J99"),
    ("XI", "K00", "K93"),
    ("XII", "L00", "L99"),
    ("XIII", "M00", "M99"),
    ("XIV", "N00", "N99"),
    ("XV", "O00", "O99"),
    ("XVI", "P00", "P96"),
    ("XVII", "Q00", "Q99"),
    ("XVIII", "R00", "R99"),
    ("XIX", "S00", "T98"),
    ("XX", "V01", "Y98"),
    ("XXI", "Z00", "Z99"),
    ("XXII", "U00", "U85"),
)
CHAPTER_NAMES = tuple(name for name, _, _ in CHAPTERS)


def chapter_of(code: str) -> str | None:
    """The chapter (a Roman numeral) of a code, by its three-character category."""
    category = code[:3].upper()
    for name, first, last in CHAPTERS:
        if first <= category <= last:
            return name
    return None


def normalize_diagnosis_code(code: str) -> str:
    """Upper-case a code; refuse one that is not ICD-10 shaped or lies in no chapter."""
    value = code.strip().upper()
    if not _FORMAT.match(value):
        raise InvalidDiagnosisCode(
            f"{code!r} is not an ICD-10 code such as C34.1, I10 or E11.9.", field="diagnosis_code"
        )
    if chapter_of(value) is None:
        raise InvalidDiagnosisCode(
            f"{value[:3]} is not an ICD-10 category of any chapter.", field="diagnosis_code"
        )
    return value
