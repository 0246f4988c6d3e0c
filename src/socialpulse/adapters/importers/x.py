"""X (Twitter) Analytics exports: tweet-level CSV and daily account CSV.

Tweet-level files can be large (a heavy account over years), so they are parsed columnar with
pyarrow; when pyarrow rejects a file, the row-by-row reader parses it again to name the exact
row and column (or to succeed where pyarrow's type inference was too strict).
"""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, date, datetime, time, timedelta

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.models import Network
from socialpulse.domain.periods import EARLIEST, latest_data_day

from .base import (
    MAX_COUNT,
    NULL_TOKENS,
    TS,
    Context,
    Parsed,
    check_day,
    cover_days,
    date_column,
    end_of_day,
    fail,
    int_column,
    norm,
    read_time,
    repeated_column,
)
from .readers import header_at, make_sheet
from .source import Source

#: socialpulse counter <- X column(s); older exports call likes "favorites".
TWEET_COUNTERS: dict[str, tuple[str, ...]] = {
    "impressions": ("impressions",),
    "engagements": ("engagements",),
    "likes": ("likes", "favorites"),
    "comments": ("replies",),
    "shares": ("retweets",),
    "clicks": ("url clicks",),
    "video_views": ("media views",),
}
REQUIRED_TWEET = ("Tweet id", "time", "impressions", "engagements")
_NAME = re.compile(r"(?:daily_)?tweet_activity_metrics_(?P<handle>.+?)_(?P<start>\d{8})_"
                   r"(?P<end>\d{8})(?:_[a-z]{2,5})?$", re.I)
_PERMALINK = r"^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(?P<handle>[^/]+)/status"


def is_tweets(src: Source) -> bool:
    h = {c.lower() for c in src.header}
    return "tweet id" in h and "time" in h and "impressions" in h


def is_daily(src: Source) -> bool:
    h = {c.lower() for c in src.header}
    return "date" in h and "tweets published" in h and "impressions" in h


def _name_range(src: Source, ctx: Context) -> tuple[str | None, date | None, date | None]:
    """Handle and days covered, from the name X gives its exports; days outside the plausible
    range are refused like any date in the file (they would set the observation time)."""
    m = _NAME.match(src.stem)
    if not m:
        return None, None, None
    try:
        start = datetime.strptime(m["start"], "%Y%m%d").date()
        end = datetime.strptime(m["end"], "%Y%m%d").date()
    except ValueError:
        return m["handle"], None, None
    for day in (start, end):
        check_day(day, ctx.today, f"{src.name} (its name)", None, None)
    return m["handle"], start, end - timedelta(days=1)  # the name's end is exclusive


def parse_tweets(src: Source, ctx: Context) -> Parsed:
    out = Parsed(src.name, "x-tweets", Network.X)
    try:
        raw = _read_fast(src, ctx)
        posts, snaps, handles = _map_fast(raw, src, ctx)
    except (pa.ArrowInvalid, _Fallback):
        posts, snaps, handles = _map_slow(src, ctx)
    out.rows_read = out.rows_used = len(posts)
    _finish(out, src, ctx, posts, snaps, handles)
    return out


class _Fallback(Exception):
    pass


def _read_fast(src: Source, ctx: Context) -> pa.Table:
    header = [c.lower() for c in src.head_rows[0]]
    likes = "likes" if "likes" in header else "favorites"
    wanted = ["tweet id", "tweet permalink", "tweet text", "time", "impressions", "engagements",
              "retweets", "replies", likes, "url clicks", "media views", "promoted impressions"]
    present = [c for c in src.head_rows[0] if c.lower() in wanted]
    for c in present:
        at = [i for i, h in enumerate(src.head_rows[0]) if norm(h) == norm(c)]
        if len(at) > 1:
            raise repeated_column(src.name, c, at)
    if not all(r.lower() in header for r in [x.lower() for x in REQUIRED_TWEET]):
        raise _Fallback()
    types = {c: (pa.string() if c.lower() in ("tweet id", "tweet permalink", "tweet text", "time")
                 else pa.float64()) for c in present}
    return pcsv.read_csv(
        io.BytesIO(src.arrow_input),
        read_options=pcsv.ReadOptions(block_size=16 << 20),
        parse_options=pcsv.ParseOptions(newlines_in_values=True),
        convert_options=pcsv.ConvertOptions(
            include_columns=present, column_types=types,
            null_values=sorted(NULL_TOKENS), strings_can_be_null=False,
            quoted_strings_can_be_null=True,
        ),
    )


def _col(t: pa.Table, name: str) -> pa.ChunkedArray | None:
    for c in t.column_names:
        if c.lower() == name:
            return t[c]
    return None


