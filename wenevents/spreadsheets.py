"""Spreadsheets (CSV and XLSX) whose cells can never run as formulas.

A spreadsheet program reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula, and some read a leading tab or carriage return the same way; people's names,
organisations and answers come from a public form, so every text cell that could start a
formula (also after spaces, and in the full-width forms ＝＋－＠) gets a leading ``'``.
Numbers, dates and booleans stay typed.
"""

import csv
import io
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

FORMULA_STARTS = frozenset("=+-@")
CONTROL_STARTS = frozenset("\t\r\n")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT, DATETIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"


def safe_cell(value):
    """``value`` as a cell that is never a formula: risky text gets a leading ``'``.

    None becomes an empty cell; numbers, dates and booleans are returned as they are.
    """
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal | date | datetime):
        return value
    text = str(value)
    if not text:
        return text
    if text[0] in CONTROL_STARTS:
        return "'" + text
    first = text.lstrip()[:1]
    # NFKC folds the full-width and small forms (＝ ﹦ ＋ ﹢ － ﹣ ＠ ﹫) onto = + - @.
    if first and unicodedata.normalize("NFKC", first)[:1] in FORMULA_STARTS:
        return "'" + text
    return text


def _filename_header(filename):
    """Content-Disposition for a download, with a plain ASCII name and the UTF-8 one."""
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def _download(body, mimetype, filename):
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = _filename_header(filename)
    response.cache_control.no_store = True
    response.cache_control.private = True
    return response


def _csv_value(value):
    value = safe_cell(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


def csv_response(rows, headers, filename):
    """A CSV download (UTF-8 with a byte-order mark, so that Excel reads the accents)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([_csv_value(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return _download(out.getvalue().encode("utf-8"), "text/csv", filename)


def _xlsx_cell(sheet, value, bold=False):
    value = None if value is None else safe_cell(value)
    if isinstance(value, str):
        # XML 1.0 cannot carry most control characters; openpyxl refuses them.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_workbook(rows, headers, title="Sheet"):
    """The XLSX file's bytes: one sheet, a bold header row, typed dates and numbers."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    sheet.append([_xlsx_cell(sheet, h, bold=True) for h in headers])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_response(rows, headers, filename, title="Sheet"):
    """An XLSX download, written with openpyxl's write-only (streaming) workbook."""
    return _download(xlsx_workbook(rows, headers, title), XLSX_TYPE, filename)
