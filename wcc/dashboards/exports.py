"""CSV and XLSX files of dashboard tables, written by ``wcc.spreadsheets`` (UTF-8 with a BOM for Excel; no
cell a spreadsheet would run as a formula)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from flask import Response

from wcc.i18n import current_language
from wcc.spreadsheets import csv_bytes, xlsx_bytes


def csv_response(headers: Sequence[str], rows: Iterable[Sequence[Any]], name: str) -> Response:
    response = Response(csv_bytes(headers, rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def xlsx_response(headers: Sequence[str], rows: Iterable[Sequence[Any]], name: str, title: str) -> Response:
    data = xlsx_bytes(headers, rows, title=title, right_to_left=current_language() == "fa")
    response = Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
