"""Bulk imports, all or nothing: every bad row is collected, and any bad row stops the import."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from filing.domain.errors import ImportRejected, RowProblem
from medins_common.errors import RuleViolation

Built = TypeVar("Built")
Position = tuple[str, int]  # ("line", 3) for CSV, ("index", 0) for JSON


@dataclass(frozen=True)
class ImportRow:
    """One row that passed format validation, where it came from, and its values."""

    position: Position
    values: dict[str, Any]


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def build_rows(
    rows: Iterable[ImportRow], build: Callable[..., Built], problems: list[RowProblem]
) -> list[tuple[Position, Built]]:
    """Apply the domain's rules to each row; a refused row becomes a problem, not an error."""
    built = []
    for row in rows:
        try:
            built.append((row.position, build(**row.values)))
        except RuleViolation as refused:
            problems.append(
                RowProblem(row.position, refused.field or "", refused.code, refused.detail)
            )
    return built


def flag_repeats(
    keyed: Iterable[tuple[Position, Hashable]], *, field: str, problems: list[RowProblem]
) -> None:
    """A key given twice in one file: the later row is the bad one."""
    first_seen: dict[Hashable, Position] = {}
    for position, key in keyed:
        if key in first_seen:
            where, number = first_seen[key]
            problems.append(
                RowProblem(
                    position,
                    field,
                    "duplicate_in_import",
                    f"The same {field} is on {where} {number}.",
                )
            )
        else:
            first_seen[key] = position


def reject_if_any(problems: list[RowProblem]) -> None:
    if problems:
        raise ImportRejected(sorted(problems, key=lambda problem: problem.position[1]))
