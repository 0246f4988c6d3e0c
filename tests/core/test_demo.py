"""The demo workspace is deterministic and has the shapes it promises."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from socialpulse.bootstrap import App, local_actor
from socialpulse.domain.periods import DateRange
from socialpulse.domain.query import parse_breakdown
from socialpulse.services import demo_data, demo_goals, demo_mentions
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
    summary = demo_app.demo.build(local_actor(), DEMO_UNTIL)
    ws2 = demo_app.workspace("demo")
    after = demo_app.metrics.compute(ws2, [("engagements", None), ("followers", None)])
    assert after.rows == before.rows
    assert len(demo_app.store.workspaces()) == 1
    # the summary line names what a first start will find, from what was really loaded
    assert summary.line.startswith("demo workspace 'demo' loaded: 14 accounts, ")
    assert (f"{summary.mentions:,} mentions with {summary.alerts} listening alerts, 4 goals, "
            "1 OKR, a completed maturity assessment and 1 scheduled report") in summary.line
    assert len(demo_app.goals.list(ws2)) == summary.story.goals == 4
    assert summary.alerts == len(demo_app.listening.alerts(ws2))


def test_demo_goals_have_the_statuses_the_tracker_computes(demo_app_ro: App) -> None:
    ws = demo_app_ro.workspace("demo")
    board = {t.goal.template_id: t for t in demo_app_ro.goals.list(ws, DEMO_UNTIL)}
    status = {tid: t.status.value for tid, t in board.items()}
    assert status == {"recruiting:followers": "on_track", "brand_awareness:reach": "at_risk",
                      "brand_awareness:impressions": "missed",
                      "community_engagement:engagement_rate": "at_risk"}  # the OKR's KR1
    # set in the past through the same service as a user's goal: their baselines are the
    # window ending on their start day, and they have moved since
    for ago, _, spec in demo_goals.GOALS:
        t = board[spec.template]
        assert t.goal.start_date == DEMO_UNTIL - timedelta(days=ago)
        assert t.goal.baseline.end == t.goal.start_date
        assert t.progress is not None and t.progress != 0
    okr = demo_app_ro.goals.okrs(ws, DEMO_UNTIL)[0]
    assert okr["title"] == demo_goals.OKR_TITLE
    assert [k["grade_text"] for k in okr["key_results"]][1:] == ["0.6", "ungraded"]
    assert okr["key_results"][2]["colour"] == "grey"
    assert okr["coverage"] == "2 of 3 key results graded"
    graded = [k["grade"] for k in okr["key_results"] if k["grade"] is not None]
    assert okr["grade"] == pytest.approx(sum(graded) / 2)


def test_demo_has_a_recent_alert_an_assessment_and_a_schedule(demo_app_ro: App) -> None:
    ws = demo_app_ro.workspace("demo")
    default = demo_app_ro.overview.resolve_period(ws).range
    press = DEMO_UNTIL - timedelta(days=demo_mentions.PRESS_DAYS_AGO)
    recent = [a for a in demo_app_ro.listening.alerts(ws, default)]
    assert [(a.brand, a.kind, a.start) for a in recent] == [("Acme Outdoor", "volume", press)]
    assert any("Repair Days" in m.text for m in recent[0].mentions)
    done = [a for a in demo_app_ro.maturity.assessments(ws) if a.status == "complete"]
    assert len(done) == 1 and done[0].scores
    schedules = demo_app_ro.report_schedules.schedules(ws)
    assert [(s.cadence, s.format) for s in schedules] == [("monthly", "pdf")]


def test_no_page_of_the_demo_is_empty(client: TestClient) -> None:
    day = f"workspace=demo&today={DEMO_UNTIL.isoformat()}"
    overview = client.get("/?workspace=demo").text
    # the Overview's goals panel reads the real clock: it is there, whatever the date
    assert 'data-panel="goals_at_risk"' in overview and "All goals" in overview
    assert 'data-panel="listening-alert"' in overview and "mention volume spike" in overview
    goals = client.get(f"/goals?{day}").text
    assert goals.count("<tr data-goal=") == 4
    for word, tone in (("on track", "green"), ("at risk", "yellow"), ("missed", "red")):
        assert f'class="badge badge-{tone}" data-status="{word.replace(" ", "_")}"' in goals
    okrs = client.get(f"/okrs?{day}").text
    assert demo_goals.OKR_TITLE.replace("'", "&#39;") in okrs
    assert 'class="grade grade-grey">ungraded</span> Crisis playbook' in okrs
    detail = client.get(f"/okrs/1?{day}").text
    shown = [t.split(">")[-1] for t in (okrs, detail) for t in [
        t[t.index("data-objective-grade>"):t.index("</span>", t.index("data-objective-grade>"))]]]
    assert shown[0] == shown[1] and "2 of 3 key results graded" in detail
    maturity = client.get("/maturity?workspace=demo").text
    assert "complete" in maturity and "No assessment yet" not in maturity
    listening = client.get("/listening?workspace=demo").text
    assert 'data-alert-kind="volume"' in listening and "Repair Days" in listening
    reports = client.get("/reports?workspace=demo").text
    assert "No scheduled reports yet" not in reports and "<td>monthly</td>" in reports


def test_demo_is_rebuilt_unless_it_holds_a_users_import(demo_app: App) -> None:
    """A file the user imported into the demo keeps the demo from being overwritten; once that
    import is removed (or when only the lake's own compaction happened), it rebuilds."""
    from socialpulse.domain.errors import Conflict
    from socialpulse.interfaces.cli import main
    from tests.conftest import SAMPLES

    home = str(demo_app.settings.home)
    sample = SAMPLES / "x" / "tweet_activity_metrics_rOpenSci_20211101_20211201_en.csv"
    assert main(["--home", home, "import", str(sample), "-w", "demo", "-q"]) == 0
    with pytest.raises(Conflict, match="holds imported data"):
        demo_app.demo.build(local_actor(), DEMO_UNTIL)
    ws = demo_app.workspace("demo")
    imported = [b for b in demo_app.batches.history(ws) if b.removable]
    mine = [b for b in imported if "rOpenSci" in str(b.as_dict())]
    assert len(mine) == 1
    demo_app.batches.remove(local_actor(), ws, mine[0].as_dict()["id"])
    assert main(["--home", home, "lake", "compact", "-w", "demo"]) == 0
    summary = demo_app.demo.build(local_actor(), DEMO_UNTIL)
    assert summary.line.startswith("demo workspace 'demo' loaded: 14 accounts, ")
