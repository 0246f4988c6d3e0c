"""MetricsService answers a repeated question from its memo, and never with a stale number.

The tiny workspace of `test_metrics_by_hand` (A: X own, B: Instagram own, C: X competitor
"Rival"; January posts: A 2, B 1, C 1). The engine is the real DuckDB engine wrapped by a
subclass that counts its runs: the answers are the engine's, only the count is the spy's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pytest

from socialpulse.adapters.engine import EngineResult, IbisEngine
from socialpulse.bootstrap import App, duckdb_backend, open_home
from socialpulse.domain.errors import MissingData
from socialpulse.domain.models import Account
from socialpulse.domain.periods import parse_period
from socialpulse.domain.query import QueryPlan, Scope, ScopeKind, parse_breakdown
from socialpulse.services.metrics import RESULT_MEMO_SIZE, MetricsService
from tests.core.test_metrics_by_hand import JAN, post, snap, tiny, ts  # noqa: F401 - fixture

FEB = parse_period("2026-02")


class CountingEngine(IbisEngine):
    """The real engine; counts how often it is asked to run a plan."""

    def __init__(self, backend: Any, files: Any) -> None:
        super().__init__(backend, files)
        self.runs = 0

    def run(self, plan: QueryPlan, accounts: Sequence[Account], tz: str) -> EngineResult:
        self.runs += 1
        return super().run(plan, accounts, tz)


def counted(app: App) -> CountingEngine:
    """Put a counting engine in ``app`` before its metrics service is made."""
    assert "metrics" not in app.__dict__
    engine = CountingEngine(duckdb_backend(), app.lake.files)
    app.__dict__["engine"] = app.__dict__["metric_engine"] = engine
    return engine


def posts(app: App, ws: Any, period: Any = JAN, **kw: Any) -> Any:
    table = app.metrics.compute(ws, [("posts", None)], period=period, allow_empty=True, **kw)
    return table.rows[0]["posts"] if table.rows else None


def one_more_january_post(app: App, ws_id: int, account: int) -> None:
    app.lake.ingest(ws_id, "more", "test", {
        "posts": pa.Table.from_pylist([post(account, "p6", ts(2026, 1, 25))]),
        "post_snapshots": pa.Table.from_pylist([snap(
            account, "p6", ts(2026, 1, 26), impressions=50, engagements=5, likes=5,
            comments=0, shares=0, clicks=0, video_views=0, reach=None, saves=None)]),
    })


def test_a_second_identical_compute_does_not_run_the_engine(tiny) -> None:  # noqa: F811
    app, ws, ids = tiny
    engine = counted(app)
    first = app.metrics.compute(ws, [("posts", None), ("engagements", None)],
                                parse_breakdown("network"), JAN)
    assert engine.runs == 1
    second = app.metrics.compute(ws, [("posts", None), ("engagements", None)],
                                 parse_breakdown("network"), JAN)
    assert engine.runs == 1
    assert second.rows == first.rows and second.scope == first.scope
    # each input of the question is part of the key: another period, breakdown, variant,
    # scope, network filter, campaign is another question
    app.metrics.compute(ws, [("posts", None), ("engagements", None)],
                        parse_breakdown("network"), FEB, allow_empty=True)
    app.metrics.compute(ws, [("posts", None), ("engagements", None)], period=JAN)
    app.metrics.compute(ws, [("posts", None), ("engagements", None)],
                        parse_breakdown("network"), JAN, scope=Scope(ScopeKind.ALL))
    app.metrics.compute(ws, [("posts", None), ("engagements", None)],
                        parse_breakdown("network"), JAN, networks=["x"])
    app.metrics.compute(ws, [("posts", None), ("engagements", None)],
                        parse_breakdown("network"), JAN, campaign="fall", allow_empty=True)
    app.metrics.compute(ws, [("engagement_rate", "by_reach")], period=JAN, allow_empty=True)
    app.metrics.compute(ws, [("engagement_rate", None)], period=JAN, allow_empty=True)
    assert engine.runs == 8
    # the Overview's sets go through the same memo
    app.metrics.kpis(ws, JAN)
    runs = engine.runs
    app.metrics.kpis(ws, JAN)
    app.metrics.trends(ws, JAN)
    app.metrics.trends(ws, JAN)
    assert engine.runs == runs + 1


def test_a_caller_mutating_a_result_does_not_change_the_cached_one(tiny) -> None:  # noqa: F811
    app, ws, ids = tiny
    engine = counted(app)
    table = app.metrics.compute(ws, [("posts", None)], parse_breakdown("network"), JAN)
    expected = [dict(r) for r in table.rows]
    table.rows[0]["posts"] = -1
    table.rows.append({"network": "bogus", "posts": 99})
    table.missing["posts"] = ["bogus"]
    again = app.metrics.compute(ws, [("posts", None)], parse_breakdown("network"), JAN)
    again.rows.clear()
    third = app.metrics.compute(ws, [("posts", None)], parse_breakdown("network"), JAN)
    assert third.rows == expected and third.missing == {}
    assert engine.runs == 1


def test_an_import_then_a_removal_shows_at_once_on_the_same_app(tiny) -> None:  # noqa: F811
    app, ws, ids = tiny
    engine = counted(app)
    assert posts(app, ws) == 3 == posts(app, ws)
    assert engine.runs == 1
    one_more_january_post(app, ws.id, ids["a"])
    assert posts(app, ws) == 4
    assert engine.runs == 2
    # the data rebuilt as it was: the batch leaves the committed set
    added = [b for b in app.store.batches(ws.id, "committed") if b.source == "more"]
    app.lake.remove(ws.id, added[0].id)
    assert posts(app, ws) == 3
    # the committed set is the first one again, so is the key: the first answer is right
    assert engine.runs == 2


def test_a_brand_turned_competitor_or_own_changes_the_answer(tiny) -> None:  # noqa: F811
    app, ws, ids = tiny
    assert posts(app, ws) == 3  # own: A 2, B 1
    assert posts(app, ws, scope=Scope(ScopeKind.COMPETITORS)) == 1
    app.store.update_account(ws.id, ids["c"], brand_is_own=True)  # Rival is own now
    assert posts(app, ws) == 4
    with pytest.raises(MissingData, match="no competitor brand"):
        posts(app, ws, scope=Scope(ScopeKind.COMPETITORS))
    app.store.update_account(ws.id, ids["c"], brand_is_own=False)  # and back
    assert posts(app, ws) == 3
    assert posts(app, ws, scope=Scope(ScopeKind.COMPETITORS)) == 1

    def by_brand() -> dict[str, int]:
        table = app.metrics.compute(ws, [("posts", None)], parse_breakdown("brand"), JAN,
                                    scope=Scope(ScopeKind.ALL))
        return {r["brand"]: r["posts"] for r in table.rows}

    assert by_brand() == {"Own": 3, "Rival": 1}
    # the same account ids in scope, grouped otherwise: the accounts are part of the key
    app.store.update_account(ws.id, ids["a"], brand="Rival", brand_is_own=False)
    assert by_brand() == {"Own": 1, "Rival": 3}


def test_an_import_by_another_app_shows_on_the_next_compute(tiny) -> None:  # noqa: F811
    app, ws, ids = tiny
    assert posts(app, ws) == 3 == posts(app, ws)
    other = open_home(app.settings)  # another process' App on the same home
    try:
        one_more_january_post(other, ws.id, ids["b"])
        other.store.update_account(ws.id, ids["c"], brand_is_own=True)
    finally:
        other.store.dispose()
    assert posts(app, ws) == 5


def test_the_memo_is_bounded(tiny) -> None:  # noqa: F811
    app, ws, ids = tiny
    memo = app.metrics._results
    assert isinstance(app.metrics, MetricsService) and memo.size == RESULT_MEMO_SIZE
    memo.size = 2
    engine = counted_after(app)
    for period in (JAN, FEB, parse_period("2026-03")):
        posts(app, ws, period)
    assert len(memo._items) == 2
    posts(app, ws, JAN)  # the oldest went out
    assert engine.runs == 4


def counted_after(app: App) -> CountingEngine:
    """Count runs of an engine put into an existing service."""
    engine = CountingEngine(duckdb_backend(), app.lake.files)
    app.metrics.engine = engine
    return engine
