"""The monthly clearing run 清算: reconcile, then close the period, net it, write statements.

A run is the period's one and only: asking again for the same month gives the same run and
changes nothing, unless its worker died (a crashed process), in which case it resumes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from clearing.domain.errors import WrongOrder
from clearing.domain.periods import check_period
from medins_common.errors import RuleViolation


class RunStatus(StrEnum):
    RUNNING = "running"
    BLOCKED = "blocked"  # reconciliation found differences: fix and re-reconcile, or force
    FAILED = "failed"  # an unexpected error; asking again resumes
    CLOSED = "closed"


class RunStep(StrEnum):
    QUEUED = "queued"
    RECONCILING = "reconciling"
    AWAITING_DECISION = "awaiting_decision"  # blocked: differences listed
    CLOSING = "closing"
    DONE = "done"


class PeriodNotStarted(RuleViolation):
    code = "period_not_started"


def check_period_may_close(period: str, *, current_period: str) -> str:
    """A month can be cleared once it has begun; closing the running month early is allowed
    (later bills of it then land in the next month as adjustments)."""
    check_period(period)
    if period > current_period:
        raise PeriodNotStarted(
            f"{period} has not begun (it is {current_period} in Asia/Shanghai).", field="period"
        )
    return period


def resumes_on_request(status: RunStatus, *, lease_until: datetime | None, now: datetime) -> bool:
    """Whether asking for the period again restarts the work: only a failed run, or a running
    one whose worker stopped renewing its lease."""
    if status is RunStatus.FAILED:
        return True
    return status is RunStatus.RUNNING and (lease_until is None or lease_until < now)


def check_blocked(status: RunStatus, action: str) -> None:
    """Forcing or re-reconciling is for a run that stopped at its differences."""
    if status is not RunStatus.BLOCKED:
        raise WrongOrder(
            f"Only a blocked run can be {action}; this one is {status.value}.", field="status"
        )


@dataclass(frozen=True)
class ClearingRun:
    run_id: str
    period: str
    status: RunStatus
    step: RunStep
    progress: dict[str, Any]
    attempt: int  # reconciliations so far
    started_by: str
    created_at: datetime
    updated_at: datetime
    lease_until: datetime | None
    forced_by: str | None
    forced_at: datetime | None
    force_reason: str | None
    closed_at: datetime | None
    error: str | None

    @property
    def forced(self) -> bool:
        return self.forced_at is not None