def _counts(a: pa.ChunkedArray) -> pa.Array:
    a = a.combine_chunks()
    ok = pc.and_kleene(pc.and_kleene(pc.greater_equal(a, 0), pc.less_equal(a, MAX_COUNT)),
                       pc.equal(pc.floor(a), a))
    if pc.any(pc.invert(pc.fill_null(ok, True))).as_py():
        raise _Fallback()  # the row-by-row reader names the bad cell
    return pc.cast(a, pa.int64())


def _plausible_days(times: pa.ChunkedArray, published: pa.ChunkedArray, ctx: Context) -> bool:
    """Every time names a real day (pyarrow rolls 2021-02-30 over to March 2) within the
    plausible range; when not, the row-by-row reader names the row."""
    try:  # the day as written (YYYY-MM-DD...): a byte slice, ten times cheaper than text's
        day = pc.cast(pc.binary_slice(times.cast(pa.binary()), 8, 10).cast(pa.string()),
                      pa.int8())
    except pa.ArrowInvalid:
        return False
    late = pc.filter(times, pc.greater(day, 28))  # only days 29-31 can be rolled over
    for text in late.to_pylist():
        try:
            date.fromisoformat(text[:10])
        except ValueError:
            return False
    # compared as Arrow values: year 0 has no Python date, so .as_py() would crash on it
    first = datetime.combine(EARLIEST, time.min, UTC)
    after = datetime.combine(latest_data_day(ctx.today) + timedelta(days=1), time.min, UTC)
    inside = pc.and_(pc.greater_equal(published, pa.scalar(first, TS)),
                     pc.less(published, pa.scalar(after, TS)))
    return bool(pc.all(inside).as_py())


def _empty_null(a: pa.ChunkedArray | None, n: int) -> pa.Array:
    """Text as written; an empty cell is null (no text), any other value is kept."""
    if a is None:
        return pa.nulls(n, pa.string())
    a = a.combine_chunks()
    return pc.if_else(pc.equal(a, ""), pa.scalar(None, pa.string()), a)


def _map_fast(t: pa.Table, src: Source, ctx: Context) -> tuple[pa.Table, pa.Table, pa.Array]:
    ids = _col(t, "tweet id")
    times = _col(t, "time")
    if ids is None or times is None:
        raise _Fallback()
    if not pc.all(pc.match_substring_regex(ids, r"^\d+$")).as_py():
        raise _Fallback()  # the row-by-row reader names the bad row
    for c in t.column_names:
        if t.schema.field(c).type == pa.string():
            lens = pc.max(pc.binary_length(t[c])).as_py()
            if lens is not None and lens > ctx.limits.max_cell_bytes:
                raise _Fallback()
    try:
        published = pc.strptime(times, format="%Y-%m-%d %H:%M %z", unit="us")
    except pa.ArrowInvalid:
        raise _Fallback() from None
    if pc.any(pc.is_null(published)).as_py() or not _plausible_days(times, published, ctx):
        raise _Fallback()
    link = _col(t, "tweet permalink")
    handles = (pc.struct_field(pc.extract_regex(link, _PERMALINK), [0]) if link is not None
               else pa.nulls(len(t), pa.string()))
    posts = pa.table({
        "handle": handles,
        "post_id": ids,
        "published_at": published.cast(TS),
        "text": _empty_null(_col(t, "tweet text"), len(t)),
        "url": _empty_null(link, len(t)),
    })
    snaps = {"handle": handles, "post_id": ids}
    for counter, names in TWEET_COUNTERS.items():
        for n in names:
            c = _col(t, n)
            if c is not None:
                snaps[counter] = _counts(c)
                break
    promoted = _col(t, "promoted impressions")
    if promoted is not None and pc.any(pc.is_valid(promoted)).as_py():
        src_promoted = int(pc.sum(pc.is_valid(promoted).cast(pa.int64())).as_py())
        posts = posts.replace_schema_metadata({"promoted": str(src_promoted)})
    return posts, pa.table(snaps), handles


