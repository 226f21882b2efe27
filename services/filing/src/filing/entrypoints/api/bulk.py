"""Reading a bulk import: a JSON array of objects, or CSV with a header line (by Content-Type).

Each row is checked against the same body model as a single request; a bad row becomes a
problem naming its CSV line (the header is line 1) or JSON index, so the service can report
every bad row at once.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from fastapi import Request
from pydantic import BaseModel, ValidationError

from filing.domain.errors import RowProblem
from filing.service_layer.bulk import ImportRow, Position
from medins_common.errors import ProblemError, RuleViolation

MAX_ROWS = 1000
JSON, CSV = "application/json", "text/csv"
_CSV_LIST_SEPARATOR = ";"


class ImportBody(BaseModel):
    """The request as received; what the Idempotency-Key's request hash is taken of."""

    media_type: str
    text: str


async def read_import(request: Request) -> ImportBody:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in (JSON, CSV):
        raise ProblemError(
            f"Send the rows as {JSON} (an array of objects) or {CSV} (with a header line).",
            status=415,
            code="unsupported_media_type",
            field="Content-Type",
        )
    try:
        text = (await request.body()).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _bad_body("The body is not UTF-8 text.") from exc
    return ImportBody(media_type=media_type, text=text)


def parse_rows(
    body: ImportBody, model: type[BaseModel]
) -> tuple[list[ImportRow], list[RowProblem]]:
    raw = _json_rows(body.text) if body.media_type == JSON else _csv_rows(body.text, model)
    if not raw:
        raise RuleViolation("The import holds no rows.", code="import_empty", field="body")
    if len(raw) > MAX_ROWS:
        raise RuleViolation(
            f"At most {MAX_ROWS} rows per import; split the file.",
            code="import_too_large",
            field="body",
        )
    rows: list[ImportRow] = []
    problems: list[RowProblem] = []
    for position, values in raw:
        if not isinstance(values, dict):
            problems.append(
                RowProblem(position, "body", "validation_error", "A row is a JSON object.")
            )
            continue
        try:
            rows.append(ImportRow(position, dict(model.model_validate(values))))
        except ValidationError as invalid:
            problems.extend(
                RowProblem(
                    position,
                    ".".join(str(part) for part in error["loc"]) or "body",
                    "validation_error",
                    error["msg"],
                )
                for error in invalid.errors()
            )
    return rows, problems


def _json_rows(text: str) -> list[tuple[Position, Any]]:
    try:
        rows = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _bad_body(f"The body is not JSON: {exc.msg} at line {exc.lineno}.") from exc
    if not isinstance(rows, list):
        raise _bad_body("The body is a JSON array of row objects.")
    return [(("index", index), row) for index, row in enumerate(rows)]


def _csv_rows(text: str, model: type[BaseModel]) -> list[tuple[Position, Any]]:
    reader = csv.DictReader(io.StringIO(text), restkey="cells_beyond_header")
    try:
        _check_header(reader.fieldnames or [], model)
        lists = {
            name for name, info in model.model_fields.items() if _is_collection(info.annotation)
        }
        return [(("line", reader.line_num), _csv_values(row, lists)) for row in reader]
    except csv.Error as exc:
        raise _bad_body(f"Unreadable CSV at line {reader.line_num}: {exc}") from exc


def _check_header(header: list[str], model: type[BaseModel]) -> None:
    fields = model.model_fields
    for column in header:
        if column not in fields:
            raise _bad_body(f"Unknown column {column!r} in the header line.", field=column)
    for name, info in fields.items():
        if info.is_required() and name not in header:
            raise _bad_body(f"The header line lacks the column {name!r}.", field=name)


def _csv_values(row: dict[str, Any], lists: set[str]) -> dict[str, Any]:
    """Empty cells are absent values; a list cell holds its items separated by ';'."""
    return {
        column: (
            [item.strip() for item in cell.split(_CSV_LIST_SEPARATOR) if item.strip()]
            if column in lists
            else cell
        )
        for column, cell in row.items()
        if cell not in (None, "")
    }


def _is_collection(annotation: Any) -> bool:
    return getattr(annotation, "__origin__", None) in (list, set, frozenset)


def _bad_body(detail: str, *, field: str = "body") -> RuleViolation:
    return RuleViolation(detail, code="validation_error", field=field)


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with its definitions resolved in place, for a request body
    described by hand (the import accepts JSON and CSV)."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(definitions[node["$ref"].rsplit("/", 1)[-1]])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(value) for value in node]
        return node

    return resolve(schema)


def import_request_body(
    model: type[BaseModel], *, json_example: dict[str, Any], csv_example: str
) -> dict[str, Any]:
    """The OpenAPI requestBody of an import: the same rows as JSON or as CSV."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                JSON: {
                    "schema": {"type": "array", "items": inline_schema(model)},
                    "example": [json_example],
                },
                CSV: {"schema": {"type": "string"}, "example": csv_example},
            },
        }
    }
