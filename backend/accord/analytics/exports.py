"""The downloads of the statistics: CSV and XLSX of one table, the XLSX of every table (one
sheet each) and the PDF report with the charts, rendered with WeasyPrint in the documents' fonts."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from accord.analytics.charts import render_svg
from accord.analytics.figures import Dashboard, Period, Table
from accord.analytics.scope import Scope

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"
_UNSAFE_CELL = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    """A value as written out; text that a spreadsheet would run as a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_UNSAFE_CELL):
        return "'" + value
    return value


def filename(scope: Scope, period: Period, name: str, extension: str) -> str:
    key = re.sub(r"[^A-Za-z0-9_-]", "_", scope.key)
    return f"{key}_{name}_{period.start:%Y%m%d}-{period.end:%Y%m%d}.{extension}"


def table_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read the Chinese right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_cell(column) for column in table.columns])
    for row in table.rows:
        writer.writerow([_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _sheet_title(title: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]\*\?/\\:]", " ", title)[:28].strip() or "Sheet"
    name, n = base, 1
    while name in used:
        n += 1
        name = f"{base[:25]} {n}"
    used.add(name)
    return name


def _write_sheet(sheet: Worksheet, table: Table, period: Period) -> None:
    sheet.append([table.title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([period.label])
    sheet.append([])
    sheet.append([str(column) for column in table.columns])
    header = sheet.max_row
    for index in range(1, len(table.columns) + 1):
        cell = sheet.cell(row=header, column=index)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8EEF5")
    for row in table.rows:
        sheet.append([_cell(value) for value in row])
    if table.note:
        sheet.append([])
        sheet.append([table.note])
    for index, column in enumerate(table.columns, start=1):
        longest = max([len(str(column))] + [len(str(row[index - 1])) for row in table.rows])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(10, longest * 1.6), 50)
    sheet.freeze_panes = sheet.cell(row=header + 1, column=1)


def _workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_xlsx(table: Table, period: Period) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = _sheet_title(table.title, set())
    _write_sheet(sheet, table, period)
    return _workbook_bytes(workbook)


def report_xlsx(board: Dashboard) -> bytes:
    workbook = Workbook()
    first = workbook.active
    assert isinstance(first, Worksheet)
    workbook.remove(first)
    used: set[str] = set()
    for table in board.tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, used))
        _write_sheet(sheet, table, board.period)
    return _workbook_bytes(workbook)


def report_context(board: Dashboard) -> dict[str, Any]:
    return {
        "board": board,
        "items": [(table, render_svg(table)) for table in board.tables],
        "made_at": timezone.localtime(),
    }


def report_html(board: Dashboard) -> str:
    return render_to_string("analytics/pdf/report.html", report_context(board))


def report_pdf(board: Dashboard) -> bytes:
    # Imported here, as documents.render does: WeasyPrint loads Pango at import time.
    from weasyprint import HTML

    pdf: bytes = HTML(string=report_html(board)).write_pdf()
    return pdf
