"""Google Analytics 4 "Traffic acquisition" CSV exports: what social brings to the website.

GA4 writes its report downloads with comment lines first (``# ----``, ``# Traffic
acquisition: Session source / medium``, ``# Start date: 20240101``, ``# End date: 20240131``),
then a table with one row per source (``Session source / medium``: ``l.facebook.com /
referral``), optionally per day (a ``Date`` column, ``20240101``), and the columns Sessions,
Engaged sessions, Key events (named Conversions before 2024) and Total revenue.

Rows whose source is a social network (:data:`SOCIAL_SOURCES`, documented in
docs/importers.md) are added up per network and day into the daily account fields
``social_sessions``, ``bounced_sessions`` (sessions - engaged sessions: GA4's bounce rate is
the share of sessions that were not engaged), ``conversions`` (key events) and ``revenue``;
the rows carry their network, so the import gives each network's figures to the workspace's
account on it. Other sources are counted as skipped. Without a Date column the figures are
the file's whole range, stored on its end date (a note says so).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, datetime

import pyarrow as pa

from socialpulse.domain.platforms import PLATFORMS, Network

from .base import Context, Parsed, Sheet, cover_days, fail, norm, parse_number
from .readers import make_sheet
from .source import Source

#: Source names (the part before " / " in source / medium, lowercased, without "www.") that
#: identify each network. Mastodon has many servers: any source containing "mastodon".
SOCIAL_SOURCES: dict[Network, tuple[str, ...]] = {
    n: p.traffic_sources for n, p in PLATFORMS.items() if p.traffic_sources}
_BY_SOURCE = {s: n for n, sources in SOCIAL_SOURCES.items() for s in sources}
#: The source columns GA4 offers for traffic reports (the first found is used).
SOURCE_COLUMNS = ("session source / medium", "session source", "first user source / medium",
                  "first user source", "source / medium", "source")
#: lake daily field -> the GA4 columns that hold it (the first found is used)
MEASURES = {"social_sessions": ("sessions",), "conversions": ("key events", "conversions"),
            "revenue": ("total revenue", "purchase revenue")}


def network_of(source: str) -> Network | None:
    """The social network a GA4 source names, or None for any other source."""
    s = source.split(" / ")[0].strip().lower().removeprefix("www.")
    if "mastodon" in s:
        return Network.MASTODON
    return _BY_SOURCE.get(s)


def _header_index(rows: list[list[str]]) -> int | None:
    """The first row that is not a comment or blank: GA4's table header."""
    for i, r in enumerate(rows):
        first = (r[0] if r else "").strip()
        if first.startswith("#") or not any(c.strip() for c in r):
            continue
        return i
    return None


def _is_table_header(cells: list[str]) -> bool:
    names = [norm(c) for c in cells]
    return "sessions" in names and any(c in SOURCE_COLUMNS for c in names)


def detect(src: Source) -> bool:
    if src.kind != "csv":
        return False
    head = src.data[:16384].decode("utf-8", "replace").lstrip("\ufeff")
    lines = [ln for ln in head.splitlines() if ln.strip()]
    if not lines or not lines[0].lstrip().startswith("#"):
        return False  # GA4 downloads always start with their comment block
    rows = list(csv.reader(io.StringIO("\n".join(lines[:40]))))
    hi = _header_index(rows)
    return hi is not None and _is_table_header(rows[hi])


def _comment_day(rows: list[list[str]], label: str, name: str) -> date | None:
    for r in rows:
        text = ",".join(r).lstrip("#").strip()
        if text.lower().startswith(label.lower() + ":"):
            value = text.split(":", 1)[1].strip()
            try:
                return datetime.strptime(value, "%Y%m%d").date()
            except ValueError:
                raise fail(name, f"'# {label}:' should be a day like 20240131, found "
                           f"{value[:20]!r}") from None
    return None


