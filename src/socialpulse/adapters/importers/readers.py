"""Readers for the containers exports come in: CSV text, SpreadsheetML, XLSX, XLS, JSON.

Safety: SpreadsheetML and XLSX are XML, parsed with defusedxml (no DTDs, no entity expansion,
no external entities). openpyxl parses through defusedxml automatically when it is installed
(``openpyxl.xml.DEFUSEDXML``), and we also refuse XLSX archives whose members inflate past the
inflated-size limit (zip bombs) before openpyxl opens them, stream sheets in read-only mode
within a cell budget, and recognise the format from the first rows only. XLS (BIFF) goes
through xlrd, which does not evaluate anything. JSON nesting and sizes are bounded by the file
limit.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import zipfile
from datetime import datetime
from typing import Any

from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.formatting import format_size

from .base import Limits, Sheet, check_cells, fail, norm

SPREADSHEET_NS = "urn:schemas-microsoft-com:office:spreadsheet"
#: Rows of each sheet that format detection sees (headers sit in the first five).
HEAD_ROWS = 10


def kind_of(data: bytes, name: str) -> str:
    """csv, spreadsheetml, xlsx, xls, json or jsonl, from the content (not trusting the name)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "xls"
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if head.startswith(b"<?xml") or head.startswith(b"<Workbook"):
        if SPREADSHEET_NS.encode() in data[:20000]:
            return "spreadsheetml"
        raise fail(name, "XML file that is not an Excel SpreadsheetML workbook")
    if head[:1] in (b"[", b"{"):
        if name.lower().endswith((".jsonl", ".ndjson")):
            return "jsonl"
        return "json"
    return "csv"


# --- CSV --------------------------------------------------------------------------------------


def csv_rows(text_utf8: bytes, name: str, limits: Limits, delimiter: str | None = None
             ) -> list[list[str]]:
    """Every record of a CSV (quoted newlines kept), with the cell size limit enforced."""
    text = text_utf8.decode("utf-8")
    if delimiter is None:
        first = text.split("\n", 1)[0]
        delimiter = max([",", ";", "\t"], key=first.count) if first else ","
    old = csv.field_size_limit()
    csv.field_size_limit(min(limits.max_cell_bytes, sys.maxsize))
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > limits.max_rows:
                raise fail(name, f"more than {limits.max_rows:,} rows")
    except csv.Error as exc:
        msg = str(exc)
        if "field larger than field limit" in msg:
            msg = f"a cell is over the limit of {limits.max_cell_bytes:,} characters"
        if "unexpected end of data" in msg:
            msg = "the file ends inside a quoted cell (truncated?)"
        raise fail(name, f"malformed CSV at row {len(rows) + 1} (line {reader.line_num}): {msg}"
                   ) from None
    finally:
        csv.field_size_limit(old)
    if rows and rows[-1] == []:
        rows.pop()
    return rows


def header_at(rows: list[list[Any]], name: str, needles: tuple[str, ...], look: int = 5) -> int:
    """Index of the header row: the first of the top rows holding all needles (a note or a
    title may come first)."""
    wanted = [norm(n) for n in needles]
    for i, r in enumerate(rows[:look]):
        cells = {norm(c) for c in r}
        if all(w in cells for w in wanted):
            return i
    raise fail(name, f"no header row with {', '.join(repr(n) for n in needles)} in the first "
               f"{look} rows")


def make_sheet(name: str, rows: list[list[Any]], header_index: int, limits: Limits,
               description_row: bool = False) -> Sheet:
    header = [str(c if c is not None else "").strip().lstrip("\ufeff") for c in rows[header_index]]
    start = header_index + 1
    descriptions: list[str] = []
    if description_row and len(rows) > start:
        descriptions = [str(c or "") for c in rows[start]]
        start += 1
    # blank rows are dropped; keep each data row's spreadsheet number for error messages
    kept = [(start + 1 + i, r) for i, r in enumerate(rows[start:])
            if any(c not in (None, "") for c in r)]
    sheet = Sheet(name, header, [r for _, r in kept], first_row=start + 1,
                  descriptions=descriptions, numbers=[n for n, _ in kept])
    check_cells(sheet, limits)
    return sheet


# --- workbooks --------------------------------------------------------------------------------


def workbook(data: bytes, name: str, kind: str, limits: Limits) -> dict[str, list[list[Any]]]:
    """Sheets of a workbook as rows of Python values (str, float, datetime, None)."""
    if kind == "spreadsheetml":
        return _spreadsheetml(data, name, limits)
    if kind == "xlsx":
        return _xlsx(data, name, limits)
    if kind == "xls":
        return _xls(data, name)
    raise fail(name, f"not a workbook ({kind})")


