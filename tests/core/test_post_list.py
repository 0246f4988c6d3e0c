"""The post list's two ways to a page (adapters/engine_posts.py) give the same page.

The fast way picks the best posts among the snapshots and joins only those to their posts;
the general way joins every matching post to its snapshot. On lakes of every kind (old,
settled, half-settled, fresh), on a lake where many posts tie and some have no value or no
snapshot, and on the demo, every sort, page size and offset must give the same rows in the
same order and the same total. The engine's pooled connections answer alike from many
threads at once, and forget the file views each query made.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from socialpulse.adapters.engine import IbisEngine
from socialpulse.adapters.engine_levels import latest_snapshots
from socialpulse.adapters.engine_posts import by_value, general_page, matching_posts
from socialpulse.adapters.engine_sql import utc_instants
from socialpulse.bootstrap import App, open_home
from socialpulse.domain.datasets import POST_COUNTERS
from socialpulse.domain.models import Network
from socialpulse.domain.periods import DateRange, parse_period
from socialpulse.domain.query import Breakdown, MetricQuery, MetricRequest, PlannedMetric, plan
from socialpulse.services.posts import post_rate
from socialpulse.settings import Settings
from tests.core.test_lake_intervals import KINDS, _lake

#: a counter, a rarer counter and the rate; the first page, a page after an offset, a long page
#: (cuts inside ties have their own test below)
SORTS = ("engagements", "shares", "engagement_rate")
PAGES = [(1, 0), (5, 5), (40, 0)]


def _tie_batches(acc: int) -> list[dict[str, pa.Table]]:
    """30 posts: 12 tie at 5 engagements, 10 at 3, 3 have no engagements, 5 no snapshot;
    publication times spread so that ties order by them. The last import corrects two
    posts (P00 to 9 engagements, P13 to 5) and adds a snapshot-less post."""
    start = datetime(2026, 3, 1, tzinfo=UTC)
    ids = [f"P{i:02d}" for i in range(30)]
    eng: list[int | None] = [5] * 12 + [3] * 10 + [None] * 3

    def posts(which: list[str]) -> pa.Table:
        times = [start + timedelta(hours=7 * ids.index(p) % 50) for p in which]
        return pa.table({"account_id": [acc] * len(which), "post_id": which,
                         "published_at": pa.array(times, pa.timestamp("us", tz="UTC")),
                         "local_date": [t.date() for t in times]})

    def snaps(rows: list[tuple[str, int | None]], day: int) -> pa.Table:
        at = datetime(2026, 4, day, tzinfo=UTC)
        return pa.table({"account_id": [acc] * len(rows), "post_id": [r[0] for r in rows],
                         "observed_at": pa.array([at] * len(rows),
                                                 pa.timestamp("us", tz="UTC")),
                         "engagements": pa.array([r[1] for r in rows], pa.int64()),
                         "impressions": pa.array([None if r[1] is None else 100 + i
                                                  for i, r in enumerate(rows)], pa.int64()),
                         "shares": pa.array([1] * len(rows), pa.int64())})

    first = {"posts": posts(ids[:15]), "post_snapshots": snaps(
        [(p, eng[i]) for i, p in enumerate(ids[:15])], 1)}
    second = {"posts": posts(ids[15:]), "post_snapshots": snaps(
        [(p, eng[i + 15]) for i, p in enumerate(ids[15:25])], 2)}
    later = {"posts": posts(["P13", "P29"]),
             "post_snapshots": snaps([("P00", 9), ("P13", 5)], 20)}
    return [first, second, later]


def _tie_lake(home: Path, compact_last: bool) -> App:
    app = open_home(Settings(home=home), create=True)
    ws = app.store.create_workspace("w", "W", "UTC", ["en"])
    acc = app.store.ensure_account(ws.id, Network.X, "@w").id
    first, second, later = _tie_batches(acc)
    app.lake.ingest(ws.id, "first", "t", first)
    app.lake.ingest(ws.id, "second", "t", second)
    app.lake.compact(ws.id)
    app.lake.ingest(ws.id, "later", "t", later)
    if compact_last:
        app.lake.compact(ws.id)
    return app


@pytest.fixture(scope="module")
def lakes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, App]]:
    apps = {k: _lake(tmp_path_factory.mktemp(k), k) for k in KINDS}
    apps["ties-settled"] = _tie_lake(tmp_path_factory.mktemp("ties1"), True)
    apps["ties-half"] = _tie_lake(tmp_path_factory.mktemp("ties2"), False)
    yield apps
    for app in apps.values():
        app.store.dispose()


def _general(engine: IbisEngine, ws_id: int, ids: list[int], period: DateRange | None,
             tz: str, rate: PlannedMetric, sort: str, rows: int) -> pa.Table:
    """The general query alone: the reference every page is compared with."""
    with engine._session():
        posts = matching_posts(engine._source, ws_id, ids, period)
        snaps = latest_snapshots(engine._source, ws_id, period, tz, list(POST_COUNTERS))
        return general_page(posts, snaps, rate, sort, rows).to_pyarrow()


def _page(app: App, period: DateRange | None, sort: str, limit: int, offset: int
          ) -> tuple[list[dict[str, Any]], int]:
    ws = app.store.workspaces()[0]
    ids = [a.id for a in app.store.accounts(ws.id)]
    table, total = app.engine.posts(ws.id, ids, period, ws.timezone,
                                    post_rate(app.catalogue), sort, limit, offset)
    return table.to_pylist(), total


def _reference(app: App, period: DateRange | None, sort: str, limit: int, offset: int
               ) -> tuple[list[dict[str, Any]], int]:
    ws = app.store.workspaces()[0]
    ids = [a.id for a in app.store.accounts(ws.id)]
    head = _general(app.engine, ws.id, ids, period, ws.timezone, post_rate(app.catalogue),
                    sort, limit + offset)
    total = int(head["_total"][0].as_py()) if len(head) else 0
    return utc_instants(head.drop_columns(["_total"]).slice(offset)).to_pylist(), total


@pytest.mark.parametrize("kind", [*KINDS, "ties-settled", "ties-half"])
def test_every_page_equals_the_general_query(lakes: dict[str, App], kind: str) -> None:
    app = lakes[kind]
    for period in (DateRange(date(2026, 1, 1), date(2026, 4, 15)), None):
        for sort in SORTS:
            for limit, offset in PAGES:
                got = _page(app, period, sort, limit, offset)
                assert got == _reference(app, period, sort, limit, offset), \
                    (kind, period, sort, limit, offset)


def test_the_fast_way_answers_ties_and_declines_what_it_cannot(lakes: dict[str, App]) -> None:
    """On the settled tie lake the fast way itself answers a page cut inside the ties; a
    page reaching the posts without engagements, or ties going past twice the page, are
    left to the general query (None)."""
    app = lakes["ties-settled"]
    ws = app.workspace("w")
    ids = [a.id for a in app.store.accounts(ws.id)]
    rate = post_rate(app.catalogue)

    def fast(rows: int) -> pa.Table | None:
        with app.engine._session():
            posts = matching_posts(app.engine._source, ws.id, ids, None)
            return by_value(app.engine._source, posts, ws.id, ids, None, "UTC", rate,
                            "engagements", rows)

    page = fast(8)  # 9, then twelve posts at 5: cut inside the ties, 16 read
    assert page is not None
    ref = _general(app.engine, ws.id, ids, None, "UTC", rate, "engagements", 8)
    assert page.to_pylist() == ref.to_pylist()
    assert page["engagements"].to_pylist() == [9] + [5] * 7
    assert fast(3) is None  # 9, 5, 5 | 5, 5, 5: the ties at 5 go on past six rows
    assert fast(30) is None  # the page reaches the posts without engagements


def test_the_demo_pages_equal_the_general_query(demo_app_ro: App) -> None:
    period = parse_period("2026-Q3")
    for sort in SORTS:
        for limit, offset in [(3, 0), (25, 0), (25, 50)]:
            assert _page(demo_app_ro, period, sort, limit, offset) == _reference(
                demo_app_ro, period, sort, limit, offset), (sort, limit, offset)


def test_pooled_connections_answer_alike_from_many_threads(demo_app_ro: App) -> None:
    """Eight threads each ask for pages and metrics at once: every answer equals the one
    asked alone, and no pooled connection keeps the file views its queries made."""
    period = parse_period("2026-Q3")
    ws = demo_app_ro.workspace("demo")
    questions = [("engagements", 25, 0), ("engagement_rate", 10, 5), ("published_at", 5, 0)]
    alone = [_page(demo_app_ro, period, *q) for q in questions]
    failures: list[BaseException] = []
    got: list[list[tuple[list[dict[str, Any]], int]]] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            answers = [_page(demo_app_ro, period, *q) for q in questions]
            demo_app_ro.engine.sql(*_plan(demo_app_ro, ws))
            with lock:
                got.append(answers)
        except BaseException as exc:  # reported below, with the thread's error
            failures.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not failures, failures[:1]
    assert got == [alone] * 8
    for backend in demo_app_ro.engine._idle:
        views = backend.con.execute("SELECT count(*) FROM duckdb_views() WHERE temporary AND "
                                    "view_name LIKE 'ibis_read_parquet_%'").fetchone()
        assert views == (0,)


def _plan(app: App, ws: Any) -> tuple[Any, Any, str]:
    query = MetricQuery(workspace_id=ws.id, metrics=(MetricRequest("engagement_rate", None),),
                        breakdown=Breakdown())
    return plan(app.catalogue, query), app.store.accounts(ws.id), ws.timezone