def parse(src: Source, ctx: Context) -> Parsed:
    rows = src.rows
    hi = _header_index(rows)
    if hi is None or not _is_table_header(rows[hi]):
        raise fail(src.name, "not a GA4 traffic acquisition export (no table with a source "
                   "column and Sessions after the comment lines)")
    sheet = make_sheet(src.name, rows, hi, ctx.limits)
    source_i = sheet.col(*SOURCE_COLUMNS, required=True)
    date_i = sheet.col("date")
    cols = {field: sheet.col(*names) for field, names in MEASURES.items()}
    engaged_i = sheet.col("engaged sessions")
    start, end = (_comment_day(rows[:hi], label, src.name) for label in ("Start date",
                                                                         "End date"))
    if date_i is None and end is None:
        raise fail(src.name, "no Date column and no '# End date:' line: cannot tell which "
                   "days the figures describe")
    out = Parsed(src.name, "ga4", Network.FACEBOOK)  # each row's network decides (below)
    out.rows_read = len(sheet.rows)
    totals: dict[tuple[str, date], dict[str, float]] = defaultdict(dict)
    seen: dict[tuple[str, date], set[str]] = defaultdict(set)
    for i, r in enumerate(sheet.rows):
        source = str(r[source_i] if source_i is not None and source_i < len(r) else "").strip()
        network = network_of(source)
        if network is None:
            out.skipped["rows from sources that are not social networks"] += 1
            continue
        day = _row_day(sheet, i, date_i) if date_i is not None else end
        assert day is not None
        key = (network.value, day)
        values = {f: _count(sheet, i, c, f == "revenue") for f, c in cols.items()}
        for f, v in values.items():
            if v is not None:
                totals[key][f] = totals[key].get(f, 0) + v
                seen[key].add(f)
        if engaged_i is not None and values["social_sessions"] is not None:
            engaged = _count(sheet, i, engaged_i, False) or 0
            bounced = totals[key].get("bounced_sessions", 0) + values["social_sessions"] - engaged
            totals[key]["bounced_sessions"] = bounced
            seen[key].add("bounced_sessions")
        out.rows_used += 1
    if not totals:
        raise fail(src.name, "no rows from social sources (docs/importers.md lists the "
                   "sources GA4 names social networks by)")
    out.daily = _daily(totals, seen)
    cover_days(out, sorted(k[1] for k in totals), ctx.tz, "the report's last day {}")
    out.notes.append("sessions, engaged sessions, key events and revenue from social sources "
                     "are added up per network and day; bounced sessions = sessions - engaged "
                     "sessions")
    if date_i is None and start != end:
        out.notes.append(f"no Date column: the totals of {start or '?'}..{end} are stored on "
                         f"{end}; export with the Date dimension for daily figures")
    return out


def _daily(totals: dict[tuple[str, date], dict[str, float]],
           seen: dict[tuple[str, date], set[str]]) -> pa.Table:
    """One row per network and day: the fields some row gave (revenue a decimal)."""
    keys = sorted(totals)
    fields = [f for f in ("social_sessions", "bounced_sessions", "conversions", "revenue")
              if any(f in seen[k] for k in keys)]
    return pa.table({
        "network": pa.array([k[0] for k in keys], pa.string()),
        "date": pa.array([k[1] for k in keys], pa.date32()),
        **{f: pa.array([(totals[k][f] if f == "revenue" else int(totals[k][f]))
                        if f in seen[k] else None for k in keys],
                       pa.float64() if f == "revenue" else pa.int64()) for f in fields},
    })


def _row_day(sheet: Sheet, i: int, col: int) -> date:
    raw = str(sheet.rows[i][col] if col < len(sheet.rows[i]) else "").strip()
    try:
        return datetime.strptime(raw, "%Y%m%d").date()
    except ValueError:
        raise fail(sheet.name, f"expected a day like 20240131, found {raw[:40]!r}",
                   sheet.row_number(i), sheet.header[col]) from None


def _count(sheet: Sheet, i: int, col: int | None, money: bool) -> float | None:
    """A cell of a count column (a whole number) or of revenue (any amount of at least 0)."""
    if col is None:
        return None
    raw = sheet.rows[i][col] if col < len(sheet.rows[i]) else None
    try:
        v = parse_number(raw)
    except ValueError:
        v = -1.0
    if v is not None and (v < 0 or (not money and not v.is_integer())):
        what = "an amount" if money else "a whole count"
        raise fail(sheet.name, f"expected {what}, found {str(raw)[:40]!r}",
                   sheet.row_number(i), sheet.header[col])
    return v if v is None or money else int(v)