def _spreadsheetml(data: bytes, name: str, limits: Limits) -> dict[str, list[list[Any]]]:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise fail(name, f"refused unsafe XML ({type(exc).__name__}: DTDs and entities are "
                   "not allowed)") from None
    except ParseError as exc:
        line, col = exc.position
        raise fail(name, f"malformed XML at line {line}, character {col} (truncated file?)"
                   ) from None
    ss = "{" + SPREADSHEET_NS + "}"
    out: dict[str, list[list[Any]]] = {}
    for ws in root.iter(ss + "Worksheet"):
        sheet_name = ws.get(ss + "Name") or f"Sheet{len(out) + 1}"
        rows: list[list[Any]] = []
        for row in ws.iter(ss + "Row"):
            r_index = row.get(ss + "Index")
            if r_index and r_index.isdigit():
                while len(rows) < int(r_index) - 1:
                    rows.append([])
            cells: list[Any] = []
            for cell in row.findall(ss + "Cell"):
                idx = cell.get(ss + "Index")
                if idx and idx.isdigit():
                    while len(cells) < int(idx) - 1:
                        cells.append(None)
                d = cell.find(ss + "Data")
                value: Any = None
                if d is not None:
                    text = "".join(d.itertext())
                    if len(text) > limits.max_cell_bytes:
                        raise fail(f"{name} [{sheet_name}]", f"cell is {len(text):,} characters,"
                                   f" over the limit of {limits.max_cell_bytes:,}",
                                   len(rows) + 1, f"#{len(cells) + 1}")
                    typ = d.get(ss + "Type")
                    if typ == "Number":
                        try:
                            value = float(text)
                        except ValueError:
                            value = text
                    elif typ == "DateTime":
                        try:
                            value = datetime.fromisoformat(text)
                        except ValueError:
                            value = text
                    else:
                        value = text if text != "" else None
                cells.append(value)
                merge = cell.get(ss + "MergeAcross")
                if merge and merge.isdigit():
                    cells.extend([None] * int(merge))
            rows.append(cells)
        out[sheet_name] = rows
    if not out:
        raise fail(name, "SpreadsheetML workbook without worksheets")
    return out


def workbook_head(data: bytes, name: str, kind: str, limits: Limits
                  ) -> dict[str, list[list[Any]]]:
    """The first `HEAD_ROWS` rows of each sheet of an XLSX, streamed: enough to recognise an
    export, so a large workbook that is not one is refused without reading it all."""
    if kind != "xlsx":
        raise fail(name, f"not an XLSX workbook ({kind})")
    return _xlsx(data, name, limits, max_rows=HEAD_ROWS)


