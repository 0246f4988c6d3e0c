"""The goals repository on SQLite and on a real PostgreSQL (tables of migration 0002_goals)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from socialpulse.adapters.store import Store
from socialpulse.adapters.store.goals_repo import GoalsRepository
from socialpulse.domain.errors import NotFound
from socialpulse.domain.goals import CheckIn, Goal, Milestone, StatusEntry
from socialpulse.domain.periods import DateRange


def _goal(ws_id: int) -> Goal:
    return Goal(
        id=0, workspace_id=ws_id, title="Raise reach", goal_type="brand_awareness",
        objective="More hikers see us", metric="reach", variant=None, account_ids=(1, 2),
        networks=("instagram",), campaign="spring", baseline=DateRange(date(2026, 7, 1),
                                                                      date(2026, 9, 30)),
        baseline_value=100.0, baseline_how={"formula": "reach"}, window_days=92,
        target_value=120.0, target_change_pct=20.0, start_date=date(2026, 10, 31),
        deadline=date(2026, 12, 31), owner="ana", template_id="brand_awareness:reach",
        smart=({"letter": "S", "level": "pass", "name": "specific", "explanation": "x"},),
        milestones=(Milestone(date(2026, 11, 30), 110.0, "halfway"),),
    )


def _exercise(store: Store) -> None:
    store.migrate()
    ws = store.create_workspace("acme", "Acme")
    other = store.create_workspace("other", "Other")
    repo = GoalsRepository(store)
    gid = repo.add_goal(_goal(ws.id))
    g = repo.goal(ws.id, gid)
    assert g.networks == ("instagram",) and g.campaign == "spring" and g.account_ids == (1, 2)
    assert g.milestones == (Milestone(date(2026, 11, 30), 110.0, "halfway"),)
    assert g.baseline == DateRange(date(2026, 7, 1), date(2026, 9, 30))
    with pytest.raises(NotFound):
        repo.goal(other.id, gid)
    repo.add_checkin(gid, CheckIn(date(2026, 11, 2), "ana", "started", 101.0, 0.05, "at_risk"))
    assert repo.checkins(gid)[0].comment == "started"
    e = StatusEntry(date(2026, 11, 2), "at_risk", "why", 0.05, 101.0, 115.0)
    assert repo.record_status(gid, e) is True
    assert repo.record_status(gid, e) is False  # unchanged status: no new row
    assert repo.record_status(gid, e, always=True) is True
    assert len(repo.status_history(gid)) == 2
    oid = repo.add_objective(ws.id, "Be loved", "committed", date(2026, 12, 31), "",
                             [("metric", "Raise reach", _goal(ws.id)),
                              ("milestone", "Personas", None),
                              ("milestone", "Plan", None)])
    o = repo.objective(ws.id, oid)
    assert [k.kind for k in o.key_results] == ["metric", "milestone", "milestone"]
    assert repo.goal(ws.id, o.key_results[0].goal_id).key_result_id == o.key_results[0].id
    repo.add_kr_grade(o.key_results[1].id, date(2026, 11, 2), 0.5, "half", "ana")
    assert repo.objective(ws.id, oid).key_results[1].grades[0][1] == 0.5
    repo.archive_goal(ws.id, gid)
    assert gid not in [x.id for x in repo.goals(ws.id)]
    assert repo.objectives(other.id) == []
    store.delete_workspace(ws.id)  # cascades to goals and OKRs
    assert repo.goals(ws.id, include_archived=True) == []


def test_goals_repository_on_sqlite(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'app.db'}")
    try:
        _exercise(store)
    finally:
        store.dispose()


@pytest.mark.postgres
def test_goals_repository_on_postgresql(pg_url: str) -> None:  # noqa: F811
    store = Store(pg_url)
    try:
        _exercise(store)
    finally:
        store.dispose()
