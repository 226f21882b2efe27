"""Refusals of the policy engine: HTTP 422 with a stable code (DOMAIN.md D-S5, D-F9)."""

from medins_common.errors import RuleViolation


class UnknownItem(RuleViolation):
    code = "unknown_item"


class FundPaysNothing(RuleViolation):
    """D-S5: own-initiative care at an institution other than a level-2/3 designated one."""

    code = "fund_pays_nothing"


class InstitutionNotDesignated(RuleViolation):
    """D-F5: direct settlement only at designated institutions (emergencies excepted)."""

    code = "institution_not_designated"


class ChronicDiseaseNotCovered(RuleViolation):
    code = "chronic_disease_not_covered"


class NoPolicy(RuleViolation):
    code = "no_policy"


class NoCatalogue(RuleViolation):
    code = "no_catalogue"
