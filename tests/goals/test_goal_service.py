"""Goals and OKRs on the demo workspace: creation contract, tracking, bad input, isolation."""

from __future__ import annotations

from datetime import date

import pytest

from socialpulse.bootstrap import App
from socialpulse.catalogue import metric_catalogue, read_yaml
from socialpulse.catalogue.goals import goal_catalogue
from socialpulse.domain.actor import Actor
from socialpulse.domain.errors import CatalogueError, InvalidInput, MissingData, NotFound
from socialpulse.domain.goals import load_goal_catalogue
from socialpulse.domain.periods import DateRange
from socialpulse.services.goals import GoalSpec

ACTOR = Actor.local("tester")  # who the tests act as (service writes take an actor)

TODAY = date(2026, 10, 31)  # the demo data ends here


def test_every_goal_type_metric_pair_has_a_template_with_the_agreed_id():
    cat = goal_catalogue()
    assert len(cat.goal_types) == 10
    for gt in cat.goal_types.values():
        for m in gt.metrics:
            t = cat.templates[f"{gt.id}:{m}"]
            assert t.metric == m and t.goal_type == gt.id and t.title.startswith(gt.verb)
    assert cat.templates["brand_awareness:reach"].title == \
        "Raise brand awareness: post reach +20% by the end of the quarter"


def test_template_errors_name_the_file_and_the_entry():
    types, templates = read_yaml("goal_types.yaml"), read_yaml("goal_templates.yaml")
    broken = {"templates": dict(templates["templates"])}
    broken["templates"]["brand_awareness:reach"] = {
        **templates["templates"]["brand_awareness:reach"], "horizon": "soon"}
    with pytest.raises(CatalogueError, match=r"goal_templates.yaml: template "
                                             r"brand_awareness:reach: horizon 'soon'"):
        load_goal_catalogue(types, broken, metric_catalogue())
    missing = {"templates": {k: v for k, v in templates["templates"].items()
                             if k != "leads:conversion_rate"}}
    with pytest.raises(CatalogueError, match="template leads:conversion_rate is missing"):
        load_goal_catalogue(types, missing, metric_catalogue())


def test_goal_from_template_in_one_call_tracks_and_explains_itself(goals_app: App):
    ws = goals_app.workspace("demo")
    t = goals_app.goals.create_from_template(ACTOR, ws, "recruiting:followers", today=TODAY,
                                             owner="HR")
    d = t.as_dict()
    # scope: the own brand's LinkedIn accounts only (template default), never competitors
    own_li = {a.id for a in goals_app.store.accounts(ws.id)
              if a.is_own and a.network.value == "linkedin"}
    assert set(d["scope"]["account_ids"]) == own_li and len(own_li) == 2
    # baseline: the goal's window (as long as the previous quarter, 92 days) ending today,
    # computed by the metrics service and stored with how, in words
    assert d["baseline"]["period"] == "2026-08-01..2026-10-31" == d["current"]["window"]
    direct = goals_app.metrics.compute(ws, [("followers", None)],
                                       period=DateRange(date(2026, 8, 1), date(2026, 10, 31)),
                                       account_ids=sorted(own_li))
    assert d["baseline"]["value"] == pytest.approx(direct.rows[0]["followers"])
    assert d["baseline"]["how"]["formula"] == "followers"
    assert d["baseline"]["in_words"] == ("followers at the window's end over "
                                         f"2026-08-01..2026-10-31, {d['scope']['label']}")
    assert d["progress"] == 0
    assert d["target"]["value"] == pytest.approx(d["baseline"]["value"] * 1.05)
    assert d["deadline"] == "2026-12-31"
    # progress is (current - baseline) / (target - baseline)
    expect = (d["current"]["value"] - d["baseline"]["value"]) / (
        d["target"]["value"] - d["baseline"]["value"])
    assert d["progress"] == pytest.approx(expect)
    f = d["forecast"]
    assert f["lower"] <= f["value"] <= f["upper"] and f["backtest_mape_pct"] is not None
    assert d["status"] in {"on_track", "at_risk", "off_track"} and d["reason"]
    assert [c["letter"] for c in d["smart"]] == ["S", "M", "A", "R", "T"]
    assert "best 61-day change in the last" in d["smart"][2]["explanation"]
    assert d["status_history"][0]["status"] == d["status"]


