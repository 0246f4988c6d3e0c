"""Tables out of the app as CSV and XLSX, with the same cell rule for both.

Cells that start with = + - @ (or a tab/CR) are neutralised with a leading apostrophe so that a
spreadsheet never runs them as formulas (CSV injection). Numbers are written as numbers.

In XLSX every number and date is a typed cell with a number format, so a spreadsheet sorts,
sums and charts them: a percentage (the app's percent values are percentage points, 3.4 for
3.4%) is stored as 0.034 with a ``0.00%`` format, a count with ``#,##0``, a day as a date with
``yyyy-mm-dd``. A column's unit comes from the caller, else from the metric catalogue by the
column's name (``engagement_rate``, ``engagement_rate_previous``, ``change_pct``...), else from
the row's own ``unit`` column (the KPI table). Text that is exactly a number as the app prints
one (``8,353,538``, ``3.40%``) or an ISO day is typed too; any other text stays text, and
formula-like text is neutralised.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def to_csv(columns: Sequence[str], records: Iterable[Mapping[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([neutralise(c) for c in columns])
    for r in records:
        w.writerow(["" if r.get(c) is None else neutralise(r.get(c)) for c in columns])
    return buf.getvalue()


#: Excel's limits: 31 characters per sheet name, and these characters are not allowed in one.
_SHEET_BAD = str.maketrans({c: " " for c in "[]:*?/\\"})


def sheet_title(name: str, taken: set[str] | None = None) -> str:
    """A valid, unique worksheet name for ``name`` (Excel refuses some characters and >31)."""
    base = (name.translate(_SHEET_BAD).strip().strip("'") or "Sheet")[:31]
    title, n = base, 2
    while taken is not None and title.lower() in {t.lower() for t in taken}:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    return title


#: Number formats by unit (percent cells hold fractions: 0.034 shows 3.40%)
FORMATS = {
    "count": "#,##0",
    "percent": "0.00%",
    "ratio": "#,##0.00",
    "currency": "#,##0.00",
    "seconds": "#,##0",
    "score": "0.0",
    "number": "#,##0.00",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}
_NUMBER_TEXT = re.compile(r"[-+]?\d{1,3}(,\d{3})*(\.\d+)?%?|[-+]?\d+(\.\d+)?%?")
_DAY_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")


@lru_cache(maxsize=1)
def _metric_units() -> dict[str, str]:
    from socialpulse.catalogue import metric_catalogue

    return {m.id: m.variant().unit for m in metric_catalogue().metrics.values()}


def column_unit(column: str) -> str | None:
    """A column's unit from its name: a metric id (or one with ``_previous``), ``*_pct``."""
    name = column.removesuffix("_previous")
    if name.endswith("_pct") or name in ("share_of_voice", "previous_share", "progress",
                                         "expected"):
        return "percent"
    return _metric_units().get(name)


def _typed(value: Any, unit: str | None) -> tuple[Any, str | None]:
    """A cell's value and number format (None: text or a general cell)."""
    if isinstance(value, str):
        text = value.strip()
        if _NUMBER_TEXT.fullmatch(text):
            percent = text.endswith("%")
            number = float(text.rstrip("%").replace(",", ""))
            if percent:
                return number / 100, FORMATS["percent"]
            if unit is None and number.is_integer():
                # "8,353,538" reads as a count; "2026" or "448" keep their digits as written
                return int(number), FORMATS["count"] if "," in text else "0"
            value = number
        elif _DAY_TEXT.fullmatch(text):
            try:
                return date.fromisoformat(text), FORMATS["date"]
            except ValueError:
                return value, None
        else:
            return value, None
    if isinstance(value, datetime):
        if value.tzinfo is not None:  # spreadsheets have no time zones: UTC, written naive
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value, FORMATS["datetime"]
    if isinstance(value, date):
        return value, FORMATS["date"]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value, None
    if unit == "percent":
        return value / 100, FORMATS["percent"]
    if unit in FORMATS:
        return value, FORMATS[unit]
    return value, FORMATS["count"] if isinstance(value, int) else FORMATS["number"]


def _xlsx_cell(value: Any) -> Any:
    """Numbers, booleans and dates stay typed; lists join; text is neutralised."""
    if value is None or isinstance(value, bool | int | float | date):
        if isinstance(value, float) and value != value:  # NaN: an empty cell, not "nan"
            return None
        return value
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    text = str(value)
    # openpyxl rejects control characters other than tab/newline/CR
    text = "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 32)
    return neutralise(text)


Sheet = (tuple[str, Sequence[str], Iterable[Mapping[str, Any]]]
         | tuple[str, Sequence[str], Iterable[Mapping[str, Any]], Mapping[str, str]])


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """A workbook with one sheet per ``(name, columns, records[, units])``, header row bold and
    frozen; ``units`` maps a column to its unit (see the module docstring for the rest).

    The same neutralisation as `to_csv` applies to text cells (openpyxl would otherwise store a
    text starting with ``=`` as a formula); numbers and dates are typed, with number formats.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    if wb.active is not None:
        wb.remove(wb.active)
    taken: set[str] = set()
    for sheet in sheets:
        name, columns, records = sheet[0], sheet[1], sheet[2]
        given: Mapping[str, str] = sheet[3] if len(sheet) > 3 else {}
        units = [given.get(c) or column_unit(str(c)) for c in columns]
        title = sheet_title(name, taken)
        taken.add(title)
        ws = wb.create_sheet(title)
        ws.append([_xlsx_cell(str(c)) for c in columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        widths = [len(str(c)) for c in columns]
        row_no = 1  # counted here: openpyxl's max_row scans every cell, quadratic over a sheet
        for r in records:
            row_unit = r.get("unit") if isinstance(r.get("unit"), str) else None
            typed = [_typed(r.get(c), u or row_unit) for c, u in zip(columns, units, strict=True)]
            ws.append([_xlsx_cell(v) for v, _ in typed])
            row_no += 1
            for col_no, (_, fmt) in enumerate(typed, start=1):
                if fmt is not None:
                    ws.cell(row=row_no, column=col_no).number_format = fmt
            for i, (v, _) in enumerate(typed):
                shown = 10 if isinstance(v, int | float | date) else len(str(v))
                widths[i] = max(widths[i], min(60, shown if v is not None else 0))
        for cell, w in zip(ws[1], widths, strict=False):
            ws.column_dimensions[cell.column_letter].width = max(8, w + 2)
        ws.freeze_panes = "A2"
    if not wb.worksheets:
        wb.create_sheet("Empty")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_xlsx_table(columns: Sequence[str], records: Iterable[Mapping[str, Any]],
                  sheet: str = "Table") -> bytes:
    """One table as a one-sheet workbook (the XLSX twin of `to_csv`)."""
    return to_xlsx([(sheet, columns, records)])
