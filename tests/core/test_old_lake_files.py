"""A data home written by an earlier version reads the same: files lacking a column added
later (the account totals of account_daily) count as empty, never as an error."""

from __future__ import annotations

import pyarrow.parquet as pq

from socialpulse.adapters.lake import DAILY_TOTALS
from socialpulse.bootstrap import App
from socialpulse.domain.periods import parse_period
from socialpulse.domain.query import parse_breakdown

METRICS = [("reach", None), ("impressions", None), ("followers", None), ("video_views", None),
           ("engagement_rate", None)]


def test_account_daily_files_without_the_totals_columns(demo_app: App) -> None:
    ws = demo_app.workspace("demo")
    period = parse_period("2026-Q3")
    by = parse_breakdown("network")
    before = demo_app.metrics.compute(ws, METRICS, breakdown=by, period=period).rows
    files = demo_app.lake.files(ws.id, "account_daily")
    assert files
    for path in files:  # as an earlier version wrote them
        table = pq.read_table(path)
        old = table.drop_columns([c for c in DAILY_TOTALS if c in table.column_names])
        assert old.num_columns < table.num_columns
        pq.write_table(old, path)
    after = demo_app.metrics.compute(ws, METRICS, breakdown=by, period=period).rows
    assert after == before
