"""Compiled metric runs replayed from disk (adapters/sql_cache.py) answer exactly as the Ibis
engine does, on the demo workspace: every row, the missing inputs and the accounts left out.
A new question, new data or new code is a new entry; an entry is never written from a ledger
that changed while it was compiled; a cache folder that cannot be written only costs time.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from socialpulse.adapters import sql_cache
from socialpulse.adapters.sql_cache import SqlCachedEngine, cache_key, compile_run
from socialpulse.bootstrap import App
from socialpulse.domain.models import Workspace
from socialpulse.domain.periods import DateRange, Grain
from socialpulse.domain.query import (
    Breakdown,
    MetricQuery,
    MetricRequest,
    QueryPlan,
    Scope,
    ScopeKind,
    plan,
)
from tests.core.test_metrics_by_hand import post, snap, ts

Q3 = DateRange(date(2026, 7, 1), date(2026, 9, 30))

#: (metrics, breakdown, period, networks, campaign, scope): formulas of every kind (sums,
#: a mean of post ratios, stock start and end, daily totals, mentions), every breakdown, filters
QUESTIONS: list[tuple[Any, ...]] = [
    ((("engagement_rate", None),), Breakdown(entities=("network",)), None, (), None, None),
    ((("engagement_rate", "post_mean"), ("reach", None), ("net_follower_growth", None)),
     Breakdown(grain=Grain.WEEK), Q3, (), None, None),
    ((("audience_growth_rate", None), ("posts", None), ("profile_views", None)),
     Breakdown(entities=("brand", "account")), Q3, (), None, Scope(ScopeKind.ALL)),
    ((("click_through_rate", "by_reach"), ("video_views", None)),
     Breakdown(entities=("network",), grain=Grain.MONTH), None, ("x", "tiktok"), None, None),
    ((("share_of_voice", None), ("brand_mentions", None)), Breakdown(grain=Grain.MONTH), Q3,
     (), None, None),
    ((("impressions", None), ("engagements", "per_post")), Breakdown(), Q3, (), "summer-sale",
     Scope(ScopeKind.COMPETITORS)),
]


def _plan(app: App, ws: Workspace, q: tuple[Any, ...]) -> QueryPlan:
    """The plan `MetricsService.compute` would run (scope resolved to account ids)."""
    metrics, breakdown, period, networks, campaign, scope = q
    query = MetricQuery(workspace_id=ws.id,
                        metrics=tuple(MetricRequest(m, v) for m, v in metrics),
                        breakdown=breakdown, period=period, networks=networks,
                        campaign=campaign)
    p = plan(app.catalogue, query)
    resolved = app.metrics.resolve_scope(ws, scope)
    return QueryPlan(dataclasses.replace(query, account_ids=resolved.account_ids), p.metrics)


def _answer(result: Any) -> tuple[Any, ...]:
    """An engine result to compare: floats to 12 significant digits, since DuckDB sums in
    parallel and two runs of the same engine may differ in the last bit."""
    rows = [{k: float(f"{v:.12g}") if isinstance(v, float) else v for k, v in r.items()}
            for r in result.rows]
    return result.columns, rows, result.missing, result.excluded


def _cached(app: App, folder: Path) -> SqlCachedEngine:
    engine = app.metric_engine
    assert isinstance(engine, SqlCachedEngine)
    return SqlCachedEngine(lambda: app.engine, engine._committed, folder)


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: "+".join(m for m, _ in q[0]))
def test_replayed_runs_answer_as_the_ibis_engine(demo_app_ro: App, tmp_path: Path,
                                                 q: tuple[Any, ...]) -> None:
    app = demo_app_ro
    ws = app.workspace(None)
    accounts = app.store.accounts(ws.id)
    p = _plan(app, ws, q)
    expected = _answer(app.engine.run(p, accounts, ws.timezone))
    assert expected[1], "the question must have rows, or equality proves little"
    engine = _cached(app, tmp_path)
    first = _answer(engine.run(p, accounts, ws.timezone))  # compiled, stored, replayed
    assert len(list(tmp_path.glob("*.json"))) == 1
    second = _answer(engine.run(p, accounts, ws.timezone))  # read from disk, replayed
    assert first == expected and second == expected


def test_a_stored_entry_is_replayed_without_compiling(demo_app_ro: App, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    app = demo_app_ro
    ws = app.workspace(None)
    accounts = app.store.accounts(ws.id)
    p = _plan(app, ws, QUESTIONS[0])
    engine = _cached(app, tmp_path)
    expected = _answer(engine.run(p, accounts, ws.timezone))

    def no_compiling(*_: Any) -> None:
        raise AssertionError("compiled again")

    monkeypatch.setattr(sql_cache, "compile_run", no_compiling)
    assert _answer(engine.run(p, accounts, ws.timezone)) == expected


def test_new_data_new_code_and_other_accounts_are_new_keys(demo_app_ro: App) -> None:
    app = demo_app_ro
    ws = app.workspace(None)
    accounts = app.store.accounts(ws.id)
    p = _plan(app, ws, QUESTIONS[0])
    files = app.metric_engine._committed(ws.id)  # type: ignore[attr-defined]
    key = cache_key(p, accounts, ws.timezone, files)
    assert cache_key(p, accounts, ws.timezone, list(reversed(files))) == key
    other_plan = _plan(app, ws, QUESTIONS[1])
    renamed = [dataclasses.replace(accounts[0], handle="renamed"), *accounts[1:]]
    assert len({key, cache_key(p, accounts, ws.timezone, files[:-1]),
                cache_key(other_plan, accounts, ws.timezone, files),
                cache_key(p, renamed, ws.timezone, files),
                cache_key(p, accounts, "Asia/Tokyo", files)}) == 5
    old = sql_cache.code_fingerprint()
    try:
        sql_cache._fingerprint = "another version of the compiler"
        assert cache_key(p, accounts, ws.timezone, files) != key
    finally:
        sql_cache._fingerprint = old


def test_an_import_changes_the_answer_and_the_entry(demo_app: App, tmp_path: Path) -> None:
    app = demo_app
    ws = app.workspace(None)
    accounts = app.store.accounts(ws.id)
    p = _plan(app, ws, QUESTIONS[0])
    engine = _cached(app, tmp_path)
    before = engine.run(p, accounts, ws.timezone)
    x = next(a for a in accounts if a.network.value == "x")
    when = ts(2026, 10, 20)
    app.lake.ingest(ws.id, "one more", "test", {
        "posts": pa.Table.from_pylist([post(x.id, "sqlcache-1", when)]),
        "post_snapshots": pa.Table.from_pylist([snap(
            x.id, "sqlcache-1", when, impressions=1000, engagements=900, likes=900,
            comments=0, shares=0, clicks=0, video_views=0, reach=None, saves=None)]),
    })
    after = engine.run(p, accounts, ws.timezone)
    assert len(list(tmp_path.glob("*.json"))) == 2
    assert _answer(after) == _answer(app.engine.run(p, accounts, ws.timezone))
    x_rate = {r["network"]: r["engagement_rate"] for r in before.rows}["x"]
    assert {r["network"]: r["engagement_rate"] for r in after.rows}["x"] > x_rate


def test_a_ledger_that_changes_during_compiling_stores_nothing(demo_app_ro: App,
                                                               tmp_path: Path) -> None:
    app = demo_app_ro
    ws = app.workspace(None)
    accounts = app.store.accounts(ws.id)
    p = _plan(app, ws, QUESTIONS[0])
    real = _cached(app, tmp_path)._committed
    calls: list[int] = []

    def changing(workspace_id: int) -> list[str]:
        """The ledger as listed before compiling, then as a compaction left it."""
        calls.append(workspace_id)
        files = real(workspace_id)
        return files if len(calls) == 1 else files[:-1]

    engine = SqlCachedEngine(lambda: app.engine, changing, tmp_path)
    answer = _answer(engine.run(p, accounts, ws.timezone))
    assert answer == _answer(app.engine.run(p, accounts, ws.timezone))
    assert len(calls) == 2 and not list(tmp_path.iterdir())


def test_a_folder_that_cannot_be_written_only_costs_time(demo_app_ro: App,
                                                         tmp_path: Path) -> None:
    app = demo_app_ro
    ws = app.workspace(None)
    accounts = app.store.accounts(ws.id)
    p = _plan(app, ws, QUESTIONS[0])
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    engine = _cached(app, blocker / "sql")
    assert _answer(engine.run(p, accounts, ws.timezone)) == _answer(
        app.engine.run(p, accounts, ws.timezone))


def test_the_home_keeps_the_most_recently_used_entries(demo_app_ro: App,
                                                       tmp_path: Path) -> None:
    app = demo_app_ro
    ws = app.workspace(None)
    accounts = app.store.accounts(ws.id)
    engine = _cached(app, tmp_path)
    engine.keep = 2
    plans = [_plan(app, ws, q) for q in QUESTIONS[:3]]
    for p in plans:
        engine.run(p, accounts, ws.timezone)
    files = engine._committed(ws.id)
    kept = {f.stem for f in tmp_path.glob("*.json")}
    assert kept == {cache_key(p, accounts, ws.timezone, files) for p in plans[1:]}


def test_entries_hold_the_statements_not_the_answers(demo_app_ro: App) -> None:
    """What is kept is SQL and the accounts table, never figures: replaying runs the query."""
    app = demo_app_ro
    ws = app.workspace(None)
    accounts = app.store.accounts(ws.id)
    entry = compile_run(app.engine, _plan(app, ws, QUESTIONS[0]), accounts, ws.timezone)
    assert entry is not None
    assert {"views", "tables", "first", "counts", "second"} <= entry.keys()
    assert all(v.startswith("CREATE TEMP VIEW") and "read_parquet" in v for v in entry["views"])
    assert [len(t["rows"]) for t in entry["tables"] if t["rows"]] == [len(accounts)]


def test_replays_side_by_side_keep_their_own_tables(demo_app_ro: App, tmp_path: Path) -> None:
    """Threads replay on connections of one shared DuckDB: each has its own temporary views
    and level 1 (same names in every entry), so answers never mix."""
    from concurrent.futures import ThreadPoolExecutor

    app = demo_app_ro
    ws = app.workspace(None)
    accounts = app.store.accounts(ws.id)
    plans = [_plan(app, ws, q) for q in QUESTIONS[:4]]
    engine = _cached(app, tmp_path)
    want = [_answer(app.engine.run(p, accounts, ws.timezone)) for p in plans]
    for p in plans:  # stored first, so the threads below only replay
        engine.run(p, accounts, ws.timezone)
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda i: _answer(engine.run(plans[i % 4], accounts, ws.timezone)),
                            range(16)))
    assert got == [want[i % 4] for i in range(16)]
