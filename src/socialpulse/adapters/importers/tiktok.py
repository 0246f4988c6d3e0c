"""TikTok Studio CSV exports (Overview, Content, Viewers, Follower*).

Quirks (all real): UTF-8 BOM, every field quoted, "undefined" for unknown values, and dates
without a year ("February 28"). The year comes from ``--year`` (the year of the file's last
row) or else from the import date (the latest such day not after it); each file says which it
used. Content rows carry the video link, whose numeric id encodes the publication instant
(the top 32 bits are Unix seconds), so posts get an exact UTC time and their year for free.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pyarrow as pa

from socialpulse.domain.models import Network

from .audience import breakdown
from .base import (
    TS,
    Context,
    Parsed,
    Sheet,
    add_posts,
    assign_years,
    check_day,
    cover_days,
    end_of_day,
    fail,
    int_column,
    latest_year_not_after,
    month_day,
    norm,
    sum_columns,
)
from .csv_table import open_csv_table
from .source import Source

#: kind -> the header cells that identify it.
KINDS: dict[str, tuple[str, ...]] = {
    "content": ("video link", "post time", "total views"),
    "overview": ("date", "video views", "profile views"),
    "viewers": ("date", "total viewers", "new viewers"),
    "follower-history": ("date", "followers", "difference in followers from previous day"),
    "follower-activity": ("date", "hour", "active followers"),
    "follower-gender": ("gender", "distribution"),
    "follower-territories": ("top territories", "distribution"),
}
NOT_STORED = {
    "viewers": "viewer counts",
    "follower-activity": "hourly follower activity",
}
#: breakdown kind -> the audience dimension it holds
AUDIENCE = {"follower-gender": "followers by gender",
            "follower-territories": "followers by territory"}
_VIDEO = re.compile(r"tiktok\.com/@([^/?#]+)/(?:video|photo)/(\d{6,25})")


def _kind(header: list[str]) -> str | None:
    cells = {norm(c) for c in header}
    for kind, needles in KINDS.items():
        if all(n in cells for n in needles):
            return kind
    return None


def detect(src: Source) -> bool:
    return _kind(src.header[:12]) is not None


def _month_days(sheet: Sheet, idx: int, like: str) -> list[tuple[int, int]]:
    """(month, day) of each cell of a yearless date column, in file order; ``like`` is a day
    as that column writes it, so the error for a bad cell shows the expected style."""
    md = []
    for i, v in enumerate(sheet.values(idx)):
        try:
            md.append(month_day(str(v or "")))
        except ValueError:
            raise fail(sheet.name, f"expected a day like '{like}', found {str(v)[:40]!r}",
                       sheet.row_number(i), sheet.header[idx]) from None
    return md


def _year_dates(sheet: Sheet, idx: int, ctx: Context, out: Parsed) -> list[date]:
    """Dates of a yearless column, in file order."""
    md = _month_days(sheet, idx, "February 28")
    if not md:
        return []
    m, d = md[-1]
    if ctx.year is not None:
        year, origin = ctx.year, "--year"
    else:
        year = latest_year_not_after(m, d, ctx.today)
        origin = f"the import date {ctx.today} (pass --year to change it)"
    try:
        days = assign_years(md, year)
    except ValueError:
        raise fail(sheet.name, f"day {m}/{d} does not exist in {year} (--year?)") from None
    for i, day in enumerate(days):
        check_day(day, ctx.today, sheet.name, sheet.row_number(i), sheet.header[idx])
    out.notes.append(f"dates have no year: the last row ({days[-1]:%B} {days[-1].day}) is taken "
                     f"as {days[-1].year}, from {origin}")
    return days


def parse(src: Source, ctx: Context) -> Parsed:
    kind, sheet, out = open_csv_table(src, ctx, _kind, "TikTok Studio", "tiktok", Network.TIKTOK)
    if kind == "content":
        _content(sheet, ctx, out)
    elif kind in ("overview", "follower-history"):
        days = _year_dates(sheet, sheet.col("date", required=True) or 0, ctx, out)
        cols: dict[str, pa.Array] = {"date": pa.array(days, pa.date32())}
        if kind == "overview":
            cols["profile_views"] = int_column(sheet, sheet.col("profile views"))
            cols.update(_engagement_counters(sheet, "video views", "likes", "comments",
                                             "shares", signed=True))
            out.notes.append("daily video views, likes, comments and shares are stored as "
                             "account totals (net: a day with more comments deleted than "
                             "written counts below zero); metrics use them only while the "
                             "account has no per-video data (a Content export)")
        else:
            cols["followers"] = int_column(sheet, sheet.col("followers"))
            unknown = cols["followers"].null_count
            if unknown:
                out.notes.append(f"{unknown} days have 'undefined' followers: kept empty, not 0")
        out.daily = pa.table(cols)
        out.rows_used = len(days)
        cover_days(out, days, ctx.tz)  # ascending (assign_years): first and last rows
    elif kind in AUDIENCE:
        out.audience = breakdown(sheet, AUDIENCE[kind], share_col=sheet.col("distribution"))
        out.rows_used = len(out.audience)
        out.notes.append(f"{AUDIENCE[kind]}: shares of the followers, as of the day the "
                         "counts were observed (the file has no date)")
    else:
        # validated (numbers, shape) but socialpulse has no dataset for them
        _check_numbers(sheet)
        out.skipped[f"{NOT_STORED[kind]} (no socialpulse dataset holds it)"] = len(sheet.rows)
    return out


def _content(sheet: Sheet, ctx: Context, out: Parsed) -> None:
    link_i = sheet.col("video link", required=True)
    links = sheet.values(link_i)
    post_i = sheet.col("post time", required=True) or 0
    post_md = _month_days(sheet, post_i, "July 16")
    handles: list[str | None] = []
    ids: list[str] = []
    published: list[datetime | None] = []
    local: list[date | None] = []
    for i, link in enumerate(links):
        m = _VIDEO.search(str(link or ""))
        if not m:
            raise fail(sheet.name, f"expected a video link, found {str(link)[:60]!r}",
                       sheet.row_number(i), sheet.header[link_i or 0])
        handles.append(m.group(1))
        ids.append(m.group(2))
        at = _id_time(m.group(2))
        pm, pd = post_md[i]
        ok = at is not None and any((at + timedelta(days=k)).month == pm
                                    and (at + timedelta(days=k)).day == pd for k in (-1, 0, 1))
        row, post_time = sheet.row_number(i), sheet.header[post_i]
        if at is not None and ok:
            check_day(at, ctx.today, sheet.name, row, post_time)
            published.append(at)
            local.append(None)
        else:  # not a time-coded id: fall back to the day shown, year from context
            year = ctx.year or latest_year_not_after(pm, pd, ctx.today)
            try:
                shown = date(year, pm, pd)
            except ValueError:
                raise fail(sheet.name, f"day {pm}/{pd} does not exist in {year} (--year?)",
                           row, post_time) from None
            check_day(shown, ctx.today, sheet.name, row, post_time)
            published.append(None)
            local.append(shown)
            out.warnings.append(f"row {sheet.row_number(i)}: the video id does not encode its "
                                f"day; used {local[-1]} from 'Post time'")
    counters = _engagement_counters(sheet, "total views", "total likes", "total comments",
                                    "total shares")
    add_posts(out, ids, handles, {
        "published_at": pa.array(published, TS),
        "local_date": pa.array(local, pa.date32()),
        "post_type": pa.array(["video"] * len(ids), pa.string()),
        "text": pa.array([t or None for t in sheet.values(sheet.col("video title"))],
                         pa.string()),
        "url": pa.array(links, pa.string()),
    }, counters, "the video links")
    _export_day(sheet, ctx, out, published)


def _export_day(sheet: Sheet, ctx: Context, out: Parsed,
                published: list[datetime | None]) -> None:
    """The "Time" column: the day the export was taken, the snapshot's observation day (its
    year from --year or the newest post, as shown days have none)."""
    t_i = sheet.col("time", "date")
    if t_i is not None and sheet.rows:
        try:
            mon, day = month_day(str(sheet.rows[0][t_i]))
        except ValueError:
            return
        newest = max((p.date() for p in published if p), default=None)
        year = ctx.year or latest_year_not_after(mon, day, ctx.today)
        try:
            if newest is not None and date(year, mon, day) < newest - timedelta(days=1):
                year += 1
            obs = date(year, mon, day)
        except ValueError:
            raise fail(sheet.name, f"day {mon}/{day} does not exist in {year} (--year?)",
                       sheet.row_number(0), sheet.header[t_i]) from None
        check_day(obs, ctx.today, sheet.name, sheet.row_number(0), sheet.header[t_i])
        out.observed_at = end_of_day(obs, ctx.tz)
        out.observed_origin = f"the export day in 'Time', {obs}"
        out.last_day = obs


def _id_time(video_id: str) -> datetime | None:
    """The creation time TikTok encodes in a video id's upper bits, or None when the id is
    too large to be one (a corrupt or foreign id)."""
    try:
        return datetime.fromtimestamp(int(video_id) >> 32, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _engagement_counters(sheet: Sheet, views: str, likes: str, comments: str, shares: str,
                         signed: bool = False) -> dict[str, pa.Array]:
    """Views, likes, comments, shares and TikTok's engagements (likes + comments + shares),
    the same for a video (Content) and for an account's day (Overview, whose days are net
    changes: ``signed``)."""
    counters = {
        name: int_column(sheet, sheet.col(column), signed=signed)
        for name, column in (("likes", likes), ("comments", comments), ("shares", shares),
                             ("video_views", views))
    }
    counters["engagements"] = sum_columns([counters["likes"], counters["comments"],
                                           counters["shares"]])
    return counters


def _check_numbers(sheet: Sheet) -> None:
    """Breakdown files are not stored, but a broken one still gets a clear error."""
    from .base import parse_number

    for j in range(1, len(sheet.header)):
        for i, v in enumerate(sheet.values(j)):
            try:
                parse_number(v)
            except ValueError:
                raise fail(sheet.name, f"expected a number, found {str(v)[:40]!r}",
                           sheet.row_number(i), sheet.header[j]) from None
