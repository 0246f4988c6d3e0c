"""Tables out of the app as CSV and XLSX, with the same cell rule for both.

Cells that start with = + - @ (or a tab/CR) are neutralised with a leading apostrophe so that a
spreadsheet never runs them as formulas (CSV injection). Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
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


def _xlsx_cell(value: Any) -> Any:
    """Numbers and booleans stay typed; dates become ISO text; lists join; text is neutralised."""
    if value is None or isinstance(value, bool | int | float):
        if isinstance(value, float) and value != value:  # NaN: an empty cell, not "nan"
            return None
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    text = str(value)
    # openpyxl rejects control characters other than tab/newline/CR
    text = "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 32)
    return neutralise(text)


def to_xlsx(sheets: Sequence[tuple[str, Sequence[str], Iterable[Mapping[str, Any]]]]) -> bytes:
    """A workbook with one sheet per ``(name, columns, records)``, header row bold and frozen.

    The same neutralisation as `to_csv` applies to text cells (openpyxl would otherwise store a
    text starting with ``=`` as a formula); numbers are written as numbers.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    if wb.active is not None:
        wb.remove(wb.active)
    taken: set[str] = set()
    for name, columns, records in sheets:
        title = sheet_title(name, taken)
        taken.add(title)
        ws = wb.create_sheet(title)
        ws.append([_xlsx_cell(str(c)) for c in columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        widths = [len(str(c)) for c in columns]
        for r in records:
            row = [_xlsx_cell(r.get(c)) for c in columns]
            ws.append(row)
            for i, v in enumerate(row):
                widths[i] = max(widths[i], min(60, len(str(v)) if v is not None else 0))
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
