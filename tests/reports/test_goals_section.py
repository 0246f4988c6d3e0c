"""The report grows with goals: a goal and an OKR appear in the KPIs, the summary, the goals
section, the spreadsheet and the goals board's export."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from socialpulse.bootstrap import App
from socialpulse.domain.actor import Actor
from socialpulse.domain.periods import parse_period
from socialpulse.interfaces.web.app import create_app
from socialpulse.services.goals import GoalSpec
from socialpulse.services.report_render import render_html, render_xlsx
from tests.webfixtures import browser_client

ACTOR = Actor.local("tester")  # who the tests act as (service writes take an actor)

TODAY = date(2026, 10, 31)


def test_goals_and_okrs_in_the_report(demo_app: App) -> None:
    ws = demo_app.workspace("demo")
    spec = GoalSpec(metric="engagement_rate", goal_type="community_engagement",
                    objective="More conversation with hikers", baseline_period="2026-Q3",
                    target_value=4.0, deadline="2026-12-31", title="Engagement rate to 4%")
    demo_app.goals.create(ACTOR, ws, spec, TODAY)
    demo_app.goals.add_okr(ACTOR, ws, "Be the hikers' favourite brand", [
        {"metric": "followers", "target_change_pct": 10, "title": "Followers +10%"},
        {"milestone": "Personas updated", "title": "Personas updated"},
        {"milestone": "Crisis plan signed", "title": "Crisis plan signed"},
    ], deadline="2026-12-31", today=TODAY)
    report = demo_app.reports.build(ws, parse_period("2026-10"), TODAY)
    ids = [s.id for s in report.sections]
    assert "goals" in ids and ids.index("goals") > ids.index("trends")
    goals = report.section("goals")
    assert goals is not None
    assert {g["goal"] for g in goals.data["goals"]} >= {"Engagement rate to 4%"}
    assert "Be the hikers' favourite brand" in [o["title"] for o in goals.data["okrs"]]
    on_track = sum(1 for g in goals.data["goals"] if g["status_id"] == "on_track")
    total = len(goals.data["goals"])
    expected = (f"{on_track} of {total} goals are on track" if total > 1
                else "The only goal is")
    assert any(s.startswith(expected) for s in report.summary), report.summary
    kpis = report.section("kpis")
    assert kpis is not None
    card = next(c for c in kpis.data["cards"] if c["id"] == "engagement_rate")
    assert card["goal"] and "target 4.00% by 2026-12-31" in card["goal"]
    html = render_html(report)
    assert "Engagement rate to 4%" in html and "Personas updated" in html
    wb = load_workbook(io.BytesIO(render_xlsx(report)))
    assert wb["Goals"].max_row >= 2
    okr_rows = [r for r in wb["OKRs"].iter_rows(min_row=2, values_only=True)
                if r[0] == "Be the hikers' favourite brand"]
    assert len(okr_rows) == 3  # one row per key result
    # the goals board offers the export, and it holds the goals
    with browser_client(create_app(demo_app.settings)) as c:
        board = c.get("/goals?workspace=demo")
        assert 'data-export="xlsx"' in board.text
        got = c.get("/api/workspaces/demo/export?table=goals&format=xlsx")
        sheet = load_workbook(io.BytesIO(got.content)).active
        titles = [r[1].value for r in sheet.iter_rows(min_row=2)]
        assert "Engagement rate to 4%" in titles