def _xlsx(data: bytes, name: str, limits: Limits, max_rows: int | None = None
          ) -> dict[str, list[list[Any]]]:
    """Rows of every sheet, streamed (openpyxl's read-only mode) within the limits: the size
    the archive inflates to (zip bombs; checked before anything is parsed) and the number of
    cells (a sheet of millions of repeated cells compresses to almost nothing)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        inflated = sum(i.file_size for i in zf.infolist())
    except zipfile.BadZipFile:
        raise fail(name, "not a valid XLSX (zip) file; truncated?") from None
    budget = min(4 * limits.max_file_bytes, limits.max_inflated_bytes)
    if inflated > budget:
        raise fail(name, f"XLSX inflates to {format_size(inflated)}, over the limit of "
                   f"{format_size(budget)} (a zip bomb?); save the export as CSV")
    if "xl/workbook.xml" not in zf.namelist():
        raise fail(name, "zip file that is not an Excel workbook (no xl/workbook.xml)")
    strings = sum(i.file_size for i in zf.infolist() if i.filename == "xl/sharedStrings.xml")
    if strings > budget // 4:  # openpyxl holds the shared strings in memory whole
        raise fail(name, f"XLSX text table inflates to {format_size(strings)}, over the limit of "
                   f"{format_size(budget // 4)}; save the export as CSV")
    import openpyxl

    _stream_sheets()
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types on corrupt input
        raise fail(name, f"cannot read XLSX: {_why(exc)}") from None
    out: dict[str, list[list[Any]]] = {}
    cells = 0
    try:
        for ws in wb.worksheets:
            rows = []
            for r in ws.iter_rows(max_row=max_rows, values_only=True):
                rows.append(list(r))
                cells += len(r)
                if cells > limits.max_cells:
                    raise fail(name, f"sheet {ws.title!r} passes {limits.max_cells:,} cells at "
                               f"row {len(rows):,}, over the limit; split the export or save "
                               "it as CSV")
                if len(rows) > limits.max_rows:
                    raise fail(name, f"sheet {ws.title!r} has more than {limits.max_rows:,} rows")
            while rows and all(c is None for c in rows[-1]):
                rows.pop()
            out[ws.title] = rows
    except InvalidInput:
        raise
    except Exception as exc:
        raise fail(name, f"cannot read XLSX: {_why(exc)}") from None
    finally:
        wb.close()
    return out


def _stream_sheets() -> None:
    """Make openpyxl's read-only sheets find their size from the head of the sheet only.

    openpyxl looks for a sheet's ``<dimension>`` with end events, so a sheet without one
    (hostile files leave it out) is parsed whole when the workbook opens, before the first row
    is read: 71 s for a sheet inflating to 100 MB, which we only wanted the header of. Start
    events up to ``<sheetData>`` are enough; with no dimension, rows stream as they come."""
    import openpyxl.reader.excel as excel
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
    from openpyxl.worksheet.dimensions import SheetDimension
    from openpyxl.xml.functions import iterparse

    if excel.ReadOnlyWorksheet is not ReadOnlyWorksheet:
        return

    class HeadSizedSheet(ReadOnlyWorksheet):  # type: ignore[misc]
        def _get_size(self) -> None:
            src = self._get_source()
            try:
                for _event, element in iterparse(src, events=("start",)):
                    if element.tag == DIMENSION_TAG:
                        bounds = SheetDimension.from_tree(element).boundaries
                        (self._min_column, self._min_row, self._max_column,
                         self._max_row) = bounds
                        return
                    if element.tag == DATA_TAG:
                        return
            finally:
                src.close()

    excel.ReadOnlyWorksheet = HeadSizedSheet


#: exceptions whose message describes the file itself (shown to the user without their name)
READER_ERRORS = frozenset({"XLRDError", "CompDocError", "BadZipFile", "InvalidFileException",
                           "ParseError", "ExpatError"})


def _why(exc: BaseException) -> str:
    """One line about a reader's failure; unsafe XML is named as such wherever it hides."""
    from defusedxml import DefusedXmlException

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DefusedXmlException):
            return f"refused unsafe XML ({type(seen).__name__}: DTDs and entities are not allowed)"
        seen = seen.__cause__ or seen.__context__
    first = (str(exc).splitlines() or [""])[0].strip()
    if type(exc).__name__ in READER_ERRORS and first:
        return first[:120]  # the reader's own words about the file
    # IndexError, struct.error, KeyError... from inside a reader: the file is cut or damaged,
    # and the exception's name would mean nothing to the person who exported it
    return "the file is damaged or cut short (is it the whole export?)"


def _xls(data: bytes, name: str) -> dict[str, list[list[Any]]]:
    import xlrd

    try:
        # xlrd writes its warnings about damaged files to stdout unless given a log file
        book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
    except Exception as exc:  # xlrd raises XLRDError, struct.error, IndexError... on bad input
        raise fail(name, f"cannot read XLS: {_why(exc)}") from None
    out: dict[str, list[list[Any]]] = {}
    try:
        for sh in book.sheets():
            rows: list[list[Any]] = []
            for r in range(sh.nrows):
                row: list[Any] = []
                for c in sh.row(r):
                    if c.ctype == xlrd.XL_CELL_DATE:
                        row.append(xlrd.xldate_as_datetime(c.value, book.datemode))
                    elif c.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK,
                                     xlrd.XL_CELL_ERROR):
                        row.append(None)
                    else:
                        row.append(c.value)
                rows.append(row)
            out[sh.name] = rows
    except Exception as exc:
        raise fail(name, f"cannot read XLS: {_why(exc)}") from None
    finally:
        book.release_resources()
    return out


# --- JSON -------------------------------------------------------------------------------------


def json_values(data_utf8: bytes, name: str, kind: str) -> list[Any]:
    """A JSON document or JSON Lines, as a list of top-level values."""
    text = data_utf8.decode("utf-8")
    if kind == "jsonl" or (kind == "json" and _looks_jsonl(text)):
        out = []
        for i, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                out.append(json.loads(line))
            except (json.JSONDecodeError, RecursionError) as exc:
                raise fail(name, f"invalid JSON on line {i}: {getattr(exc, 'msg', exc)}"
                           ) from None
        return out
    try:
        return [json.loads(text)]
    except json.JSONDecodeError as exc:
        raise fail(name, f"invalid JSON at line {exc.lineno}, character {exc.colno}: {exc.msg}"
                   ) from None
    except RecursionError:
        raise fail(name, "JSON nested too deeply") from None


def _looks_jsonl(text: str) -> bool:
    lines = [ln for ln in text.splitlines()[:3] if ln.strip()]
    if len(lines) < 2:
        return False
    try:
        json.loads(lines[0])
        json.loads(lines[1])
    except (json.JSONDecodeError, RecursionError):
        return False
    return True
