"""Refusals of the clearing rules, each with a stable code."""

from medins_common.errors import Conflict, Forbidden, RuleViolation


class InvalidPeriod(RuleViolation):
    code = "invalid_period"


class CorruptBill(RuleViolation):
    """A bill event that cannot be posted as it stands; it is parked, never half-posted."""

    code = "corrupt_bill"


class WrongSide(Forbidden):
    """The other region of the pair, or no region at all, tried a step that is not theirs."""

    code = "wrong_side"


class WrongOrder(Conflict):
    """A statement step out of turn: generated → insured → treatment → paid."""

    code = "wrong_order"
