"""A select's rows as one JSON value, so that a statement can read a person's filings or
referrals as a column of the same row as the person (one round trip instead of one per kind).

``json_rows(rows, order_by)`` is a scalar subquery: a JSON array with one object per row of
``rows``, keyed by the selected columns' names, in ``order_by`` order, and ``[]`` when there is
no row. It reads back as a list of dicts. Dates come back as their ISO text and booleans as
``true``/``false`` (PostgreSQL) or ``1``/``0`` (SQLite); the readers convert them.

PostgreSQL: ``coalesce(json_agg(json_build_object(...) ORDER BY ...), '[]'::json)``.
SQLite: ``json_group_array(json_object(...))`` over the ordered subquery. SQLite takes an
``ORDER BY`` inside an aggregate only from 3.44 on; before, it feeds an order-sensitive
aggregate such as ``json_group_array`` in the subquery's order (it drops a subquery's
``ORDER BY`` only under aggregates that ignore order, such as ``count``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, ScalarSelect, Select, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

_KEY = re.compile(r"[a-z_][a-z0-9_]*")


class _json_object(FunctionElement[Any]):
    """One JSON object of the given columns, keyed by their names."""

    type = JSON()
    inherit_cache = True


class _json_array(FunctionElement[Any]):
    """A JSON array of the first argument over the rows, ordered by the other arguments."""

    type = JSON()
    inherit_cache = True


def _object(
    element: _json_object, compiler: SQLCompiler, function: str, *, json_as_text: bool, **kw: Any
) -> str:
    parts = []
    for column in element.clauses:
        if not _KEY.fullmatch(column.name):
            raise ValueError(f"not a plain column name: {column.name!r}")
        value = compiler.process(column, **kw)
        if json_as_text and isinstance(column.type, JSON):
            value = f"json({value})"  # embed the JSON the text holds, not the text
        parts.append(f"'{column.name}', {value}")
    return f"{function}({', '.join(parts)})"


def _array(element: _json_array, compiler: SQLCompiler, *, ordered: bool, **kw: Any) -> str:
    value, *order_by = (compiler.process(clause, **kw) for clause in element.clauses)
    return value + (f" ORDER BY {', '.join(order_by)}" if ordered and order_by else "")


@compiles(_json_object, "postgresql")
def _postgresql_object(element: _json_object, compiler: SQLCompiler, **kw: Any) -> str:
    return _object(element, compiler, "json_build_object", json_as_text=False, **kw)


@compiles(_json_object, "sqlite")
def _sqlite_object(element: _json_object, compiler: SQLCompiler, **kw: Any) -> str:
    return _object(element, compiler, "json_object", json_as_text=True, **kw)


@compiles(_json_array, "postgresql")
def _postgresql_array(element: _json_array, compiler: SQLCompiler, **kw: Any) -> str:
    return f"coalesce(json_agg({_array(element, compiler, ordered=True, **kw)}), '[]'::json)"


@compiles(_json_array, "sqlite")
def _sqlite_array(element: _json_array, compiler: SQLCompiler, **kw: Any) -> str:
    ordered = (compiler.dialect.server_version_info or (0,)) >= (3, 44)
    return f"json_group_array({_array(element, compiler, ordered=ordered, **kw)})"


def ordered(rows: Select[Any], order_by: Sequence[str]) -> Select[Any]:
    """``rows`` ordered by some of its selected columns, named."""
    return rows.order_by(*(rows.selected_columns[name] for name in order_by))


def json_rows(rows: Select[Any], order_by: Sequence[str]) -> ScalarSelect[Any]:
    """The rows ``ordered(rows, order_by)`` gives, as one JSON array of objects."""
    listed = ordered(rows, order_by).subquery()
    keys = (listed.c[name] for name in order_by)
    return select(_json_array(_json_object(*listed.c), *keys)).scalar_subquery()