def test_goal_by_hand_with_milestones_check_in_and_archive(goals_app: App):
    ws = goals_app.workspace("demo")
    spec = GoalSpec(metric="engagement_rate", goal_type="community_engagement",
                    objective="More conversation with hikers", baseline_period="2026-Q3",
                    target_value=4.0, deadline="2026-12-31", networks=["instagram"],
                    milestones=[{"due": "2026-11-30", "target_change_pct": 5,
                                 "label": "halfway"}])
    t = goals_app.goals.create(ACTOR, ws, spec, TODAY)
    d = t.as_dict()
    assert d["scope"]["networks"] == ["instagram"]
    assert d["milestones"][0]["label"] == "halfway"
    assert d["smart"][2]["letter"] == "A"
    gid = d["id"]
    later = date(2026, 11, 15)
    goals_app.goals.check_in(ACTOR, ws, gid, "Started the reels series", "ana", today=later)
    shown = goals_app.goals.track(ws, gid, later).as_dict()
    assert shown["checkins"][0]["comment"] == "Started the reels series"
    assert shown["checkins"][0]["value"] == pytest.approx(shown["current"]["value"])
    assert len(shown["status_history"]) >= 2
    goals_app.goals.archive(ACTOR, ws, gid)
    assert gid not in [x.goal.id for x in goals_app.goals.list(ws, TODAY)]
    assert gid in [x.goal.id for x in goals_app.goals.list(ws, TODAY, include_archived=True)]


def test_bad_input_says_what_to_change(goals_app: App):
    ws = goals_app.workspace("demo")
    svc = goals_app.goals
    with pytest.raises(InvalidInput, match="equals the baseline"):
        svc.create_from_template(ACTOR, ws, "brand_awareness:reach", today=TODAY,
                                 target_change_pct=0)
    with pytest.raises(InvalidInput, match="deadline: 2026-10-01 is not after today"):
        svc.create_from_template(ACTOR, ws, "brand_awareness:reach", today=TODAY,
                                 deadline="2026-10-01")
    with pytest.raises(MissingData, match="reach cannot be computed for Acme Outdoor on "
                                          "youtube"):
        svc.create_from_template(ACTOR, ws, "brand_awareness:reach", today=TODAY,
                                 networks=["youtube"])
    with pytest.raises(InvalidInput, match="campaign: cpm reads account_daily"):
        svc.create_from_template(ACTOR, ws, "conversions:cpm", today=TODAY, campaign="repair-days")
    with pytest.raises(InvalidInput, match="unknown template"):
        svc.create_from_template(ACTOR, ws, "brand_awareness:nope", today=TODAY)
    with pytest.raises(InvalidInput, match="unknown field 'colour'"):
        svc.create_from_template(ACTOR, ws, "brand_awareness:reach", today=TODAY, colour="red")
    with pytest.raises(InvalidInput, match=r"milestones\[1\]: due 2027-02-01 must fall"):
        svc.create_from_template(ACTOR, ws, "brand_awareness:reach", today=TODAY,
                                 milestones=[{"due": "2027-02-01", "target_value": 1}])


def test_campaign_scope_counts_only_the_campaigns_posts(goals_app: App):
    ws = goals_app.workspace("demo")
    period = DateRange(date(2026, 9, 16), date(2026, 10, 6))
    wider = DateRange(date(2026, 9, 1), period.end)  # the campaign and the days before it
    all_posts = goals_app.metrics.compute(ws, [("posts", None)], period=wider).rows[0]["posts"]
    tagged = goals_app.metrics.compute(ws, [("posts", None)], period=wider,
                                       campaign="repair-days").rows[0]["posts"]
    assert 0 < tagged < all_posts
    t = goals_app.goals.create_from_template(ACTOR,
        ws, "brand_awareness:shares", today=period.end, campaign="repair-days",
        baseline_period="last_21d", deadline="2026-12-15")
    assert t.goal.campaign == "repair-days" and t.goal.window_days == 21
    assert t.goal.baseline == period and "repair-days" in t.scope_label


