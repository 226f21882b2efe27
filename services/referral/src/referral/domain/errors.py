"""The referral rules' refusals, each with a stable code (problem+json ``code``)."""

from medins_common.errors import RuleViolation


class PersonNotActive(RuleViolation):
    code = "person_not_active"


class NotInsuredInTianjin(RuleViolation):
    code = "not_insured_in_tianjin"


class IssuerNotQualified(RuleViolation):
    """The token's institution may not issue on this path (D-R1, D-R3–R5): a permission."""

    status, code = 403, "issuer_not_qualified"


class PhysicianTitleTooLow(RuleViolation):
    code = "physician_title_too_low"


class InvalidDiagnosisCode(RuleViolation):
    code = "invalid_diagnosis_code"


class InvalidValidity(RuleViolation):
    code = "invalid_validity"


class TargetUnknown(RuleViolation):
    code = "target_unknown"


class TargetNotQualified(RuleViolation):
    code = "target_not_qualified"


class TargetRegionMismatch(RuleViolation):
    code = "target_region_mismatch"


class TargetInTianjin(RuleViolation):
    code = "target_in_tianjin"


class TargetOutsidePath(RuleViolation):
    code = "target_outside_path"


class NoLongTermFiling(RuleViolation):
    code = "no_long_term_filing"


class OriginReferralRequired(RuleViolation):
    code = "origin_referral_required"


class OriginReferralNotInForce(RuleViolation):
    code = "origin_referral_not_in_force"


class EmergencyAdmissionRequired(RuleViolation):
    code = "emergency_admission_required"


class NotForPath(RuleViolation):
    code = "not_for_path"


class OverlappingReferral(RuleViolation):
    status, code = 409, "overlapping_referral"


class ReferralStateConflict(RuleViolation):
    status, code = 409, "referral_state_conflict"


class ReferralAlreadyRevoked(RuleViolation):
    status, code = 409, "referral_already_revoked"


class ReferralUsed(RuleViolation):
    status, code = 409, "referral_used"


class ReferralExpired(RuleViolation):
    status, code = 409, "referral_expired"


class ReferralNotIssued(RuleViolation):
    status, code = 409, "referral_not_issued"


class InvalidPeriod(RuleViolation):
    code = "invalid_period"
