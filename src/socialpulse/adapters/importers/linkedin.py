"""LinkedIn Page analytics exports: updates, update metrics, visitors, followers.

LinkedIn gives XLS (binary BIFF), XLSX or CSV, and merges several exports into one workbook;
every sheet is recognised by its header. The update sheets carry a note in row 1 ("All dates
and times are in UTC") and the header in row 2. Dates are US style (04/01/2020) or Excel day
numbers. Per-post engagements follow LinkedIn's own rate: clicks + reactions + comments +
shares (its "Engagement rate" column is that sum over impressions).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pyarrow as pa

from socialpulse.domain.models import Network

from .audience import breakdown
from .base import (
    Context,
    Parsed,
    Sheet,
    cover_days,
    date_column,
    fail,
    int_column,
    norm,
    read_time,
    sum_columns,
)
from .readers import make_sheet
from .source import Source

KINDS: dict[str, tuple[str, ...]] = {
    "updates": ("update title", "created date", "impressions"),
    "aggregated": ("date", "impressions (organic)", "impressions (total)"),
    "visitors": ("date", "total page views (total)"),
    "followers": ("date", "organic followers", "total followers"),
}
DEMOGRAPHICS = ("location", "job function", "seniority", "industry", "company size")
#: the count column of a demographics sheet -> who it counts
DEMOGRAPHIC_COUNTS = {"total views": "visitors", "total followers": "followers"}
_ACTIVITY = re.compile(r"urn:li:(?:activity|share|ugcPost):(\d+)")


def _kind(rows: list[list[Any]]) -> tuple[str, int] | None:
    for i, r in enumerate(rows[:3]):
        cells = {norm(c) for c in r}
        for kind, needles in KINDS.items():
            if all(n in cells for n in needles):
                return kind, i
        if len(r) >= 2 and norm(r[0]) in DEMOGRAPHICS and norm(r[1]) in DEMOGRAPHIC_COUNTS:
            return "demographics", i
    return None


def _sheets(src: Source) -> dict[str, list[list[Any]]]:
    if src.kind == "csv":
        return {src.stem: src.rows}
    if src.kind in ("xls", "xlsx", "spreadsheetml"):
        return src.sheets
    return {}


def detect(src: Source) -> bool:
    if src.kind == "csv":
        return _kind(src.head_rows[:3]) is not None
    if src.kind in ("xls", "xlsx"):
        return any(_kind(rows) is not None and _kind(rows)[0] != "demographics"  # type: ignore[index]
                   for rows in src.sheets.values())
    return False


def parse(src: Source, ctx: Context) -> Parsed:
    out = Parsed(src.name, "linkedin", Network.LINKEDIN)
    found: list[str] = []
    daily: dict[date, dict[str, int | None]] = {}
    days: list[date] = []
    audience: list[pa.Table] = []
    for sheet_name, rows in _sheets(src).items():
        k = _kind(rows)
        label = src.name if src.kind == "csv" else f"{src.name} [{sheet_name}]"
        if k is None:
            if any(any(c not in (None, "") for c in r) for r in rows):
                out.notes.append(f"sheet {sheet_name!r} is not a known LinkedIn export: skipped")
            continue
        kind, hi = k
        found.append(kind)
        if kind == "demographics":
            sheet = make_sheet(label, rows, hi, ctx.limits)
            who = DEMOGRAPHIC_COUNTS[norm(sheet.header[1])]
            audience.append(breakdown(sheet, f"{who} by {norm(sheet.header[0])}", count_col=1))
            out.rows_read += len(sheet.rows)
            out.rows_used += len(audience[-1])
            continue
        sheet = make_sheet(label, rows, hi, ctx.limits)
        out.rows_read += len(sheet.rows)
        if kind == "updates":
            _updates(sheet, out, ctx)
            continue
        days.extend(_daily_sheet(sheet, kind, out, ctx, daily))
    if not found:
        raise fail(src.name, "no LinkedIn export sheet found (expected update engagement, "
                   "update metrics, visitor metrics or followers)")
    if daily:
        ds = sorted(daily)
        fields = sorted({f for v in daily.values() for f in v})
        out.daily = pa.table({"date": pa.array(ds, pa.date32()),
                              **{f: pa.array([daily[x].get(f) for x in ds], pa.int64())
                                 for f in fields}})
    cover_days(out, days, ctx.tz, "the export's last day {}, from its daily sheets")
    if audience:  # demographics describe the export's period: dated by its last day
        table = pa.concat_tables(audience)
        day = pa.array([max(days) if days else None] * len(table), pa.date32())
        out.audience = table.set_column(table.schema.get_field_index("date"), "date", day)
    out.fmt = "linkedin-" + "+".join(sorted(set(found)))
    return out


def _daily_sheet(sheet: Sheet, kind: str, out: Parsed, ctx: Context,
                 daily: dict[date, dict[str, int | None]]) -> list[date]:
    """A daily sheet (visitors, aggregated update metrics, followers) into ``daily``; answers
    its days."""
    d = date_column(sheet, sheet.col("date", required=True) or 0, ctx.today,
                    like="04/01/2020")
    cols: dict[str, pa.Array] = {}
    if kind == "visitors":
        cols["profile_views"] = int_column(sheet, sheet.col("total page views (total)"))
    elif kind == "aggregated":
        cols["ad_impressions"] = int_column(sheet, sheet.col("impressions (sponsored)"))
        cols["ad_clicks"] = int_column(sheet, sheet.col("clicks (sponsored)"))
        cols["impressions"] = int_column(sheet, sheet.col("impressions (organic)"))
        cols["reach"] = int_column(sheet, sheet.col("unique impressions (organic)"))
        cols.update(_engagement_counters(sheet, "clicks (organic)", "reactions (organic)",
                                         "comments (organic)", "shares (organic)"))
        out.notes.append("daily organic impressions, clicks, reactions, comments and shares "
                         "of all updates are stored as account totals: metrics use them "
                         "only while the page has no per-update data (an update sheet)")
    elif kind == "followers":
        out.skipped["daily new followers (the file has no follower total; not stored as "
                    "followers)"] += len(d)
    for name, arr in cols.items():
        for day, v in zip(d, arr.to_pylist(), strict=True):
            daily.setdefault(day, {})[name] = v
    out.rows_used += len(d) if cols else 0
    return d


def _updates(sheet: Sheet, out: Parsed, ctx: Context) -> None:
    link_i = sheet.col("update link")
    created_i = sheet.col("created date", required=True) or 0
    keep, ids, local = [], [], []
    for i, r in enumerate(sheet.rows):
        link = str(r[link_i] if link_i is not None and link_i < len(r) else "")
        m = _ACTIVITY.search(link)
        if not m:
            out.skipped["update without a link/id"] += 1
            continue
        d = read_time(r[created_i] if created_i < len(r) else None, ctx.today, sheet.name,
                      sheet.row_number(i), sheet.header[created_i], "a date")[0].date()
        keep.append(i)
        ids.append(m.group(1))
        local.append(d)
    sub = sheet.subset(keep)
    counters = {
        "impressions": int_column(sub, sub.col("impressions")),
        "video_views": int_column(sub, sub.col("video views")),
        **_engagement_counters(sub, ("clicks",), ("likes", "reactions"), ("comments",),
                               ("shares", "reposts")),
    }
    type_i = sub.col("update type")
    out.posts = pa.table({
        "post_id": pa.array(ids, pa.string()),
        "local_date": pa.array(local, pa.date32()),
        "published_at": pa.nulls(len(ids), pa.timestamp("us", tz="UTC")),
        "post_type": pa.array([str(v).strip().lower() if v else None
                               for v in sub.values(type_i)], pa.string()),
        "text": pa.array([str(v) if v else None for v in sub.values(sub.col("update title"))],
                         pa.string()),
        "url": pa.array([str(v) if v else None for v in sub.values(link_i)], pa.string()),
        "campaign": pa.array([str(v) if v else None
                              for v in sub.values(sub.col("campaign name"))], pa.string()),
    })
    out.snapshots = pa.table({"post_id": pa.array(ids, pa.string()), **counters})
    out.rows_used += len(ids)


def _engagement_counters(sheet: Sheet, clicks: str | tuple[str, ...],
                         likes: str | tuple[str, ...], comments: str | tuple[str, ...],
                         shares: str | tuple[str, ...]) -> dict[str, pa.Array]:
    """Clicks, reactions, comments, shares and LinkedIn's engagements (their sum, the
    numerator of its own engagement rate), the same for an update and for a page's day."""
    counters = {
        name: int_column(sheet, sheet.col(*((names,) if isinstance(names, str) else names)))
        for name, names in (("clicks", clicks), ("likes", likes), ("comments", comments),
                            ("shares", shares))
    }
    counters["engagements"] = sum_columns(counters.values())
    return counters
