"""CSV files of dashboard tables: UTF-8 with a BOM (Excel shows Persian and Russian), and no cell
a spreadsheet would run as a formula (text starting with = + - @ gets a leading apostrophe)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from flask import Response

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return str(value)


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_cell(h) for h in headers])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def csv_response(headers: Sequence[str], rows: Iterable[Sequence[Any]], name: str) -> Response:
    response = Response(csv_bytes(headers, rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
