"""YouTube Studio advanced-mode export folder: "Table data.csv", "Chart data.csv", "Totals.csv".

Table data has one row per video after a first "Total" row, and its columns depend on the
metrics the user picked; we map the ones we know and keep the rest out. It has no dates, so
its snapshot is observed at the export's last day taken from Chart data or Totals in the same
import (or the import time). Chart data and Totals hold daily views (per video, per channel),
for which the lake has no dataset: they give the export's period and a cross-check of totals.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from socialpulse.domain.platforms import PLATFORMS, Network

from .audience import breakdown
from .base import (
    Context,
    Parsed,
    Sheet,
    cover_days,
    date_column,
    int_column,
    norm,
    parse_number,
    read_time,
    sum_columns,
)
from .csv_table import open_csv_table
from .source import Source

_YOUTUBE = PLATFORMS[Network.YOUTUBE]

#: socialpulse counter <- YouTube Studio column names (English UI).
COUNTERS: dict[str, tuple[str, ...]] = {
    "video_views": ("views",),
    "impressions": ("impressions",),
    "likes": ("likes",),
    "comments": ("comments added", "comments"),
    "shares": ("shares",),
}


#: Table data exported with an audience dimension instead of Content: first column -> the
#: audience dimension it holds.
AUDIENCE = {"geography": "views by country", "viewer age": "views by viewer age",
            "viewer gender": "views by viewer gender"}


def _kind(header: list[str]) -> str | None:
    h = {norm(c) for c in header}
    if header and norm(header[0]) in AUDIENCE and h & {"views", "views (%)"}:
        return "audience"
    if "content" in h and "video title" in h and "date" not in h:
        return "table"
    if "content" in h and "date" in h:
        return "chart"
    if h and h <= {"date", "views", "watch time (hours)", "subscribers", "impressions",
                   "estimated revenue (usd)", "likes", "shares", "comments added"} and "date" in h:
        return "totals"
    return None


def detect(src: Source) -> bool:
    kind = _kind(src.head_rows[0]) if src.head_rows else None
    if kind == "totals":  # "Date,Views" alone is too generic: require YouTube's file name
        return "totals" in src.name.lower()
    return kind is not None


def parse(src: Source, ctx: Context) -> Parsed:
    kind, sheet, out = open_csv_table(src, ctx, _kind, "YouTube Studio", "youtube",
                                      Network.YOUTUBE)
    if kind == "table":
        _table(sheet, ctx, out)
        return out
    if kind == "audience":
        _audience(sheet, out)
        return out
    days = date_column(sheet, sheet.col("date", required=True) or 0, ctx.today)
    views = int_column(sheet, sheet.col("views"))
    cover_days(out, days, ctx.tz)
    total = sum(v for v in views.to_pylist() if v is not None)
    what = "per-video daily views" if kind == "chart" else "channel daily views"
    out.skipped[f"{what} (no socialpulse dataset holds them)"] = len(days)
    out.notes.append(f"{what} from {out.first_day} to {out.last_day}: {total:,} views in all")
    return out


def _audience(sheet: Sheet, out: Parsed) -> None:
    """Table data by geography, viewer age or viewer gender: views (a count) or "Views (%)"
    (a percentage, 0-100) per value; the "Total" row is left out."""
    keep = [i for i, r in enumerate(sheet.rows) if norm(r[0] if r else "") != "total"]
    out.skipped["the 'Total' row"] += len(sheet.rows) - len(keep)
    sub = sheet.subset(keep)
    dimension = AUDIENCE[norm(sheet.header[0])]
    out.audience = breakdown(sub, dimension, count_col=sub.col("views"),
                             share_col=sub.col("views (%)"), share_scale=100)
    out.rows_used = len(out.audience)
    out.notes.append(f"{dimension}: stored as an audience breakdown, as of the day the counts "
                     "were observed (the file has no date)")


def _table(sheet: Sheet, ctx: Context, out: Parsed) -> None:
    cidx = sheet.col("content", required=True) or 0
    keep: list[int] = []
    total_row: list[object] | None = None
    for i, r in enumerate(sheet.rows):
        vid = str(r[cidx] if cidx < len(r) else "").strip()
        if vid.lower() == "total":
            total_row = r
            out.skipped["the 'Total' row"] += 1
        elif not vid:
            out.skipped["no video id"] += 1
        else:
            keep.append(i)
    sub = sheet.subset(keep)
    ids = [str(sub.rows[i][cidx]).strip() for i in range(len(keep))]
    pidx = sub.col("video publish time")
    local: list[date | None] = []
    for i, v in enumerate(sub.values(pidx)):
        if v in (None, ""):
            local.append(None)
            continue
        local.append(read_time(v, ctx.today, sub.name, sub.row_number(i), "Video publish time",
                               "a date like 'Aug 28, 2025'")[0].date())
    counters: dict[str, pa.Array] = {}
    for counter, names in COUNTERS.items():
        idx = sub.col(*names)
        if idx is not None:
            counters[counter] = int_column(sub, idx)
    parts = [counters[k] for k in ("likes", "comments", "shares") if k in counters]
    if parts:
        counters["engagements"] = sum_columns(parts)
    out.posts = pa.table({
        "post_id": pa.array(ids, pa.string()),
        "local_date": pa.array(local, pa.date32()),
        "published_at": pa.nulls(len(ids), pa.timestamp("us", tz="UTC")),
        "post_type": pa.array(["video"] * len(ids), pa.string()),
        "text": pa.array(sub.values(sub.col("video title")), pa.string()),
        "url": pa.array([_YOUTUBE.post_link("", v) for v in ids], pa.string()),
    })
    out.snapshots = pa.table({"post_id": pa.array(ids, pa.string()), **counters})
    out.rows_used = len(ids)
    known = [d for d in local if d]
    if known:
        out.first_day = min(known)
    if total_row is not None and "video_views" in counters:
        vidx = sub.col("views")
        try:
            stated = parse_number(total_row[vidx]) if vidx is not None else None
        except ValueError:
            stated = None
        got = sum(v for v in counters["video_views"].to_pylist() if v is not None)
        if stated is not None and round(stated) != got:
            out.warnings.append(f"the 'Total' row says {round(stated):,} views but the videos "
                                f"add up to {got:,} (the table leaves out some videos, e.g. "
                                "deleted ones)")
    unused = [h for h in sub.header if norm(h) not in {
        "content", "video title", "video publish time", "duration",
        *[n for names in COUNTERS.values() for n in names]}]
    if unused:
        out.notes.append("columns not stored: " + ", ".join(unused))