def test_okr_grades_metric_and_milestone_key_results(goals_app: App):
    ws = goals_app.workspace("demo")
    svc = goals_app.goals
    okr = svc.add_okr(ACTOR, ws, "Become the outdoor brand hikers talk to", [
        {"template": "community_engagement:engagement_rate"},
        {"metric": "followers", "target_change_pct": 5, "networks": ["linkedin"]},
        {"milestone": "Buyer personas updated from social data"},
    ], deadline="2026-12-31", kind="aspirational", today=TODAY)
    assert [k["kind"] for k in okr["key_results"]] == ["metric", "metric", "milestone"]
    assert okr["key_results"][2]["grade"] is None  # not graded yet: unknown, not 0
    assert okr["key_results"][2]["colour"] == "grey" and okr["graded"] == 2
    assert okr["grade"] == pytest.approx(sum(k["grade"] for k in okr["key_results"][:2]) / 2)
    graded = svc.grade_key_result(ACTOR, ws, okr["id"], 3, 0.5, "draft personas", today=TODAY)
    krs = graded["key_results"]
    assert krs[2]["grade"] == 0.5 and krs[2]["colour"] == "yellow"
    for k in krs[:2]:
        assert 0.0 <= k["grade"] <= 1.0
        assert k["grade"] == pytest.approx(min(max(k["progress"], 0.0), 1.0))
    assert graded["grade"] == pytest.approx(sum(k["grade"] for k in krs) / 3)
    assert graded["colour"] in {"red", "yellow", "green"} and graded["graded"] == 3
    assert "aspirational: expected 0.7" in graded["verdict"]
    with pytest.raises(InvalidInput, match="graded from its metric automatically"):
        svc.grade_key_result(ACTOR, ws, okr["id"], 1, 0.5, today=TODAY)


def test_okr_bad_input(goals_app: App):
    ws = goals_app.workspace("demo")
    svc = goals_app.goals
    krs = [{"template": "community_engagement:engagement_rate"},
           {"milestone": "Personas"}]
    with pytest.raises(InvalidInput, match="3 to 5 key results, got 2"):
        svc.add_okr(ACTOR, ws, "O", krs, "2026-12-31", today=TODAY)
    with pytest.raises(InvalidInput, match="key result 3: Grow reach has no measure"):
        svc.add_okr(ACTOR, ws, "O", [*krs, {"title": "Grow reach"}], "2026-12-31", today=TODAY)
    with pytest.raises(InvalidInput, match="key result 3: metric reach needs a target"):
        svc.add_okr(ACTOR, ws, "O", [*krs, {"metric": "reach"}], "2026-12-31", today=TODAY)
    before = len(goals_app.goals.repo.goals(ws.id, include_archived=True))
    with pytest.raises(InvalidInput):
        svc.add_okr(ACTOR, ws, "O", [*krs, {"metric": "reach"}], "2026-12-31", today=TODAY)
    # nothing half-written: the valid first key result did not leave a goal behind
    assert len(goals_app.goals.repo.goals(ws.id, include_archived=True)) == before


def test_goals_are_scoped_by_workspace(goals_app: App):
    ws = goals_app.workspace("demo")
    t = goals_app.goals.create_from_template(ACTOR, ws, "brand_awareness:impressions", today=TODAY)
    other = goals_app.store.create_workspace("other", "Other")
    assert goals_app.goals.list(other, TODAY) == []
    with pytest.raises(NotFound):
        goals_app.goals.track(other, t.goal.id, TODAY)


def test_backtest_on_demo_reports_finite_error_and_sane_coverage(goals_app: App):
    ws = goals_app.workspace("demo")
    rows = goals_app.goals.backtest(ws, [("impressions", None), ("followers", None)], TODAY,
                                    horizons_weeks=(4,))
    assert len(rows) == 2
    for r in rows:
        assert r["forecasts"] > 30 and r["intervals"] > 20
        assert 0 < r["mape_pct"] < 50
        assert 0.3 <= r["coverage"] <= 1.0


