"""Refusals of the filing rules (DOMAIN.md D-P, D-F): plain Python, no framework.

Each class carries its default stable code; a rule with several distinct refusals passes a
more precise ``code=`` when it raises.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from medins_common.errors import Conflict, RuleViolation


class InvalidIdNumber(RuleViolation):
    code = "invalid_id_number"


class InvalidRegion(RuleViolation):
    code = "invalid_region"


class InvalidDestination(RuleViolation):
    code = "invalid_destination"


class InvalidValidity(RuleViolation):
    code = "invalid_validity"


class InvalidPersonType(RuleViolation):
    code = "person_type_mismatch"


class PersonNotActive(RuleViolation):
    code = "person_not_active"


class ChannelNotAllowed(RuleViolation):
    code = "channel_not_allowed"


class MaterialsMissing(RuleViolation):
    code = "materials_missing"


class LateFilingRefused(RuleViolation):
    code = "late_filing_refused"


class ReferralRefused(RuleViolation):
    code = "referral_refused"


class InvalidInstitution(RuleViolation):
    code = "invalid_institution"


class ChronicRegistrationRefused(RuleViolation):
    code = "chronic_registration_refused"


class FilingOverlaps(Conflict):
    code = "filing_overlaps"


class FilingCancelled(Conflict):
    code = "filing_cancelled"


@dataclass(frozen=True)
class RowProblem:
    """One bad row of a bulk import: where it is (CSV line or JSON index), which field, why."""

    position: tuple[str, int]  # ("line", 3) or ("index", 0)
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, object]:
        where, number = self.position
        return {where: number, **{k: v for k, v in asdict(self).items() if k != "position"}}


class ImportRejected(RuleViolation):
    """All or nothing: any bad row rejects the whole import, listing every bad row."""

    code = "import_rejected"

    def __init__(self, problems: list[RowProblem]) -> None:
        first = problems[0]
        where, number = first.position
        super().__init__(
            f"{len(problems)} bad row(s); nothing was imported. First: {where} {number}, "
            f"{first.field}: {first.message}",
            field=first.field,
            extra={"errors": [problem.as_dict() for problem in problems]},
        )
