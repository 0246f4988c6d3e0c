"""The Audit, Maturity and Funnel pages and their JSON API, on a private demo copy."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from socialpulse.bootstrap import App
from socialpulse.domain import maturity as mat
from socialpulse.domain.periods import Grain, parse_period
from socialpulse.domain.query import Breakdown
from socialpulse.interfaces.web.app import create_app
from tests.webfixtures import browser_client

from .conftest import serve_app


@pytest.fixture
def web(demo_app: App) -> Iterator[tuple[TestClient, App]]:
    app = create_app(demo_app.settings)
    with browser_client(app, raise_server_exceptions=False) as c:
        yield c, app.state.sp


def test_questionnaire_and_assessment_api(web: tuple[TestClient, App]) -> None:
    c, _ = web
    q = c.get("/api/maturity/questionnaire").json()
    assert len(q["questions"]) == 35 and len(q["dimensions"]) == 8
    answers = {x["id"]: 2 for x in q["questions"]}
    r = c.post("/api/workspaces/demo/maturity/assessments", json={"answers": answers})
    assert r.status_code == 201
    body = r.json()
    assert body["scores"]["mean_stage_name"] == "Participate"
    assert body["progress"] and body["recommendations"]
    assert c.get("/api/workspaces/demo/maturity/assessments/latest").json()["assessment"][
        "id"] == body["assessment"]["id"]
    bad = dict(answers, **{"engagement.response": 9})
    r = c.post("/api/workspaces/demo/maturity/assessments", json={"answers": bad})
    assert r.status_code == 400
    assert r.json() == {"error": {"message":
                        "body: answers.engagement.response: 9 is out of range; use 1 to 5"}}
    del answers["reach.hr"]
    r = c.post("/api/workspaces/demo/maturity/assessments", json={"answers": answers})
    assert r.status_code == 400 and "missing answer for reach.hr" in r.json()["error"]["message"]
    r = c.put("/api/workspaces/demo/maturity/profile",
              json={"industry": "oil", "size_band": "1-49", "region": "europe"})
    assert r.status_code == 400
    assert r.json()["error"]["message"].startswith("organisation.industry: 'oil' is not one of")
    assert c.get("/api/workspaces/nope/maturity/profile").status_code == 404
    packs = c.get("/api/maturity/benchmarks").json()
    assert packs[0]["synthetic"] is True and packs[0]["hidden_groups"] == 27


def test_audit_api_and_page_save_baselines(web: tuple[TestClient, App]) -> None:
    c, app = web
    assert c.get("/api/workspaces/demo/audit/baselines").json() == []
    r = c.get("/api/workspaces/demo/audit", params={"period": "2026-Q3"})
    assert r.status_code == 200 and len(r.json()["accounts"]) == 8
    assert c.get("/api/workspaces/demo/audit", params={"period": "Q3"}).status_code == 400
    page = c.get("/audit")
    assert page.status_code == 200 and "Save audit and baselines" in page.text
    assert "inconsistent handle" in page.text
    r = c.post("/audit?workspace=demo", data={"start": "2026-07-01", "end": "2026-09-30"},
               follow_redirects=False)
    assert r.status_code == 303 and "run=1" in r.headers["location"]
    saved = c.get(r.headers["location"])
    assert "Baselines of this run" in saved.text and "saved run 1" in saved.text
    baselines = c.get("/api/workspaces/demo/audit/baselines").json()
    assert baselines and {b["period_start"] for b in baselines} == {"2026-07-01"}
    assert c.get("/audit?run=abc").status_code == 400


def test_funnel_matches_the_metric_service(web: tuple[TestClient, App]) -> None:
    c, app = web
    data = c.get("/api/workspaces/demo/funnel", params={"period": "2026-Q3"}).json()
    assert [s["metric"] for s in data["stages"]] == [
        "conversation_rate", "applause_rate", "amplification_rate"]
    ws = app.workspace("demo")
    own = [a.id for a in app.store.accounts(ws.id) if a.is_own]
    direct = app.metrics.compute(ws, [("applause_rate", None)],
                                 Breakdown(("network",), Grain.MONTH), parse_period("2026-Q3"),
                                 account_ids=own)
    monthly = [r["applause_rate"] for r in direct.rows if r["network"] == "tiktok"]
    assert len(monthly) == 3  # the whole period is the average of the monthly rates
    assert data["totals"]["TikTok"]["applause_rate"] == pytest.approx(sum(monthly) / 3)
    assert data["totals"]["TikTok"]["periods"] == 3 and "average" in data["totals_how"]
    assert {r["period"][:7] for r in data["rows"]} == {"2026-07", "2026-08", "2026-09"}
    assert c.get("/api/workspaces/demo/funnel", params={"period": "2026-Q3",
                                                        "grain": "day"}).status_code == 400
    page = c.get("/funnel")
    assert page.status_code == 200 and page.text.count("data-funnel-chart") == 3


def test_wizard_errors_are_pages_not_tracebacks(web: tuple[TestClient, App]) -> None:
    c, _ = web
    r = c.get("/maturity/assess?step=9")
    assert r.status_code == 400 and "step: &#39;9&#39; must be 1 to 8" in r.text
    r = c.post("/maturity/assess?step=1", data={"listening.monitoring": "7", "action": "next"})
    assert r.status_code == 400 and "answers.listening.monitoring: 7 is out of range" in r.text
    r = c.post("/maturity/assess?step=8", data={"action": "finish"})
    assert r.status_code == 400 and "missing answer for listening.monitoring" in r.text
    assert 'data-step="1"' in r.text  # sent back to the first step with gaps
    step3 = c.get("/maturity/assess?step=3").text
    assert "Your data: 6 business functions whose accounts posted" in step3
    assert step3.count("data-hint") == 1  # only reach.functions has evidence on this step


@pytest.mark.browser
def test_take_the_assessment_in_the_browser(demo_app: App, page: Any, page_log: Any) -> None:
    with serve_app(create_app(demo_app.settings)) as server:
        base = server.url
        page.goto(f"{base}/maturity")
        page.click("[data-start-assessment]")
        # step 1, then save and come back later: the answers are kept
        for fs in page.query_selector_all("fieldset[data-question]"):
            fs.query_selector("input[value='3']").check()
        page.click("button[value='save']")
        assert "Resume assessment (4/35 answered)" in page.inner_text("[data-start-assessment]")
        page.click("[data-start-assessment]")
        assert page.is_checked("fieldset[data-question='listening.monitoring'] input[value='3']")
        for step in range(1, 9):
            assert page.get_attribute("form[data-step]", "data-step") == str(step)
            for fs in page.query_selector_all("fieldset[data-question]"):
                level = "4" if step <= 2 else "3"
                fs.query_selector(f"input[value='{level}']").check()
            page.click("[data-finish]" if step == 8 else "[data-next]")
        page.wait_for_selector("[data-mean-stage]")
        assert "3 · Scale" in page.inner_text("[data-mean-stage]")
        assert "3 · Scale" in page.inner_text("[data-weakest-stage]")
        radar = page.wait_for_selector("[data-radar][data-rendered='true']")
        assert radar.query_selector("svg") is not None
        legend = page.inner_text("[data-radar]")
        assert "Your organisation" in legend and "synthetic demo data" in legend
        assert "synthetic demo data" in page.inner_text("[data-overall-percentile]")
        assert page.query_selector_all("[data-finding]")
        assert re.search(r"\d+th percentile", page.inner_text("[data-overall-percentile]"))
        # turn the first recommendation into a goal
        first = page.query_selector("[data-recommendation]")
        template = first.query_selector("input[name='template']").get_attribute("value")
        first.query_selector("[data-create-goal]").click()
        page.wait_for_selector("[data-goal-created]")
        assert page_log.errors == [] and page_log.foreign_hosts() == []
    ws = demo_app.workspace("demo")
    newest = max(demo_app.goals.list(ws), key=lambda t: t.goal.id)  # after the demo's goals
    assert newest.goal.template_id == template


def test_overview_panel_shows_the_latest_stage(web: tuple[TestClient, App]) -> None:
    c, app = web
    ws = app.workspace("demo")
    s = app.maturity.scores_of(app.maturity.latest(ws))
    html = c.get("/").text
    panel = html[html.index('data-panel="maturity"'):]
    panel = panel[:panel.index("</article>")]
    assert f"Stage {s.mean_stage} {mat.stage_name(s.mean_stage)} (mean)" in panel
    assert "Next: " in panel and "/maturity/results?workspace=demo" in panel


def test_create_goal_from_a_recommendation(web: tuple[TestClient, App]) -> None:
    c, app = web
    ws = app.workspace("demo")
    latest = app.maturity.latest(ws)
    r = c.post("/maturity/goal?workspace=demo",
               data={"template": "customer_service:response_rate", "assessment": latest.id},
               follow_redirects=False)
    assert r.status_code == 303 and "goal=" in r.headers["location"]
    assert "data-goal-created" in c.get(r.headers["location"]).text
    newest = max(app.goals.list(ws), key=lambda t: t.goal.id)  # after the demo's goals
    assert newest.goal.template_id == "customer_service:response_rate"
    assert newest.goal.metric == "response_rate"
    r = c.post("/maturity/goal?workspace=demo", data={"template": "brand_awareness:reach"})
    assert r.status_code == 400 and "is not a recommendation&#39;s goal template" in r.text
