"""Refusals of a settlement before the policy engine runs: HTTP 422 with a stable code."""

from medins_common.errors import RuleViolation


class PersonUnknown(RuleViolation):
    code = "person_unknown"


class PersonNotActive(RuleViolation):
    code = "person_not_active"


class InsutypeMismatch(RuleViolation):
    code = "insutype_mismatch"


class InstitutionUnknown(RuleViolation):
    code = "institution_unknown"


class NotNetworkedForCare(RuleViolation):
    """D-F5, D-F12: the institution does not offer direct settlement for this care."""

    code = "not_networked_for_care"


class NotCrossRegion(RuleViolation):
    """Care in the insured region is settled by the local system, not across regions."""

    code = "not_cross_region"


class NoValidFiling(RuleViolation):
    """D-F1: neither a filing in force for this place nor a deemed filing (D-F10)."""

    code = "no_valid_filing"


class EmergencyNotApplicable(RuleViolation):
    code = "emergency_not_applicable"


class ChronicInstitutionNotRegistered(RuleViolation):
    """D-F9: chronic outpatient care only at the person's registered institutions."""

    code = "chronic_institution_not_registered"


class AmountsDoNotAddUp(RuleViolation):
    code = "amounts_do_not_add_up"


class InvalidDates(RuleViolation):
    code = "invalid_dates"


class ChronicDiseaseRequired(RuleViolation):
    code = "chronic_disease_required"


class EntryListedTwice(RuleViolation):
    code = "entry_listed_twice"


class InvoiceListedTwice(RuleViolation):
    code = "invoice_listed_twice"


class ReasonRequired(RuleViolation):
    code = "reason_required"
