"""Goals on the web: the JSON API contract and the pages in a real Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from socialpulse.bootstrap import App
from socialpulse.domain.actor import Actor
from socialpulse.interfaces.web.app import create_app
from tests.webfixtures import browser_client

from .conftest import LiveServer, PageLog, serve_app

ACTOR = Actor.local("tester")  # who the tests act as (service writes take an actor)

TODAY = date(2026, 10, 31)
Q = "?today=2026-10-31"


@pytest.fixture(scope="module")
def web(goals_app: App) -> Any:
    return create_app(goals_app.settings)


@pytest.fixture(scope="module")
def client(web: Any) -> Iterator[TestClient]:
    with browser_client(web, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def server(web: Any) -> Iterator[LiveServer]:
    with serve_app(web) as s:
        yield s


def test_api_create_show_check_in(client: TestClient):
    r = client.post(f"/api/workspaces/demo/goals{Q}", json={
        "template": "brand_awareness:reach", "objective": "Be seen by more hikers",
        "target_change_pct": 25, "owner": "ana",
        "milestones": [{"due": "2026-11-30", "target_change_pct": 10, "label": "halfway"}]})
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["objective"] == "Be seen by more hikers" and d["target"]["change_pct"] == 25
    r = client.get(f"/api/workspaces/demo/goals/{d['id']}{Q}")
    assert r.status_code == 200 and r.json()["milestones"][0]["label"] == "halfway"
    r = client.post(f"/api/workspaces/demo/goals/{d['id']}/checkins{Q}",
                    json={"comment": "Reels live", "author": "ana"})
    assert r.status_code == 201 and r.json()["checkins"][-1]["comment"] == "Reels live"
    listed = client.get(f"/api/workspaces/demo/goals{Q}").json()
    assert d["id"] in [g["id"] for g in listed]
    assert any(t["id"] == "brand_awareness:reach"
               for t in client.get("/api/goal-templates").json())


@pytest.mark.parametrize(("body", "status", "message"), [
    ({"template": "brand_awareness:reach", "target_change_pct": 0}, 400,
     "equals the baseline"),
    ({"template": "brand_awareness:reach", "deadline": "2026-01-01"}, 400,
     "is not after today"),
    ({"template": "brand_awareness:reach", "networks": ["youtube"]}, 422,
     "cannot be computed"),
    ({"template": "brand_awareness:reach", "target_value": "high"}, 400,
     "target_value must be a number"),
    ({"metric": "no_such_metric", "deadline": "2026-12-31"}, 400, "unknown metric"),
])
def test_api_bad_input(client: TestClient, body, status, message):
    r = client.post(f"/api/workspaces/demo/goals{Q}", json=body)
    assert r.status_code == status
    assert message in r.json()["error"]["message"]


def test_api_okr_without_measure_is_refused(client: TestClient):
    r = client.post(f"/api/workspaces/demo/okrs{Q}", json={
        "title": "O", "deadline": "2026-12-31",
        "key_results": [{"template": "brand_awareness:reach"}, {"milestone": "Plan"},
                        {"title": "Be famous"}]})
    assert r.status_code == 400
    assert "key result 3: Be famous has no measure" in r.json()["error"]["message"]


@pytest.mark.browser
def test_goal_page_chart_board_and_okr_in_chromium(goals_app: App, server: LiveServer,
                                                   page: Any, page_log: PageLog):
    # a few clicks: the board's form creates a goal from a template
    page.goto(server.url + f"/goals{Q}")
    page.select_option("[data-new-goal] select[name=template]",
                       "community_engagement:engagement_rate")
    page.fill("[data-new-goal] input[name=target_change_pct]", "8")
    page.click("[data-new-goal] button[type=submit]")
    page.wait_for_url("**/goals/*")
    assert page.locator("[data-status]").inner_text() in {"on track", "at risk", "off track"}
    assert page.locator("[data-smart]").count() == 5
    chart = page.locator("[data-goal-chart]")
    page.wait_for_function(
        "el => el.getAttribute('data-rendered') === 'true' || el.hasAttribute("
        "'data-render-error')", arg=chart.element_handle())
    assert chart.get_attribute("data-render-error") is None
    assert chart.get_attribute("data-rendered") == "true"
    # actual and projection lines, the projection band, target and baseline lines
    assert chart.locator("svg .mark-line path").count() >= 3
    assert chart.locator("svg .mark-area path").count() >= 1
    # a goal with a milestone shows it as a point
    t = goals_app.goals.create_from_template(ACTOR,
        goals_app.workspace("demo"), "brand_awareness:impressions", today=TODAY,
        milestones=[{"due": "2026-11-30", "target_change_pct": 8, "label": "November"}])
    page.goto(server.url + f"/goals/{t.goal.id}{Q}")
    chart = page.locator("[data-goal-chart]")
    page.wait_for_function("el => el.getAttribute('data-rendered') === 'true'",
                           arg=chart.element_handle())
    assert chart.locator("svg .mark-symbol path").count() >= 1
    # revise it from the page: the deadline moves and the check-ins say so
    page.click("[aria-label=Revise] summary")
    page.fill("[data-revise] input[name=deadline]", "2027-01-15")
    page.fill("[data-revise] input[name=reason]", "campaign moved")
    page.click("[data-revise] button[type=submit]")
    page.wait_for_selector("[data-checkin]")
    assert "Target by 2027-01-15" in page.inner_text("[aria-label=Status]")
    assert "campaign moved" in page.locator("[data-checkin]").last.inner_text()
    # the board shows progress bars and statuses
    page.goto(server.url + f"/goals{Q}")
    rows = page.locator("[data-goals-board] tbody tr")
    assert rows.count() >= 2
    assert page.locator("[data-goals-board] .progress").count() == rows.count()
    # OKR page with grades and colours
    okr = goals_app.goals.add_okr(ACTOR, goals_app.workspace("demo"), "Hikers love us", [
        {"template": "community_engagement:engagement_rate"},
        {"metric": "followers", "target_change_pct": 3},
        {"milestone": "Personas updated"}], "2026-12-31", today=TODAY)
    page.goto(server.url + f"/okrs/{okr['id']}{Q}")
    kr3 = page.locator('[data-kr="3"] .grade')
    assert kr3.inner_text() == "ungraded" and "grade-grey" in (kr3.get_attribute("class") or "")
    page.fill("input[name=grade]", "0.7")
    page.click("form button[type=submit]")
    page.wait_for_url(f"**/okrs/{okr['id']}*")
    assert page.locator('[data-kr="3"] .grade').inner_text() == "0.7"
    assert "grade-green" in (page.locator('[data-kr="3"] .grade').get_attribute("class") or "")
    # the list shows the objective's grade as the detail page does (one computation)
    detail = page.locator("[data-objective-grade]").inner_text()
    page.goto(server.url + f"/okrs{Q}")
    assert page.locator(f"[data-okr='{okr['id']}'] [data-objective-grade]").inner_text() == detail
    # an OKR from the form, key results typed as on the command line
    page.goto(server.url + f"/okrs{Q}")
    page.fill("[data-new-okr] input[name=title]", "Be the brand hikers ask")
    page.fill("[data-new-okr] input[name=deadline]", "2026-12-31")
    page.fill("[data-new-okr] input[name=kr1]", "template=brand_awareness:impressions")
    page.fill("[data-new-okr] input[name=kr2]", "metric=followers;change=+3%")
    page.fill("[data-new-okr] input[name=kr3]", "milestone=Trail guide published")
    page.click("[data-new-okr] button[type=submit]")
    page.wait_for_url("**/okrs/*")
    assert page.locator("[data-key-results] tbody tr").count() == 3
    assert page_log.errors == [] and page_log.foreign_hosts() == []


def test_overview_panel_lists_goals_at_risk(client: TestClient, goals_app: App):
    ws = goals_app.workspace("demo")
    goals = goals_app.goals.list(ws)
    assert goals, "earlier tests of this module created goals"
    bad = [t for t in goals if t.status.value in ("at_risk", "off_track")]
    html = client.get("/").text
    assert "Goals at risk" in html
    if bad:
        assert bad[0].goal.title in html
    else:
        assert "goals are on track or done" in html


def test_okr_form_error_is_shown_and_nothing_is_stored(client: TestClient, goals_app: App):
    ws = goals_app.workspace("demo")
    before = len(goals_app.goals.repo.objectives(ws.id))
    r = client.post(f"/okrs/new{Q}", data={
        "title": "O", "deadline": "2026-12-31", "kr1": "template=brand_awareness:reach",
        "kr2": "milestone=Plan", "kr3": "title=Be famous"})
    assert r.status_code == 400
    assert "key result 3: Be famous has no measure" in r.text
    assert len(goals_app.goals.repo.objectives(ws.id)) == before


def test_archive_from_the_goal_page(client: TestClient, goals_app: App):
    ws = goals_app.workspace("demo")
    t = goals_app.goals.create_from_template(ACTOR, ws, "brand_awareness:shares", today=TODAY)
    r = client.post(f"/goals/{t.goal.id}/archive{Q}", follow_redirects=False)
    assert r.status_code == 303
    assert t.goal.id not in [x.goal.id for x in goals_app.goals.list(ws, TODAY)]


def test_api_revise_and_its_errors(client: TestClient, goals_app: App):
    ws = goals_app.workspace("demo")
    t = goals_app.goals.create_from_template(ACTOR, ws, "brand_awareness:virality_rate",
                                             today=TODAY)
    url = f"/api/workspaces/demo/goals/{t.goal.id}{Q}"
    r = client.patch(url, json={"target_change_pct": 30, "owner": "ana", "reason": "board ask",
                                "author": "ana"})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["target"]["change_pct"] == 30 and d["owner"] == "ana"
    assert d["checkins"][-1]["comment"].endswith("board ask")
    for body, message in [({"metric": "reach"}, "what a goal measures cannot change"),
                          ({"deadline": "soon"}, "deadline"),
                          ({"target_value": "high"}, "target_value must be a number"),
                          ([1], "must be a JSON object")]:
        r = client.patch(url, json=body)
        assert r.status_code == 400 and message in r.json()["error"]["message"], r.text
    assert client.get(url).json()["target"]["change_pct"] == 30
    assert client.patch(f"/api/workspaces/demo/goals/99999{Q}",
                        json={"owner": "x"}).status_code == 404


def test_revise_form_error_is_shown_and_nothing_is_stored(client: TestClient, goals_app: App):
    ws = goals_app.workspace("demo")
    t = goals_app.goals.create_from_template(ACTOR, ws, "brand_awareness:amplification_rate",
                                             today=TODAY)
    r = client.post(f"/goals/{t.goal.id}/revise{Q}",
                    data={"target_change_pct": "lots", "reason": "why not"})
    assert r.status_code == 400 and "target change: &#39;lots&#39; is not a number" in r.text
    assert 'value="why not"' in r.text  # the form keeps what was typed
    assert goals_app.goals.repo.goal(ws.id, t.goal.id) == t.goal
    r = client.post(f"/goals/{t.goal.id}/revise{Q}",
                    data={"deadline": "2026-09-01", "reason": "typo"})
    assert r.status_code == 400 and "is not after today" in r.text
    assert goals_app.goals.repo.checkins(t.goal.id) == []