def test_revising_a_goal_revalidates_it_and_logs_the_change(goals_app: App):
    ws = goals_app.workspace("demo")
    t = goals_app.goals.create_from_template(ACTOR, ws, "brand_awareness:reach", today=TODAY)
    old = t.as_dict()
    assert old["title"] == "Raise brand awareness: post reach +20% by the end of the quarter"
    r = goals_app.goals.revise(ACTOR, ws, t.goal.id, {"target_change_pct": 10,
                                               "deadline": "2027-01-31"},
                               reason="budget cut", author="Ana", today=TODAY)
    d = r.as_dict()
    # what is measured stays; the bar and the date move, the title follows them
    assert d["baseline"] == old["baseline"] and d["scope"] == old["scope"]
    assert d["target"]["value"] == pytest.approx(old["baseline"]["value"] * 1.10)
    assert d["deadline"] == "2027-01-31" and d["start_date"] == old["start_date"]
    assert d["title"].endswith("+10% by 2027-01-31")
    # progress is against the new target; SMART re-checked for the new horizon
    expect = (d["current"]["value"] - d["baseline"]["value"]) / (
        d["target"]["value"] - d["baseline"]["value"])
    assert d["progress"] == pytest.approx(expect)
    assert [c["letter"] for c in d["smart"]] == ["S", "M", "A", "R", "T"]
    # the log says what moved, by whom and why
    note = d["checkins"][-1]
    assert note["author"] == "Ana" and note["comment"].startswith("Revised: target ")
    assert "deadline 2026-12-31 -> 2027-01-31" in note["comment"]
    assert note["comment"].endswith("budget cut")
    # a title the user wrote is kept
    r = goals_app.goals.revise(ACTOR, ws, t.goal.id, {"title": "Reach, Q4 push"}, today=TODAY)
    r = goals_app.goals.revise(ACTOR, ws, t.goal.id,
                               {"target_value": 1.3 * old["baseline"]["value"]}, today=TODAY)
    assert r.goal.title == "Reach, Q4 push"
    assert r.goal.target_change_pct is None


@pytest.mark.parametrize("changes, message", [
    ({"metric": "reach"}, "metric: what a goal measures cannot change"),
    ({"colour": "red"}, "colour: fields are title, objective, owner"),
    ({}, "nothing to change"),
    ({"deadline": "2026-10-01"}, "deadline: 2026-10-01 is not after today"),
    ({"target_value": 1, "target_change_pct": 5}, "not both"),
    ({"target_change_pct": 0}, "equals the baseline"),
    ({"owner": "PR"}, None),  # valid, for the "changes nothing" check below
    ({"owner": "PR"}, "the revision changes nothing"),
])
def test_revision_errors_change_nothing(goals_app: App, changes, message):
    ws = goals_app.workspace("demo")
    goal = next((x.goal for x in goals_app.goals.list(ws, TODAY)
                 if x.goal.template_id == "brand_awareness:impressions"), None)
    if goal is None:
        goal = goals_app.goals.create_from_template(ACTOR, ws, "brand_awareness:impressions",
                                                    today=TODAY).goal
    before = goals_app.goals.repo.goal(ws.id, goal.id)
    n = len(goals_app.goals.repo.checkins(goal.id))
    if message is None:
        goals_app.goals.revise(ACTOR, ws, goal.id, changes, today=TODAY)
        return
    with pytest.raises(InvalidInput, match=message):
        goals_app.goals.revise(ACTOR, ws, goal.id, changes, today=TODAY)
    assert goals_app.goals.repo.goal(ws.id, goal.id) == before
    assert len(goals_app.goals.repo.checkins(goal.id)) == n


def test_archived_goals_cannot_be_revised(goals_app: App):
    ws = goals_app.workspace("demo")
    t = goals_app.goals.create_from_template(ACTOR, ws, "brand_awareness:shares", today=TODAY)
    goals_app.goals.archive(ACTOR, ws, t.goal.id)
    with pytest.raises(InvalidInput, match="archived"):
        goals_app.goals.revise(ACTOR, ws, t.goal.id, {"owner": "x"}, today=TODAY)