def _map_slow(src: Source, ctx: Context) -> tuple[pa.Table, pa.Table, pa.Array]:
    rows = src.rows
    if not rows:
        raise fail(src.name, "file is empty")
    sheet = make_sheet(src.name, rows, header_at(rows, src.name, ("Tweet id",)), ctx.limits)
    for required in REQUIRED_TWEET:
        sheet.col(required, required=True)
    width = len(sheet.header)
    for i, r in enumerate(sheet.rows):
        if len(r) != width:
            raise fail(src.name, f"expected {width} columns, found {len(r)} (truncated or "
                       "not an X export?)", sheet.row_number(i))
    ids = sheet.values(sheet.col("Tweet id"))
    for i, v in enumerate(ids):
        if not str(v or "").strip().isdigit():
            raise fail(src.name, f"expected a tweet id, found {str(v)[:40]!r}",
                       sheet.row_number(i), "Tweet id")
    published = []
    for i, v in enumerate(sheet.values(sheet.col("time"))):
        dt, _ = read_time(v, ctx.today, src.name, sheet.row_number(i), "time",
                          "a time like '2021-11-30 16:00 +0000'")
        if dt.tzinfo is None:
            raise fail(src.name, "time has no UTC offset", sheet.row_number(i), "time")
        published.append(dt)
    links = sheet.values(sheet.col("Tweet permalink"))
    handles = pa.array([(m.group(1) if (m := re.match(_PERMALINK, str(x or ""))) else None)
                        for x in links], pa.string())
    posts = pa.table({
        "handle": handles,
        "post_id": pa.array([str(v).strip() for v in ids], pa.string()),
        "published_at": pa.array(published, TS),
        "text": pa.array([v or None for v in sheet.values(sheet.col("Tweet text"))],
                         pa.string()),
        "url": pa.array([x or None for x in links], pa.string()),
    })
    snaps: dict[str, pa.Array] = {"handle": handles, "post_id": posts["post_id"].combine_chunks()}
    for counter, names in TWEET_COUNTERS.items():
        idx = sheet.col(*names)
        if idx is not None:
            snaps[counter] = int_column(sheet, idx)
    pidx = sheet.col("promoted impressions")
    if pidx is not None:
        n = sum(1 for v in sheet.values(pidx) if str(v or "").strip().lower() not in NULL_TOKENS)
        if n:
            posts = posts.replace_schema_metadata({"promoted": str(n)})
    return posts, pa.table(snaps), handles


def _finish(out: Parsed, src: Source, ctx: Context, posts: pa.Table, snaps: pa.Table,
            handles: pa.Array) -> None:
    name_handle, start, end = _name_range(src, ctx)
    found = [h for h in pc.unique(pc.drop_null(handles)).to_pylist() if h]
    if found:
        out.handle, out.handle_origin = found[0], "the tweet permalinks"
    elif name_handle:
        out.handle, out.handle_origin = name_handle, "the file name"
    if len(posts):
        first = pc.min(posts["published_at"]).as_py()
        last = pc.max(posts["published_at"]).as_py()
    else:
        first = last = None
    if end is not None:
        out.first_day, out.last_day = start, end
        out.observed_at = end_of_day(end, ctx.tz)
        out.observed_origin = f"the export's last day {end}, from the file name"
    elif last is not None:
        out.first_day, out.last_day = first.date(), last.date()
    promoted = (posts.schema.metadata or {}).get(b"promoted")
    if promoted:
        out.warnings.append(f"{int(promoted)} tweets were promoted: socialpulse stores the organic "
                            "columns; promoted ones are not added to them")
    snaps = snaps.drop_columns(["handle"]) if "handle" not in snaps.column_names else snaps
    out.posts = _decoded_text(posts.replace_schema_metadata(None))
    out.snapshots = snaps


def _decoded_text(posts: pa.Table) -> pa.Table:
    """Tweet text as X shows it: the export writes HTML entities (``&amp;``, ``&lt;``,
    ``&gt;``), and storing them would show "&amp;" on every page and in every report."""
    i = posts.schema.get_field_index("text")
    text = posts["text"].combine_chunks()
    # only the tweets with an "&" go through Python (a 1M-row export: ~0.3 s less on 2 cores)
    has = pc.fill_null(pc.match_substring(text, "&"), False)
    if not pc.any(has).as_py():
        return posts
    decoded = [html.unescape(t) for t in text.filter(has).to_pylist()]
    return posts.set_column(i, "text", pc.replace_with_mask(text, has,
                                                            pa.array(decoded, text.type)))


def parse_daily(src: Source, ctx: Context) -> Parsed:
    out = Parsed(src.name, "x-daily", Network.X)
    rows = src.rows
    sheet = make_sheet(src.name, rows, header_at(rows, src.name, ("Date", "impressions")),
                       ctx.limits)
    days = date_column(sheet, sheet.col("Date", required=True) or 0, ctx.today)
    cols: dict[str, pa.Array] = {"date": pa.array(days, pa.date32())}
    pv = sheet.col("user profile clicks")
    if pv is not None:
        cols["profile_views"] = int_column(sheet, pv)
    for target, name in (("ad_impressions", "promoted impressions"),
                         ("ad_clicks", "promoted url clicks")):
        idx = sheet.col(name)
        if idx is not None:
            cols[target] = int_column(sheet, idx)
    out.daily = pa.table(cols)
    out.rows_read = out.rows_used = len(days)
    name_handle, start, end = _name_range(src, ctx)
    if name_handle:
        out.handle, out.handle_origin = name_handle, "the file name"
    cover_days(out, days, ctx.tz)
    unused = [h for h in ("impressions", "engagements", "retweets", "replies", "likes")
              if sheet.has(h)]
    out.notes.append("daily " + ", ".join(unused) + " are not stored (account_daily has no such "
                     "columns; import the tweet-level export for post metrics)")
    return out


__all__ = ["InvalidInput", "is_daily", "is_tweets", "parse_daily", "parse_tweets"]
