"""Audience breakdowns: who follows, visits or watches an account, by one dimension.

TikTok's FollowerGender and FollowerTopTerritories, LinkedIn's visitor and follower
demographics (location, job function, seniority, industry, company size) give one value per
row with a count or a share of the whole. They become rows of the lake's ``audience`` dataset:
dimension (what is counted, by what: "followers by gender"), value ("Female"), count, share.
The day they describe is the export's last day where the file says it, else the day the counts
were observed (the import fills it).
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from .base import Sheet, count_problem, fail, parse_number


def breakdown(sheet: Sheet, dimension: str, count_col: int | None = None,
              share_col: int | None = None, day: date | None = None,
              share_scale: float = 1) -> pa.Table:
    """One audience row per data row: the first column is the value; a count column, a share
    column (0-1, or a percentage such as "59%"; ``share_scale=100`` for a column of bare
    percentages such as YouTube's "Views (%)"), or both. Rows without a value are dropped."""
    values, counts, shares = [], [], []
    for i, row in enumerate(sheet.rows):
        label = str(row[0]).strip() if row and row[0] not in (None, "") else ""
        if not label:
            continue
        values.append(label)
        counts.append(_number(sheet, i, count_col, integer=True))
        share = _number(sheet, i, share_col, integer=False, top=share_scale)
        shares.append(None if share is None else share / share_scale)
    return pa.table({
        "date": pa.array([day] * len(values), pa.date32()),
        "dimension": pa.array([dimension] * len(values), pa.string()),
        "value": pa.array(values, pa.string()),
        "count": pa.array(counts, pa.int64()),
        "share": pa.array(shares, pa.float64()),
    })


def _number(sheet: Sheet, i: int, col: int | None, integer: bool, top: float = 1
            ) -> float | int | None:
    if col is None:
        return None
    row = sheet.rows[i]
    raw = row[col] if col < len(row) else None
    what = "a count" if integer else f"a share from 0 to {top:g}"
    try:
        v = parse_number(raw)
    except ValueError:
        raise fail(sheet.name, f"expected {what}, found {str(raw)[:40]!r}",
                   sheet.row_number(i), sheet.header[col]) from None
    # counts follow the one rule of every importer (whole, from 0 to MAX_COUNT)
    problem = None if v is None else (count_problem(v) if integer else
                                      None if 0 <= v <= top else f"expected {what}")
    if problem:
        raise fail(sheet.name, f"{problem}, found {str(raw)[:40]!r}",
                   sheet.row_number(i), sheet.header[col])
    if v is None:
        return None
    return int(v) if integer else v
