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
