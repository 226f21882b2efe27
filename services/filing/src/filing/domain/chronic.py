"""Chronic/special outpatient disease registration 门诊慢特病 (D-F9, Art. 12, M6, M8)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from filing.domain.errors import ChronicRegistrationRefused
from filing.domain.filing import Filing, FilingClass, FilingStatus
from filing.domain.institution import Institution, NetworkedService
from medins_common.errors import Conflict

# Art. 12: during the pilot, up to 2 destination institutions besides the one chosen before.
MAX_ADDITIONAL_INSTITUTIONS = 2


class ChronicDisease(StrEnum):
    """The five national pilot diseases of cross-region chronic direct settlement (M6), by
    their national codes: the codes hospitals send (dise_codg) and policies list."""

    HYPERTENSION = "M03900"
    DIABETES = "M01600"
    MALIGNANT_TUMOUR_OUTPATIENT = "M00500"
    URAEMIA_DIALYSIS = "M07800"
    ORGAN_TRANSPLANT_ANTI_REJECTION = "M08300"

    @property
    def official_name(self) -> str:
        return _NAMES[self]


_NAMES = {
    ChronicDisease.HYPERTENSION: "高血压",
    ChronicDisease.DIABETES: "糖尿病",
    ChronicDisease.MALIGNANT_TUMOUR_OUTPATIENT: "恶性肿瘤门诊放化疗",
    ChronicDisease.URAEMIA_DIALYSIS: "尿毒症透析",
    ChronicDisease.ORGAN_TRANSPLANT_ANTI_REJECTION: "器官移植术后抗排异治疗",
}


class RegistrationStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class ChronicRegistration:
    registration_id: str
    psn_no: str
    filing_id: str
    disease: ChronicDisease
    institution_codes: tuple[str, ...]
    status: RegistrationStatus = RegistrationStatus.ACTIVE

    @property
    def is_active(self) -> bool:
        return self.status is RegistrationStatus.ACTIVE

    def with_institutions(
        self, codes: Sequence[str], *, found: Mapping[str, Institution], destination: str
    ) -> ChronicRegistration:
        self._ensure_active()
        return replace(
            self,
            institution_codes=check_chronic_institutions(
                codes, found=found, destination=destination
            ),
        )

    def cancelled(self) -> ChronicRegistration:
        self._ensure_active()
        return replace(self, status=RegistrationStatus.CANCELLED)

    def _ensure_active(self) -> None:
        if not self.is_active:
            raise Conflict(
                f"Chronic registration {self.registration_id} is cancelled; register anew.",
                code="chronic_registration_cancelled",
            )


def long_term_filing_for_chronic(filings: Sequence[Filing], *, today: date) -> Filing:
    """D-F9: chronic registration is for long-term filers: the LT filing in force today, or
    else the next one to start."""
    usable = sorted(
        (
            filing
            for filing in filings
            if filing.filing_class is FilingClass.LONG_TERM
            and filing.status is FilingStatus.ACTIVE
            and (filing.last_day is None or filing.last_day >= today)
        ),
        key=lambda filing: filing.start_date,
    )
    if not usable:
        raise ChronicRegistrationRefused(
            "Chronic-disease registration needs an active long-term filing (D-F9).",
            code="chronic_needs_long_term_filing",
            field="psn_no",
        )
    return usable[0]


def check_chronic_institutions(
    codes: Sequence[str], *, found: Mapping[str, Institution], destination: str
) -> tuple[str, ...]:
    """D-F9: up to 2 institutions of the filed destination that settle chronic care."""
    if len(set(codes)) != len(codes):
        raise ChronicRegistrationRefused(
            "An institution is chosen twice.",
            code="duplicate_institution",
            field="institution_codes",
        )
    if len(codes) > MAX_ADDITIONAL_INSTITUTIONS:
        raise ChronicRegistrationRefused(
            f"At most {MAX_ADDITIONAL_INSTITUTIONS} destination institutions may be chosen "
            "for chronic direct settlement (D-F9).",
            code="chronic_institution_limit",
            field="institution_codes",
        )
    for code in codes:
        institution = found.get(code)
        if institution is None:
            raise ChronicRegistrationRefused(
                f"No institution {code} in the directory.",
                code="institution_not_found",
                field="institution_codes",
            )
        if not institution.offers(NetworkedService.CHRONIC_OUTPATIENT):
            raise ChronicRegistrationRefused(
                f"{code} has not opened chronic outpatient direct settlement (D-F9).",
                code="institution_not_chronic",
                field="institution_codes",
            )
        if institution.place != destination:
            raise ChronicRegistrationRefused(
                f"{code} lies outside the filed destination {destination} (D-F9).",
                code="institution_outside_destination",
                field="institution_codes",
            )
    return tuple(codes)


def new_registration(
    *,
    registration_id: str,
    psn_no: str,
    disease: ChronicDisease,
    institution_codes: Sequence[str],
    filings: Sequence[Filing],
    found: Mapping[str, Institution],
    today: date,
) -> ChronicRegistration:
    filing = long_term_filing_for_chronic(filings, today=today)
    return ChronicRegistration(
        registration_id=registration_id,
        psn_no=psn_no,
        filing_id=filing.filing_id,
        disease=disease,
        institution_codes=check_chronic_institutions(
            institution_codes, found=found, destination=filing.destination_region
        ),
    )
