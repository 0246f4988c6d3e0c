"""Goal and OKR writes are made by an actor the one permission chokepoint lets through;
reads take no actor and write nothing (issue 12)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from socialpulse.bootstrap import App
from socialpulse.domain.actor import Actor, ActorKind
from socialpulse.domain.errors import Forbidden
from socialpulse.domain.goals import GoalSpec

from .conftest import TODAY

ACTOR = Actor.local("tester")
#: a signed-in user: a known kind that holds no grant until roles exist
OUTSIDER = Actor("user:eve", "eve", ActorKind.USER)


def _state(app: App, ws_id: int) -> dict[str, Any]:
    """Everything the goal writes could change, as plain values."""
    repo = app.goals.repo
    goals = repo.goals(ws_id, include_archived=True)
    return {"goals": goals,
            "checkins": {g.id: repo.checkins(g.id) for g in goals},
            "history": {g.id: repo.status_history(g.id) for g in goals},
            "objectives": repo.objectives(ws_id)}


def test_goal_writes_refuse_an_actor_without_the_grant(goals_app: App) -> None:
    ws = goals_app.workspace("demo")
    svc = goals_app.goals
    t = svc.create_from_template(ACTOR, ws, "brand_awareness:reach", today=TODAY)
    okr = svc.add_okr(ACTOR, ws, "Hikers talk with us", [
        {"metric": "followers", "target_change_pct": 5},
        {"milestone": "Personas updated"},
        {"milestone": "Playbook signed"},
    ], "2026-12-31", today=TODAY)
    before = _state(goals_app, ws.id)
    spec = GoalSpec(template="brand_awareness:impressions")
    writes = [
        lambda: svc.create(OUTSIDER, ws, spec, TODAY),
        lambda: svc.create_from_template(OUTSIDER, ws, "brand_awareness:shares", today=TODAY),
        lambda: svc.check_in(OUTSIDER, ws, t.goal.id, "progress", today=TODAY),
        lambda: svc.revise(OUTSIDER, ws, t.goal.id, {"owner": "eve"}, today=TODAY),
        lambda: svc.archive(OUTSIDER, ws, t.goal.id),
        lambda: svc.add_okr(OUTSIDER, ws, "O", [{"milestone": "a"}, {"milestone": "b"},
                                                 {"milestone": "c"}], "2026-12-31",
                            today=TODAY),
        lambda: svc.grade_key_result(OUTSIDER, ws, okr["id"], 2, 0.5, today=TODAY),
    ]
    for write in writes:
        with pytest.raises(Forbidden, match=r"^eve \(user\) may not change goals and OKRs in "
                                            r"workspace 'demo'$"):
            write()
    assert _state(goals_app, ws.id) == before
    # the same writes by the local user go through
    svc.check_in(ACTOR, ws, t.goal.id, "progress", today=TODAY)
    assert len(goals_app.goals.repo.checkins(t.goal.id)) == 1


def test_viewing_goals_and_okrs_writes_no_status(goals_app: App) -> None:
    """A day after the deadline every status changes (achieved or missed): viewing then must
    still record nothing; only writes (create, check-in, revise, add or grade an OKR) do."""
    ws = goals_app.workspace("demo")
    svc = goals_app.goals
    okr = svc.add_okr(ACTOR, ws, "Reach more hikers", [
        {"metric": "reach", "target_change_pct": 10},
        {"metric": "followers", "target_change_pct": 5},
        {"milestone": "Trail guide published"},
    ], "2026-12-31", today=TODAY)
    assert all(k["status"] not in ("achieved", "missed")
               for k in okr["key_results"] if k["kind"] == "metric")
    before = _state(goals_app, ws.id)
    later = date(2027, 1, 15)
    viewed = svc.okr(ws, okr["id"], later)
    assert {k["status"] for k in viewed["key_results"] if k["kind"] == "metric"} <= {
        "achieved", "missed"}
    svc.okrs(ws, later)
    svc.list(ws, later, include_archived=True)
    svc.at_risk(ws, later)
    for g in before["goals"]:
        svc.track(ws, g.id, later)
    assert _state(goals_app, ws.id) == before
    # grading is a write: it records the metric key results' new status
    svc.grade_key_result(ACTOR, ws, okr["id"], 3, 1.0, today=later)
    goal_ids = [k["goal_id"] for k in okr["key_results"] if k["goal_id"] is not None]
    after = _state(goals_app, ws.id)["history"]
    assert all(len(after[i]) == len(before["history"][i]) + 1 for i in goal_ids)
