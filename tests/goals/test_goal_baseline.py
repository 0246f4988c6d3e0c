"""A new goal starts at progress 0: its baseline is the goal's own window (same length, metric
and scope) ending on its start day. Property-tested on the demo workspace over templates,
start days and target changes; plus the SMART flag for a target already met and goals stored
under the earlier rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialpulse.bootstrap import App
from socialpulse.catalogue.goals import goal_catalogue
from socialpulse.domain import goals as g
from socialpulse.domain.actor import Actor
from socialpulse.domain.periods import DateRange, trailing
from socialpulse.services.goals import GoalSpec

ACTOR = Actor.local("tester")  # who the tests act as (service writes take an actor)

TODAY = date(2026, 10, 31)  # the demo data ends here
#: templates over the metrics the demo has data for (posts, followers, mentions)
DEMO_METRICS = {"reach", "impressions", "shares", "followers", "engagement_rate",
                "amplification_rate", "virality_rate", "applause_rate", "conversation_rate",
                "audience_growth_rate", "video_views", "brand_mentions", "share_of_voice",
                "social_sentiment"}
TEMPLATES = sorted(t.id for t in goal_catalogue().templates.values()
                   if t.metric in DEMO_METRICS)


@settings(max_examples=12, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(template=st.sampled_from(TEMPLATES),
       start=st.dates(date(2025, 12, 1), date(2026, 12, 15)),
       change=st.sampled_from([-25, -10, -3, 3, 10, 40]))
def test_a_new_goal_starts_at_zero_progress(goals_app: App, template: str, start: date,
                                            change: int) -> None:
    ws = goals_app.workspace("demo")
    tpl = goal_catalogue().template(template)
    t = goals_app.goals.create_from_template(ACTOR, ws, template, today=start,
                                             target_change_pct=change,
                                             deadline=(start + timedelta(days=90)).isoformat())
    gl = t.goal
    # the baseline is the window current is measured over at the start (the last day with
    # data when the start is later), as long as the template's baseline period
    anchor = min(start, TODAY)
    named = g.resolve_baseline(tpl.baseline, start)
    assert gl.baseline == trailing(anchor, named.days) and gl.window_days == named.days
    assert t.as_of == anchor and t.current == gl.baseline_value
    assert t.progress == 0
    # a target the current value already meets is flagged, and only then
    smart = {c["letter"]: c for c in gl.smart}
    met = g.already_met(t.metric, gl.baseline_value, gl.target_value)
    assert met == (smart["A"]["explanation"].startswith("the target is already met today"))
    assert met == ((change < 0) == (t.metric.direction == "higher"))
    if met:
        assert smart["A"]["level"] == "fail"
    # how it was computed, in words and without internal names
    words = t.as_dict()["baseline"]["in_words"]
    assert words.startswith(g.measure_words(goals_app.catalogue, t.metric, gl.variant))
    assert f"over {gl.baseline.label()}, " in words and "Service" not in words


def test_a_revision_that_asks_for_what_is_already_there_is_flagged(goals_app: App) -> None:
    ws = goals_app.workspace("demo")
    start = TODAY - timedelta(days=30)
    t = goals_app.goals.create_from_template(ACTOR, ws, "recruiting:followers", today=start,
                                             target_change_pct=5)
    assert t.current is not None and t.goal.baseline.end == start
    now = goals_app.goals.track(ws, t.goal.id, TODAY)
    assert now.current is not None and now.current > t.goal.baseline_value
    lower = (t.goal.baseline_value + now.current) / 2  # above the baseline, below today
    r = goals_app.goals.revise(ACTOR, ws, t.goal.id, {"target_value": lower}, reason="too easy?",
                               today=TODAY)
    a = next(c for c in r.goal.smart if c["letter"] == "A")
    assert a["level"] == "fail" and a["explanation"].startswith(
        "the target is already met today: Followers is ")
    assert r.goal.baseline == t.goal.baseline  # a revision keeps what the goal measures


def test_goals_stored_under_the_earlier_rule_keep_their_baseline_and_say_so(
        goals_app: App) -> None:
    ws = goals_app.workspace("demo")
    spec = GoalSpec(template="brand_awareness:reach", deadline="2026-12-31")
    new = goals_app.goals.prepare(ws, spec, TODAY)
    q3 = DateRange(date(2026, 7, 1), date(2026, 9, 30))
    value = goals_app.metrics.compute(ws, [("reach", None)], period=q3,
                                      account_ids=list(new.account_ids)).rows[0]["reach"]
    old_how = {k: v for k, v in new.baseline_how.items() if k not in ("rule", "in_words")}
    old = replace(new, baseline=q3, baseline_value=value, window_days=q3.days,
                  target_value=value * 1.2, baseline_how={**old_how, "by": "old engine text"})
    gid = goals_app.goals.repo.add_goal(old)
    d = goals_app.goals.track(ws, gid, TODAY).as_dict()
    assert d["baseline"]["period"] == "2026-07-01..2026-09-30"
    assert d["baseline"]["value"] == pytest.approx(value)
    assert d["progress"] != 0 and "by" not in d["baseline"]["how"]
    assert any(n.startswith("baseline kept as first measured, over 2026-07-01..2026-09-30")
               for n in d["notes"])


def test_an_objective_grades_its_graded_key_results_only(goals_app: App) -> None:
    ws = goals_app.workspace("demo")
    o = goals_app.goals.add_okr(ACTOR, ws, "Known for repairs", [
        {"milestone": "Repair guide published"},
        {"milestone": "Repair partners in 3 countries"},
        {"milestone": "Repair Days every quarter"},
    ], deadline="2026-12-31", today=TODAY)
    assert o["grade"] is None and o["grade_text"] == "ungraded" and o["colour"] == "grey"
    assert o["success"] is None and "no key result graded yet" in o["verdict"]
    o = goals_app.goals.grade_key_result(ACTOR, ws, o["id"], 1, 0.8, today=TODAY)
    o = goals_app.goals.grade_key_result(ACTOR, ws, o["id"], 2, 0.6, today=TODAY)
    assert o["grade"] == pytest.approx(0.7) and o["grade_text"] == "0.7"
    assert o["coverage"] == "2 of 3 key results graded" and o["colour"] == "green"
    assert o["verdict"] == ("aspirational: expected 0.7, graded 0.7 (2 of 3 key results "
                            "graded) - met expectation")
    assert [k["grade_text"] for k in o["key_results"]] == ["0.8", "0.6", "ungraded"]
    assert [k["colour"] for k in o["key_results"]] == ["green", "yellow", "grey"]
