"""Snapshot validity intervals (adapters/lake_intervals.py) never change an answer.

The same rows are stored four ways: settled (imports then a compaction: one batch with
intervals), half-settled (a compaction, then another import touching some of its posts and
adding new ones), fresh (two imports, no compaction) and old (files without the interval
columns, as lakes written before them). For periods ending before, exactly at, between and after
snapshots, each post's snapshot and latest version, and the metrics built on them, must be the
same on every lake, on DuckDB and on PySpark.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from socialpulse.adapters.engine import IbisEngine
from socialpulse.adapters.engine_levels import latest_posts, latest_snapshots
from socialpulse.adapters.lake_intervals import (
    BEGIN_US,
    END_US,
    INTERVAL_COLUMNS,
    settled_batch,
    with_intervals,
)
from socialpulse.bootstrap import App, open_home
from socialpulse.domain.models import Network
from socialpulse.domain.periods import DateRange, Grain
from socialpulse.domain.query import Breakdown
from socialpulse.settings import Settings
from tests.core.test_spark import spark_backend  # noqa: F401  (the module's Spark fixture)


def _at(day: str, hour: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


T0, T1, T2 = _at("2026-02-15"), _at("2026-03-01"), _at("2026-03-10", 12)
T3, T4 = _at("2026-04-01"), _at("2026-05-01", 12)
#: Period ends: before every snapshot, exactly at one (the cut-off is the next midnight),
#: between two, after all; None is "no period" (the latest snapshot).
ENDS: list[date | None] = [date(2026, 2, 1), date(2026, 2, 14), date(2026, 2, 28),
                           date(2026, 3, 5), date(2026, 3, 10), date(2026, 3, 31),
                           date(2026, 4, 15), date(2026, 6, 30), None]


def _snaps(acc: int, rows: list[tuple[str, datetime, int]]) -> pa.Table:
    return pa.table({"account_id": [acc] * len(rows), "post_id": [r[0] for r in rows],
                     "observed_at": pa.array([r[1] for r in rows], pa.timestamp("us", tz="UTC")),
                     "impressions": [r[2] for r in rows], "shares": [r[2] // 10 for r in rows]})


def _posts(acc: int, ids: list[str], campaign: str) -> pa.Table:
    return pa.table({"account_id": [acc] * len(ids), "post_id": ids,
                     "published_at": pa.array([_at("2026-01-05")] * len(ids),
                                              pa.timestamp("us", tz="UTC")),
                     "local_date": [date(2026, 1, 5)] * len(ids),
                     "campaign": [campaign] * len(ids)})


def _batches(acc: int) -> list[dict[str, pa.Table]]:
    """Two first imports, then a later one: A gains a snapshot and a same-instant correction,
    C an earlier snapshot, D appears; A's campaign is corrected; E's post row comes only with
    the later import, F has snapshots but no post row anywhere (never counted)."""
    x1 = {"posts": _posts(acc, ["A", "B"], "old"),
          "post_snapshots": _snaps(acc, [("A", T1, 10), ("A", T2, 20), ("A", T3, 30),
                                         ("B", T2, 5), ("E", T2, 50)])}
    x2 = {"posts": _posts(acc, ["C"], "old"),
          "post_snapshots": _snaps(acc, [("C", T1, 7), ("C", T3, 9), ("F", T1, 60)])}
    y = {"posts": _posts(acc, ["A", "D", "E"], "new"),
         "post_snapshots": _snaps(acc, [("A", T4, 40), ("A", T2, 21), ("C", T0, 6),
                                        ("D", T2, 3)])}
    return [x1, x2, y]


def _lake(home: Path, kind: str) -> App:
    app = open_home(Settings(home=home), create=True)
    ws = app.store.create_workspace("w", "W", "UTC", ["en"])
    acc = app.store.ensure_account(ws.id, Network.X, "@w").id
    x1, x2, y = _batches(acc)
    app.lake.ingest(ws.id, "x1", "t", x1)
    app.lake.ingest(ws.id, "x2", "t", x2)
    if kind == "half":
        app.lake.compact(ws.id)
    app.lake.ingest(ws.id, "y", "t", y)
    if kind == "settled":
        app.lake.compact(ws.id)
    if kind == "old":  # files as written before the interval columns existed
        for path in app.lake.files(ws.id, "post_snapshots"):
            pq.write_table(pq.read_table(path).drop_columns(list(INTERVAL_COLUMNS)), path)
    return app


KINDS = ("old", "settled", "half", "fresh")


@pytest.fixture(scope="module")
def lakes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, App]]:
    apps = {k: _lake(tmp_path_factory.mktemp(k), k) for k in KINDS}
    yield apps
    for app in apps.values():
        app.store.dispose()


def _rows(table: pa.Table) -> list[tuple[Any, ...]]:
    """Rows sorted, instants in UTC whatever the engine hands back."""
    if "observed_at" in table.column_names:
        i = table.schema.get_field_index("observed_at")
        table = table.set_column(i, "observed_at",
                                 table["observed_at"].cast(pa.timestamp("us", tz="UTC")))
    return sorted(tuple(r.values()) for r in table.to_pylist())


def _answers(app: App, engine: IbisEngine) -> list[Any]:
    ws = app.workspace("w")
    out: list[Any] = [_rows(latest_posts(engine._source, ws.id, ["campaign"]).to_pyarrow())]
    for end in ENDS:
        period = None if end is None else DateRange(date(2026, 1, 1), end)
        snaps = latest_snapshots(engine._source, ws.id, period, "UTC", ["impressions"])
        # batch ids differ between lakes (a compaction renumbers); the rows must not
        out.append((end, _rows(snaps.drop("batch_id").to_pyarrow())))
    return out


def test_the_kinds_of_lake_are_what_they_claim(lakes: dict[str, App]) -> None:
    """Old files have no settled batch; the others do, and only half and fresh have a rest."""
    for kind, app in lakes.items():
        ws = app.workspace("w")
        files = tuple(str(p) for p in app.lake.files(ws.id, "post_snapshots"))
        parts = app.engine.parts("post_snapshots", ws.id)
        assert (settled_batch(files) is None) == (kind == "old"), kind
        assert parts == ({"rest"} if kind == "old" else
                         {"settled"} if kind == "settled" else {"settled", "rest"}), kind


def test_every_lake_answers_alike_on_duckdb(lakes: dict[str, App]) -> None:
    expected = _answers(lakes["old"], lakes["old"].engine)
    # the rule itself, checked by hand on a few cut-offs (old files: today's window)
    by_end = dict(expected[1:])
    assert [r[3] for r in by_end[date(2026, 2, 1)]] == [10, 5, 6, 3, 50, 60]  # the first ones
    assert [r[3] for r in by_end[date(2026, 2, 28)]] == [10, 5, 6, 3, 50, 60]  # T1: cut-off
    assert [r[3] for r in by_end[date(2026, 3, 5)]] == [10, 5, 7, 3, 50, 60]
    assert [r[3] for r in by_end[date(2026, 3, 31)]] == [21, 5, 7, 3, 50, 60]  # A corrected
    assert [r[3] for r in by_end[None]] == [40, 5, 9, 3, 50, 60]
    for kind in KINDS[1:]:
        assert _answers(lakes[kind], lakes[kind].engine) == expected, kind


def test_every_lake_gives_the_same_metrics(lakes: dict[str, App]) -> None:
    def figures(app: App) -> list[Any]:
        ws = app.workspace("w")
        out = []
        for end in ENDS:
            period = None if end is None else DateRange(date(2026, 1, 1), end)
            for campaign in (None, "new", "old"):
                t = app.metrics.compute(ws, [("impressions", None), ("shares", None)],
                                        Breakdown(("account",), Grain.MONTH), period,
                                        campaign=campaign)
                out.append(t.records())
        return out

    expected = figures(lakes["old"])
    # by hand, after every snapshot: A 40 + B 5 + C 9 + D 3 + E 50 (F has no post row)
    assert expected[-6][0]["impressions"] == 107
    assert expected[-5][0]["impressions"] == 93 and expected[-4][0]["impressions"] == 14
    assert expected[-3] == expected[-6]  # no period: the latest snapshots, F still left out
    for kind in KINDS[1:]:
        assert figures(lakes[kind]) == expected, kind


@pytest.mark.spark
def test_every_lake_answers_alike_on_spark(lakes: dict[str, App],
                                           spark_backend: object) -> None:  # noqa: F811
    expected = _answers(lakes["old"], lakes["old"].engine)
    for kind in KINDS:
        app = lakes[kind]
        assert _answers(app, IbisEngine(spark_backend, app.lake.files)) == expected, kind


def test_intervals_partition_time_per_post() -> None:
    """First snapshot from BEGIN, each until the next one, the last until END; each row
    carries its post's day and campaign when the batch has the post; rows come back sorted
    by valid_to; a batch with a null key stays unsettled."""
    t = _snaps(1, [("A", T3, 3), ("B", T2, 1), ("A", T1, 1), ("A", T2, 2)])
    out = with_intervals(t, _posts(1, ["A"], "c")).to_pylist()
    us = {(r["post_id"], r["impressions"]): (r["valid_from"], r["valid_to"]) for r in out}
    found = {(r["post_id"], r["post_found"], r["post_campaign"], r["post_local_date"])
             for r in out}
    assert found == {("A", True, "c", date(2026, 1, 5)), ("B", False, None, None)}
    begin = datetime.fromtimestamp(BEGIN_US / 1e6, UTC)
    end = datetime.fromtimestamp(END_US / 1e6, UTC)
    assert us == {("A", 1): (begin, T2), ("A", 2): (T2, T3), ("A", 3): (T3, end),
                  ("B", 1): (begin, end)}
    assert [r["valid_to"] for r in out] == sorted(r["valid_to"] for r in out)
    nulls = t.set_column(2, "observed_at", pa.nulls(4, pa.timestamp("us", tz="UTC")))
    assert with_intervals(nulls, None).column_names == t.column_names
