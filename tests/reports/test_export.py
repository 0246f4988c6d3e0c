"""Spreadsheet export: formula-like text neutralised, numbers kept as numbers."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from socialpulse.services.export import sheet_title, to_csv, to_xlsx, to_xlsx_table


def test_xlsx_neutralises_formula_cells_and_keeps_numbers() -> None:
    rows = [
        {"text": "=HYPERLINK(\"http://x\",\"y\")", "n": 5, "f": 2.5},
        {"text": "+1+2", "n": -3, "f": -0.25},
        {"text": "-cmd|' /C calc'!A0", "n": 0, "f": None},
        {"text": "@SUM(A1)", "n": 10**12, "f": float("nan")},
        {"text": "plain", "n": 7, "f": 1e-9},
    ]
    wb = load_workbook(io.BytesIO(to_xlsx_table(["text", "n", "f"], rows, "T")))
    ws = wb["T"]
    got = [[c.value for c in r] for r in ws.iter_rows()]
    assert got[0] == ["text", "n", "f"]
    texts = [r[0] for r in got[1:]]
    assert texts[:4] == ["'=HYPERLINK(\"http://x\",\"y\")", "'+1+2", "'-cmd|' /C calc'!A0",
                         "'@SUM(A1)"]
    assert texts[4] == "plain"
    for row in ws.iter_rows(min_row=2):
        assert row[0].data_type == "s"  # text, never a formula
    assert [r[1] for r in got[1:]] == [5, -3, 0, 10**12, 7]
    assert [r[2] for r in got[1:]] == [2.5, -0.25, None, None, 1e-9]
    assert ws.freeze_panes == "A2"


def test_csv_and_xlsx_agree_on_the_rule() -> None:
    rows = [{"a": "=1+1", "b": -1}]
    assert to_csv(["a", "b"], rows) == "a,b\n'=1+1,-1\n"
    ws = load_workbook(io.BytesIO(to_xlsx([("S", ["a", "b"], rows)])))["S"]
    assert ws["A2"].value == "'=1+1" and ws["B2"].value == -1


def test_sheet_names_are_valid_and_unique() -> None:
    taken: set[str] = set()
    names = []
    for n in ["Share of voice: brands/day", "Share of voice: brands/day", "x" * 40, ""]:
        t = sheet_title(n, taken)
        taken.add(t)
        names.append(t)
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    assert len({n.lower() for n in names}) == 4


def test_xlsx_numbers_and_dates_are_typed_cells_with_formats() -> None:
    """Values chosen by hand: a percent of 3.4 points is 0.034 shown 0.00%, a count #,##0,
    a day a date; numbers printed as text by the app become numbers; other text stays text."""
    from datetime import date, datetime, timedelta, timezone

    rows = [
        {"day": date(2026, 9, 30), "engagement_rate": 3.4, "impressions": 8353538,
         "change_pct": -48.74003041481866, "baseline": "8,353,538", "shown": "3.40%",
         "at": datetime(2026, 9, 30, 23, 30, tzinfo=timezone(timedelta(hours=2))),
         "note": "-48.7 points", "iso": "2026-10-01"},
    ]
    cols = list(rows[0])
    ws = load_workbook(io.BytesIO(to_xlsx([("S", cols, rows)])))["S"]
    cell = {c: ws.cell(row=2, column=i + 1) for i, c in enumerate(cols)}
    assert cell["day"].is_date and cell["day"].number_format == "yyyy-mm-dd"
    assert cell["day"].value.date() == date(2026, 9, 30)
    assert cell["engagement_rate"].value == 0.034
    assert cell["engagement_rate"].number_format == "0.00%"
    assert cell["impressions"].value == 8353538 and cell["impressions"].number_format == "#,##0"
    assert abs(cell["change_pct"].value - -0.4874003041481866) < 1e-12
    assert cell["change_pct"].number_format == "0.00%"
    assert cell["baseline"].value == 8353538 and cell["baseline"].number_format == "#,##0"
    assert cell["shown"].value == 0.034 and cell["shown"].number_format == "0.00%"
    assert cell["at"].value == datetime(2026, 9, 30, 21, 30)  # UTC, as spreadsheets have no zones
    assert cell["note"].value == "'-48.7 points" and cell["note"].data_type == "s"
    assert cell["iso"].is_date


def test_xlsx_units_given_and_per_row() -> None:
    """A caller's unit wins over the name; a KPI row's own unit types its value columns."""
    rows = [{"metric": "Engagement rate", "value": 2.5, "unit": "percent"},
            {"metric": "Followers", "value": 1200, "unit": "count"}]
    ws = load_workbook(io.BytesIO(to_xlsx([("K", ["metric", "value", "unit"], rows)])))["K"]
    assert ws["B2"].value == 0.025 and ws["B2"].number_format == "0.00%"
    assert ws["B3"].value == 1200 and ws["B3"].number_format == "#,##0"
    ws = load_workbook(io.BytesIO(to_xlsx([("U", ["x"], [{"x": 50}], {"x": "percent"})])))["U"]
    assert ws["A2"].value == 0.5 and ws["A2"].number_format == "0.00%"


def test_report_workbook_has_no_numbers_as_text(q3_report) -> None:
    """Every cell of the demo's Q3 report workbook that reads as a number is a number."""
    import re

    from socialpulse.services.report_render import render_xlsx

    wb = load_workbook(io.BytesIO(render_xlsx(q3_report)))
    numeric_text = re.compile(r"[-+]?[\d,]+(\.\d+)?%?")
    checked = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=2):
            for c in row:
                if isinstance(c.value, str):
                    assert not numeric_text.fullmatch(c.value), (ws.title, c.coordinate, c.value)
                elif isinstance(c.value, float):
                    assert c.number_format != "General", (ws.title, c.coordinate, c.value)
                    checked += 1
    assert checked > 50


def test_xlsx_plain_integers_in_text_keep_their_digits() -> None:
    """A year or a small count printed as text becomes an integer cell shown as written."""
    ws = load_workbook(io.BytesIO(to_xlsx([("S", ["a", "b", "c"],
                                            [{"a": "2026", "b": "448", "c": "0.4"}])])))["S"]
    assert ws["A2"].value == 2026 and ws["A2"].number_format == "0"
    assert ws["B2"].value == 448 and ws["B2"].number_format == "0"
    assert ws["C2"].value == 0.4 and ws["C2"].number_format == "#,##0.00"
