from medins_common.errors import RuleViolation


class InvalidIdNumber(RuleViolation):
    code = "invalid_id_number"


class InvalidDestination(RuleViolation):
    code = "invalid_destination"


class InvalidValidity(RuleViolation):
    code = "invalid_validity"
