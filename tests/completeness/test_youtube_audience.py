"""YouTube Studio Table data exported by Geography or Viewer age: views per country (counts)
and per age group (YouTube's "Views (%)", a percentage) become audience breakdowns.

Our real YouTube sample is the Content table; these files are built in the same export's
shape with its documented column names (a first "Total" row, then one row per value), and
imported with the real Chart data of the same channel, which dates them.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from socialpulse.domain.errors import InvalidInput
from tests.completeness.files import write_csv
from tests.importers.conftest import SAMPLES, do_import

CHART = SAMPLES / "youtube" / "priyankapatel05_Chart data.csv"
GEOGRAPHY = [("IN", 120500), ("US", 20310), ("PK", 9120), ("BD", 4021)]
AGE = [("age13-17", 4.2), ("age18-24", 51.3), ("age25-34", 30.1), ("age35-44", 14.4)]


def _write(path: Path, header: list[str], total: list[object], rows: list[list[object]]
           ) -> tuple[Path, str]:
    return write_csv(path, header, total, rows), path.name


def test_geography_and_age_tables_are_audience(home, ws, tmp_path):
    geo = _write(tmp_path / "priyankapatel05_Geography_Table data.csv",
                 ["Geography", "Views", "Watch time (hours)", "Average view duration"],
                 ["Total", sum(v for _, v in GEOGRAPHY), 240.5, "0:00:05"],
                 [[g, v, 1.5, "0:00:05"] for g, v in GEOGRAPHY])
    age = _write(tmp_path / "priyankapatel05_Viewer age_Table data.csv",
                 ["Viewer age", "Views (%)", "Average view duration",
                  "Average percentage viewed (%)", "Watch time (hours) (%)"],
                 ["Total", 100, "0:00:05", 40.1, 100],
                 [[a, p, "0:00:05", 40.0, p] for a, p in AGE])
    res = do_import(home, ws, [geo, age, (CHART, CHART.name)])
    assert res.rows["audience"] == len(GEOGRAPHY) + len(AGE)
    [acc] = home.audience.audience(ws, "priyankapatel05")
    by = {b.dimension: b for b in acc.breakdowns}
    country = by["views by country"]
    assert {s.value: s.count for s in country.slices} == dict(GEOGRAPHY)
    total = sum(v for _, v in GEOGRAPHY)
    assert country.slices[0].share == pytest.approx(120500 / total)
    ages = by["views by viewer age"]
    assert {s.value: s.share for s in ages.slices} == pytest.approx(
        {a: p / 100 for a, p in AGE})
    with open(CHART, encoding="utf-8-sig") as fh:
        last = max(r["Date"] for r in csv.DictReader(fh))
    assert ages.day.isoformat() == last  # dated by the Chart data of the same import


def test_a_share_over_100_is_refused(home, ws, tmp_path):
    bad = _write(tmp_path / "yt_Viewer age_Table data.csv", ["Viewer age", "Views (%)"],
                 ["Total", 100], [["age18-24", 130]])
    with pytest.raises(InvalidInput, match=r"row 3, column 'Views \(%\)': expected a share"):
        do_import(home, ws, [bad])
