"""The audit's lake reads: best content types and hours, last posts, message counts.

They are groupings the metric catalogue cannot express (by post type, by hour of publication),
read with one small DuckDB query over the committed files and the metric engine's read rules.
SQL stays in adapters: the audit service reaches this through the `AuditLakeReads` port.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from socialpulse.domain.audit import LakeDetails
from socialpulse.domain.periods import DateRange

from .lake import Lake


class LakeAuditReads:
    """The `AuditLakeReads` port over one lake."""

    def __init__(self, lake: Lake) -> None:
        self.lake = lake

    def audit_details(self, workspace_id: int, period: DateRange, tz: str) -> LakeDetails:
        files = self.lake.files
        return read_lake_details(files(workspace_id, "posts"),
                                 files(workspace_id, "post_snapshots"),
                                 files(workspace_id, "account_daily"), period, tz)


def read_lake_details(
    lake_files: Sequence[Path], snap_files: Sequence[Path], daily_files: Sequence[Path],
    period: DateRange, tz: str,
) -> LakeDetails:
    """Best content types and hours, last post dates and message counts, from Parquet files.

    Posts take their latest version (by batch); each post counts with its latest snapshot
    observed before the end of the period; daily rows take the latest observation per day -
    the same read rules as the metric engine.
    """
    con = duckdb.connect()
    details = LakeDetails({}, {}, {}, {})
    try:
        if lake_files:
            _post_details(con, lake_files, snap_files, period, tz, details)
        if daily_files:
            _messages(con, daily_files, period, details)
    finally:
        con.close()
    return details


def _post_details(con: duckdb.DuckDBPyConnection, lake_files: Sequence[Path],
                  snap_files: Sequence[Path], period: DateRange, tz: str,
                  details: LakeDetails) -> None:
    """Last post per account, and engagements per post by content type and by hour."""
    end_ts = datetime.combine(period.end_exclusive, time(), ZoneInfo(tz)).astimezone(UTC)
    con.read_parquet([str(p) for p in lake_files]).create_view("p_raw")
    con.execute(
        "CREATE TEMP VIEW p AS SELECT * FROM p_raw QUALIFY row_number() OVER "
        "(PARTITION BY account_id, post_id ORDER BY batch_id DESC) = 1")
    for acc, last in con.execute(
        "SELECT account_id, max(local_date) FROM p WHERE local_date <= ? GROUP BY 1",
        [period.end],
    ).fetchall():
        details.last_post[int(acc)] = last
    if snap_files:
        con.read_parquet([str(p) for p in snap_files]).create_view("s_raw")
        con.execute(
            "CREATE TEMP TABLE s AS SELECT account_id, post_id, engagements FROM s_raw "
            "WHERE observed_at < $1 QUALIFY row_number() OVER (PARTITION BY "
            "account_id, post_id ORDER BY observed_at DESC, batch_id DESC) = 1",
            [end_ts])
        eng = "s.engagements"
        join = "LEFT JOIN s USING (account_id, post_id)"
    else:
        eng, join = "NULL::BIGINT", ""
    rows = con.execute(
        f"SELECT p.account_id, p.post_type, epoch(p.published_at), {eng} FROM p {join} "
        "WHERE p.local_date BETWEEN ? AND ?", [period.start, period.end]
    ).fetchall()
    zone = ZoneInfo(tz)
    by_type: dict[tuple[int, str], list[float]] = {}
    by_hour: dict[tuple[int, int], list[float]] = {}
    for acc, ptype, published, engagements in rows:
        if engagements is None:
            continue
        by_type.setdefault((int(acc), ptype or "unknown"), []).append(float(engagements))
        hour = datetime.fromtimestamp(float(published), zone).hour
        by_hour.setdefault((int(acc), hour), []).append(float(engagements))
    for (acc, ptype), vals in sorted(by_type.items()):
        details.content_types.setdefault(acc, []).append((ptype, sum(vals) / len(vals),
                                                          len(vals)))
    for (acc, hour), vals in sorted(by_hour.items()):
        details.hours.setdefault(acc, []).append((hour, sum(vals) / len(vals), len(vals)))


def _messages(con: duckdb.DuckDBPyConnection, daily_files: Sequence[Path], period: DateRange,
              details: LakeDetails) -> None:
    """Audience messages received and replied per account over the period."""
    for acc, received, replied in con.execute(
        "SELECT account_id, sum(messages_received), sum(messages_replied) FROM ("
        "SELECT * FROM read_parquet($1) QUALIFY row_number() OVER (PARTITION BY "
        "account_id, date ORDER BY observed_at DESC, batch_id DESC) = 1) "
        "WHERE date BETWEEN $2 AND $3 AND messages_received IS NOT NULL GROUP BY 1",
        [[str(p) for p in daily_files], period.start, period.end],
    ).fetchall():
        details.messages[int(acc)] = (float(received or 0), float(replied or 0))
