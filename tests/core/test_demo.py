"""The demo workspace is deterministic and has the shapes it promises."""

from __future__ import annotations

from datetime import date

from socialpulse.bootstrap import App
from socialpulse.domain.periods import DateRange
from socialpulse.domain.query import parse_breakdown
from socialpulse.services import demo_data
from socialpulse.services.demo import load_demo
from tests.conftest import DEMO_UNTIL


def test_generation_is_deterministic() -> None:
    a = demo_data.generate(date(2026, 3, 31))
    b = demo_data.generate(date(2026, 3, 31))
    for key in a:
        for name in a[key]:
            assert a[key][name].equals(b[key][name])


def test_demo_workspace_shape(demo_app_ro: App) -> None:
    ws = demo_app_ro.workspace("demo")
    accounts = demo_app_ro.store.accounts(ws.id)
    assert {a.network.value for a in accounts if a.is_own} == {
        "x",
        "facebook",
        "instagram",
        "linkedin",
        "youtube",
        "tiktok",
    }
    assert len({a.function for a in accounts if a.is_own}) >= 5
    assert {b.name for b in demo_app_ro.store.brands(ws.id) if not b.is_own} == {
        "Summit Gear",
        "TrailCo",
    }
    days = demo_app_ro.metrics.data_range(ws)
    assert days is not None and days.end == DEMO_UNTIL and days.days >= 540


def test_weekly_seasonality_viral_post_and_bad_week(demo_app_ro: App) -> None:
    ws = demo_app_ro.workspace("demo")
    evs = demo_data.events(DEMO_UNTIL)
    whole = DateRange(DEMO_UNTIL.replace(year=DEMO_UNTIL.year - 1), DEMO_UNTIL)
    daily = demo_app_ro.metrics.compute(ws, [("posts", None)], parse_breakdown("day"), whole)
    weekday = [r["posts"] for r in daily.rows if r["period"].weekday() < 5]
    weekend = [r["posts"] for r in daily.rows if r["period"].weekday() >= 5]
    assert sum(weekday) / len(weekday) > 1.5 * sum(weekend) / len(weekend)
    weeks = demo_app_ro.metrics.compute(
        ws,
        [("shares", None), ("engagement_rate", None), ("net_follower_growth", None)],
        parse_breakdown("week"),
        whole,
    )
    by_week = {r["period"]: r for r in weeks.rows}
    viral_week = max(by_week.values(), key=lambda r: r["shares"])["period"]
    assert viral_week <= evs["viral"].start < date.fromordinal(viral_week.toordinal() + 7)
    bad = evs["bad-week"].start
    bad_rows = [r for p, r in by_week.items() if p <= bad < date.fromordinal(p.toordinal() + 7)]
    median_er = sorted(r["engagement_rate"] for r in by_week.values())[len(by_week) // 2]
    assert bad_rows[0]["engagement_rate"] < 0.8 * median_er


def test_rerunning_demo_rebuilds_the_same_numbers(demo_app: App) -> None:
    ws = demo_app.workspace("demo")
    before = demo_app.metrics.compute(ws, [("engagements", None), ("followers", None)])
    load_demo(demo_app.store, demo_app.lake, DEMO_UNTIL)
    ws2 = demo_app.workspace("demo")
    after = demo_app.metrics.compute(ws2, [("engagements", None), ("followers", None)])
    assert after.rows == before.rows
    assert len(demo_app.store.workspaces()) == 1
