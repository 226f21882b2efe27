"""CSV imports: each row validated by the same model as a JSON entry, problems by line."""

from __future__ import annotations

import csv
import io
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from settlement.domain.reference_data import DataProblem, refuse_if_invalid

MAX_BYTES = 10_000_000
CSV_MEDIA_TYPES = ("text/csv", "text/plain", "application/csv")

Row = TypeVar("Row", bound=BaseModel)


def read_rows(content: bytes, model: type[Row]) -> tuple[list[Row], list[int]]:
    """The rows of a CSV file with a header line, and the file line each row starts on.
    Empty cells take the field's default. Any problem refuses the whole file."""
    reader = csv.DictReader(io.StringIO(_decode(content), newline=""))
    _refuse([*_header_problems(reader.fieldnames or [], model)], lines=None)
    problems: list[DataProblem] = []
    lines: list[int] = []
    rows: list[Row] = []
    next_line = 2
    for record in reader:
        position = len(lines)
        lines.append(next_line)
        next_line = reader.line_num + 1
        if None in record:
            problems.append(DataProblem(position, "row", "more cells than columns"))
            continue
        values = {name: value.strip() for name, value in record.items() if value and value.strip()}
        try:
            rows.append(model.model_validate(values))
        except ValidationError as exc:
            problems += [
                DataProblem(position, ".".join(map(str, error["loc"])) or "row", error["msg"])
                for error in exc.errors()
            ]
    if not lines:
        problems.append(DataProblem(None, "body", "the file has a header but no rows"))
    _refuse(problems, lines=lines)
    return rows, lines


def _header_problems(columns: list[str], model: type[BaseModel]) -> list[DataProblem]:
    known = model.model_fields
    unknown = [
        DataProblem(None, column, f"unknown column; known: {', '.join(known)}")
        for column in columns
        if column not in known
    ]
    missing = [
        DataProblem(None, name, "required column is missing")
        for name, field in known.items()
        if field.is_required() and name not in columns
    ]
    return unknown + missing


def _decode(content: bytes) -> str:
    if len(content) > MAX_BYTES:
        _refuse([DataProblem(None, "body", f"the file exceeds {MAX_BYTES} bytes")], lines=None)
    try:
        return content.decode("utf-8-sig")  # Excel writes a byte-order mark
    except UnicodeDecodeError:
        _refuse([DataProblem(None, "body", "the file is not UTF-8 text")], lines=None)
        raise


def _refuse(problems: list[DataProblem], *, lines: list[int] | None) -> None:
    refuse_if_invalid(problems, describe="CSV file", collection="rows", csv_lines=lines)
