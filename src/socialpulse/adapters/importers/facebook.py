"""Facebook exports: legacy Page Insights "Post data" and "Page data", Meta Business Suite post
CSVs.

Legacy "Post data" comes as SpreadsheetML XML named .xls (an Excel re-save), as XLSX or as
CSV. Its "Key Metrics" sheet has names in row 1 and descriptions in row 2, and some names
appear twice (Unique Users, then Total Count): the description row tells them apart. Likes,
comments and shares live in a breakdown sheet ("Lifetime Post Stories by action type", sheet
names truncated by Excel to 31 characters), clicks and video plays in "Lifetime Post
Consumptions by type". In the CSV form, breakdown columns are named "<metric> - <action>".

Meta Business Suite CSVs (Facebook and Instagram) have no public real sample: we match columns
by name, in any order, and leave any missing one empty.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pyarrow as pa

from socialpulse.domain.models import Network

from .base import (
    TS,
    Context,
    Parsed,
    Sheet,
    add_posts,
    cover_days,
    date_column,
    fail,
    int_column,
    norm,
    read_time,
    sum_columns,
    to_utc,
)
from .readers import header_at, make_sheet
from .source import Source

_PAGE = re.compile(r"facebook\.com/([^/?#]+)/(?:posts|videos|photos)/")
STORIES = "lifetime post stories by action type"
CONSUMPTIONS = "lifetime post consumptions by type"


def _key_rows(src: Source) -> tuple[str, list[list[Any]]] | None:
    if src.kind == "csv":
        return src.stem, src.rows
    if src.kind in ("xls", "xlsx", "spreadsheetml"):
        for name, rows in src.sheets.items():
            if rows and {"post id", "posted", "permalink"} <= {norm(c) for c in rows[0]}:
                return name, rows
    return None


def is_legacy(src: Source) -> bool:
    if src.kind == "csv":
        h = {norm(c) for c in src.head_rows[0]} if src.head_rows else set()
        return {"post id", "posted", "lifetime post total reach"} <= h
    if src.kind in ("xls", "xlsx", "spreadsheetml"):
        return _key_rows(src) is not None
    return False


def _total_count(sheet: Sheet, name: str) -> int | None:
    """The column called ``name`` whose description says (Total Count), else the first."""
    idxs = [i for i, h in enumerate(sheet.header) if norm(h) == norm(name)]
    for i in idxs:
        if i < len(sheet.descriptions) and "total count" in sheet.descriptions[i].lower():
            return i
    return idxs[0] if idxs else None


def _breakdown(src: Source, ctx: Context, prefix: str) -> dict[str, dict[str, int | None]]:
    """post id -> {action: total count} from a breakdown sheet (Total Count variant)."""
    if src.kind == "csv":
        return {}
    out: dict[str, dict[str, int | None]] = {}
    for name, rows in src.sheets.items():
        if not norm(name).startswith(prefix[:25]) or not rows:
            continue
        sheet = make_sheet(f"{src.name} [{name}]", rows, header_at(rows, src.name, ("Post ID",)),
                           ctx.limits)
        pid = sheet.col("post id", required=True)
        actions = [i for i, h in enumerate(sheet.header)
                   if norm(h) not in {"description", "post id", "permalink", "post message",
                                      "type", "countries", "languages", "posted",
                                      "audience targeting"}]
        arrays = {sheet.header[i]: int_column(sheet, i).to_pylist() for i in actions}
        for r, post in enumerate(sheet.values(pid)):
            if post:
                out[str(post)] = {norm(a): v[r] for a, v in arrays.items()}
        break
    return out


def _with_post_id(sheet: Sheet, pid: int | None, out: Parsed) -> tuple[Sheet, list[str]]:
    """The rows that name a post, and their ids. Posts are keyed by Post ID, so a row without
    one cannot be stored: it is counted as skipped rather than failing the file."""
    keep = [i for i, v in enumerate(sheet.values(pid)) if str(v or "").strip()]
    if len(keep) < len(sheet.rows):
        out.skipped["row without a Post ID"] = len(sheet.rows) - len(keep)
    sub = sheet.subset(keep)
    return sub, [str(v).strip() for v in sub.values(pid)]


def _local_times(sheet: Sheet, idx: int, column: str, ctx: Context) -> list[datetime]:
    """A column of times as UTC instants, reading them in the source's zone: both Facebook
    exports write local times without an offset. ``column`` is the name the error gives the
    column."""
    tz = ctx.source_tz or ctx.tz
    return [to_utc(read_time(v, ctx.today, sheet.name, sheet.row_number(i), column,
                             "a date and time")[0], tz)
            for i, v in enumerate(sheet.values(idx))]


def parse_legacy(src: Source, ctx: Context) -> Parsed:
    found = _key_rows(src)
    if found is None:
        raise fail(src.name, "no 'Key Metrics' sheet with Post ID, Permalink and Posted")
    sheet_name, rows = found
    label = src.name if src.kind == "csv" else f"{src.name} [{sheet_name}]"
    sheet = make_sheet(label, rows, header_at(rows, label, ("Post ID", "Posted")), ctx.limits,
                       description_row=True)
    out = Parsed(src.name, "facebook-posts", Network.FACEBOOK)
    out.rows_read = len(sheet.rows)
    pid_i = sheet.col("post id", required=True)
    posted_i = sheet.col("posted", required=True) or 0
    sub, ids = _with_post_id(sheet, pid_i, out)
    tz = ctx.source_tz or ctx.tz
    published = _local_times(sub, posted_i, "Posted", ctx)
    out.notes.append(f"'Posted' times have no time zone: read as {tz}"
                     + ("" if ctx.source_tz else " (the workspace's; pass --source-tz to change)"))
    links = sub.values(sub.col("permalink"))
    handles = [(m.group(1) if (m := _PAGE.search(str(x or ""))) else None) for x in links]
    counters = _legacy_counters(src, ctx, sub, ids)
    add_posts(out, ids, handles, {
        "published_at": pa.array(published, TS),
        "post_type": pa.array([str(v).strip().lower() if v else None
                               for v in sub.values(sub.col("type"))], pa.string()),
        "text": pa.array([str(v) if v else None for v in sub.values(sub.col("post message"))],
                         pa.string()),
        "url": pa.array([str(v) if v else None for v in links], pa.string()),
    }, counters, "the post permalinks")
    if published:
        out.first_day, out.last_day = min(published).date(), max(published).date()
    return out


def _legacy_counters(src: Source, ctx: Context, sub: Sheet, ids: list[str]
                     ) -> dict[str, pa.Array]:
    """A legacy export's counters per post: totals from Key Metrics, actions from the
    Lifetime Post Stories / Consumptions breakdowns (their sheets, or the CSV's columns)."""
    stories = _breakdown(src, ctx, STORIES)
    consumptions = _breakdown(src, ctx, CONSUMPTIONS)

    def from_breakdown(table: dict[str, dict[str, int | None]], action: str,
                       csv_prefix: str) -> pa.Array:
        if table:
            return pa.array([table.get(p, {}).get(action) for p in ids], pa.int64())
        col = sub.col(f"{csv_prefix} - {action}")  # CSV form
        if col is None and src.kind != "csv":  # the breakdown sheet exists but the post has
            return pa.array([None] * len(ids), pa.int64())  # no entry: unknown
        return int_column(sub, col)

    counters: dict[str, pa.Array] = {
        "impressions": int_column(sub, sub.col("lifetime post total impressions")),
        "reach": int_column(sub, sub.col("lifetime post total reach")),
        "likes": from_breakdown(stories, "like", STORIES),
        "comments": from_breakdown(stories, "comment", STORIES),
        "shares": from_breakdown(stories, "share", STORIES),
        "clicks": from_breakdown(consumptions, "link clicks", CONSUMPTIONS),
    }
    if stories:  # a post absent from the breakdown had none of those actions
        for k in ("likes", "comments", "shares"):
            counters[k] = pa.array([(v if v is not None else 0) if p in stories else None
                                    for p, v in zip(ids, counters[k].to_pylist(), strict=True)],
                                   pa.int64())
    if consumptions:
        counters["clicks"] = pa.array(
            [(v if v is not None else 0) if p in consumptions else None
             for p, v in zip(ids, counters["clicks"].to_pylist(), strict=True)], pa.int64())
    views = [c for c in (_total_count(sub, "lifetime organic video views"),
                         _total_count(sub, "lifetime paid video views")) if c is not None]
    if views:
        counters["video_views"] = sum_columns([int_column(sub, c) for c in views])
    counters["engagements"] = sum_columns([counters["likes"], counters["comments"],
                                           counters["shares"]])
    return counters


# --- Meta Business Suite ------------------------------------------------------------------------


#: Legacy Page Insights "Page data": lake daily field -> its Key Metrics column. Daily totals
#: of the Page's posts (account totals: used only while the Page has no per-post data) and
#: its page likes, the follower count of a legacy Page.
PAGE_COLUMNS = {"impressions": "daily total impressions", "reach": "daily total reach",
                "video_views": "daily total video views", "followers": "lifetime total likes"}


def _page_rows(src: Source) -> tuple[str, list[list[Any]]] | None:
    """The sheet (or CSV) of a legacy Page data export: Date and Lifetime Total Likes, with
    its daily totals."""
    candidates = ([(src.stem, src.head_rows)] if src.kind == "csv" else
                  list(src.sheets.items()) if src.kind in ("xls", "xlsx", "spreadsheetml")
                  else [])
    for name, rows in candidates:
        cells = {norm(c) for c in rows[0]} if rows else set()
        if {"date", "lifetime total likes"} <= cells and (
                "daily total impressions" in cells or "daily total reach" in cells):
            return name, (src.rows if src.kind == "csv" else rows)
    return None


def is_page(src: Source) -> bool:
    return _page_rows(src) is not None


def parse_page(src: Source, ctx: Context) -> Parsed:
    """Legacy Page Insights "Page data": one row per day (a description row may follow the
    names, as in "Post data")."""
    found = _page_rows(src)
    if found is None:
        raise fail(src.name, "no sheet with Date, Lifetime Total Likes and Daily Total "
                   "Impressions or Reach")
    sheet_name, rows = found
    label = src.name if src.kind == "csv" else f"{src.name} [{sheet_name}]"
    described = len(rows) > 1 and not re.match(r"^\s*\d", str(rows[1][0] or ""))
    sheet = make_sheet(label, rows, 0, ctx.limits, description_row=described)
    out = Parsed(src.name, "facebook-page", Network.FACEBOOK)
    out.rows_read = out.rows_used = len(sheet.rows)
    days = date_column(sheet, sheet.col("date", required=True) or 0, ctx.today, "2019-04-01")
    cols: dict[str, pa.Array] = {"date": pa.array(days, pa.date32())}
    for field, column in PAGE_COLUMNS.items():
        if sheet.has(column):
            cols[field] = int_column(sheet, sheet.col(column))
    out.daily = pa.table(cols)
    cover_days(out, days, ctx.tz)
    out.notes.append("daily total impressions, reach and video views are stored as account "
                     "totals: metrics use them only while the Page has no per-post data (a "
                     "Post data export); Lifetime Total Likes (page likes) as followers")
    return out


def _meta_header(src: Source) -> set[str]:
    return {norm(c) for c in src.head_rows[0]} if src.head_rows else set()


def is_meta_facebook(src: Source) -> bool:
    h = _meta_header(src)
    return {"post id", "publish time"} <= h and ("page id" in h or "page name" in h)


def is_meta_instagram(src: Source) -> bool:
    h = _meta_header(src)
    return {"post id", "publish time"} <= h and ("account username" in h or "account id" in h)


def parse_meta(src: Source, ctx: Context) -> Parsed:
    instagram = is_meta_instagram(src)
    network = Network.INSTAGRAM if instagram else Network.FACEBOOK
    rows = src.rows
    sheet = make_sheet(src.name, rows, header_at(rows, src.name, ("Post ID", "Publish time")),
                       ctx.limits)
    out = Parsed(src.name, "meta-instagram" if instagram else "meta-facebook", network)
    out.rows_read = len(sheet.rows)
    pid = sheet.col("post id", required=True)
    sub, ids = _with_post_id(sheet, pid, out)
    tz = ctx.source_tz or ctx.tz
    t_i = sub.col("publish time", required=True) or 0
    published = _local_times(sub, t_i, sub.header[t_i], ctx)
    out.notes.append(f"'Publish time' has no time zone: read as {tz}"
                     + ("" if ctx.source_tz else " (the workspace's; pass --source-tz to change)"))
    handle_i = sub.col("account username", "page name")
    handles = [str(v).strip() if v else None for v in sub.values(handle_i)]

    def col(*names: str) -> pa.Array | None:
        i = sub.col(*names)
        return int_column(sub, i) if i is not None else None

    counters: dict[str, pa.Array] = {}
    for key, names in {
        "impressions": ("impressions", "views"),
        "reach": ("reach",),
        "likes": ("likes", "reactions"),
        "comments": ("comments",),
        "shares": ("shares",),
        "saves": ("saves",),
        "clicks": ("link clicks", "total clicks"),
        "video_views": ("3-second video views", "plays"),
    }.items():
        a = col(*names)
        if a is not None:
            counters[key] = a
    total = col("reactions, comments and shares")
    if total is not None and not instagram:
        counters["engagements"] = total
    else:
        parts = [counters[k] for k in ("likes", "comments", "shares", "saves") if k in counters]
        if parts:
            counters["engagements"] = sum_columns(parts)
    if sub.col("impressions") is None and sub.col("views") is not None:
        out.notes.append("'Views' (Meta's successor of impressions) is stored as impressions")
    link_i = sub.col("permalink")
    type_i = sub.col("post type")
    text_i = sub.col("description", "title")
    add_posts(out, ids, handles, {
        "published_at": pa.array(published, TS),
        "post_type": pa.array([str(v).strip().lower() if v else None
                               for v in sub.values(type_i)], pa.string()),
        "text": pa.array([str(v) if v else None for v in sub.values(text_i)], pa.string()),
        "url": pa.array([str(v) if v else None for v in sub.values(link_i)], pa.string()),
    }, counters, "the 'Account username'/'Page name' column")
    if published:
        out.first_day, out.last_day = min(published).date(), max(published).date()
    return out
