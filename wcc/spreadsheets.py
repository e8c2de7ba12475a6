"""Writing and reading CSV and XLSX files that people open in spreadsheet programs.

Exports never let a spreadsheet run a cell as a formula: text starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe
(OWASP's advice for CSV injection), in CSV and XLSX alike. Reading accepts UTF-8
(with or without BOM) and Windows-1256 CSV, as Persian Excel saves it, and XLSX
with a limit on how large it may grow when unzipped.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 cannot hold; openpyxl refuses them.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_COLUMNS = 100


class SpreadsheetError(ValueError):
    """The file cannot be read as a table; the message is translated."""


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would take as a formula, made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(neutralise(value) if isinstance(value, str) else value)


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a BOM, so Excel shows Persian and Russian text correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_csv_text(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_text(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Sheet",
               right_to_left: bool = False, widths: Sequence[int] | None = None) -> bytes:
    """One sheet, bold frozen header row; dates as dates, amounts as numbers, text as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    # A sheet's name is at most 31 characters, none of them []:*?/\ (nor the Persian question mark).
    name = re.sub(r"[\[\]:*?/\\؟]", "", _XML_ILLEGAL.sub("", title)).strip()[:31]
    ws = wb.create_sheet(title=name or "Sheet")
    ws.sheet_view.rightToLeft = right_to_left
    ws.freeze_panes = "A2"
    for index, width in enumerate(widths or [], start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=_xlsx_value(header))
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(ws, value=_xlsx_value(value))
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever it starts with
            cells.append(cell)
        ws.append(cells)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise(_XML_ILLEGAL.sub("", value))
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value


# --- reading ---------------------------------------------------------------------------

def read_table(filename: str, data: bytes, *, max_rows: int) -> list[tuple[int, list[Any]]]:
    """(row number, cells) for every non-empty row, the header first.

    Row numbers are the ones a spreadsheet program shows. Raises SpreadsheetError
    for files that are not CSV or XLSX, cannot be decoded, or have more than
    ``max_rows`` rows after the header.
    """
    name = filename.lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        rows = _read_xlsx(data, max_rows)
    elif name.endswith((".csv", ".txt")):
        rows = _read_csv(data, max_rows)
    else:
        raise SpreadsheetError(_("Choose a CSV or Excel (.xlsx) file."))
    if not rows:
        raise SpreadsheetError(_("The file is empty."))
    return rows


def _check_row_count(rows: list, max_rows: int) -> None:
    if len(rows) > max_rows + 1:
        raise SpreadsheetError(_("The file has more than %(max)s rows; split it into smaller files.",
                                 max=max_rows))


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1256"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise SpreadsheetError(_("The file is not a text CSV file. Save it as CSV (UTF-8) or as .xlsx."))


def _read_csv(data: bytes, max_rows: int) -> list[tuple[int, list[Any]]]:
    text = _decode(data)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), start=1):
            if any(c.strip() for c in cells):
                rows.append((number, cells[:MAX_COLUMNS]))
                _check_row_count(rows, max_rows)
    except csv.Error as exc:
        raise SpreadsheetError(_("The CSV file is damaged: %(problem)s", problem=str(exc))) from None
    return rows


def _read_xlsx(data: bytes, max_rows: int) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise SpreadsheetError(_("The Excel file is too large once unpacked."))
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except SpreadsheetError:
        raise
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds of error for damaged files
        raise SpreadsheetError(_("The file is not a readable Excel (.xlsx) file.")) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = list(values[:MAX_COLUMNS])
            if any(v is not None and str(v).strip() for v in cells):
                rows.append((number, cells))
                _check_row_count(rows, max_rows)
        return rows
    finally:
        workbook.close()
