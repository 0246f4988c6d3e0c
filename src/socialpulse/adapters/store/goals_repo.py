"""Repository of goals and OKRs over the app database (one short transaction per method).

Every read and write names the workspace, so one workspace never sees another's goals.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialpulse.domain.errors import NotFound
from socialpulse.domain.goals import (
    CheckIn,
    Goal,
    KeyResult,
    Milestone,
    Objective,
    StatusEntry,
)
from socialpulse.domain.periods import DateRange

from . import Store
from .goals_tables import (
    GoalCheckinRow,
    GoalMilestoneRow,
    GoalRow,
    GoalStatusRow,
    OkrCheckinRow,
    OkrKeyResultRow,
    OkrObjectiveRow,
)


def _now() -> datetime:
    return datetime.now(UTC)


def _goal(row: GoalRow, milestones: Sequence[GoalMilestoneRow]) -> Goal:
    scope = dict(row.scope or {})
    return Goal(
        id=row.id,
        workspace_id=row.workspace_id,
        title=row.title,
        goal_type=row.goal_type,
        objective=row.objective,
        metric=row.metric,
        variant=row.variant,
        account_ids=tuple(int(i) for i in scope.get("account_ids") or ()),
        networks=tuple(scope.get("networks") or ()),
        campaign=scope.get("campaign"),
        baseline=DateRange(row.baseline_start, row.baseline_end),
        baseline_value=row.baseline_value,
        baseline_how=dict(row.baseline_how or {}),
        window_days=row.window_days,
        target_value=row.target_value,
        target_change_pct=row.target_change_pct,
        start_date=row.start_date,
        deadline=row.deadline,
        owner=row.owner,
        template_id=row.template_id,
        smart=tuple(row.smart or ()),
        milestones=tuple(
            Milestone(m.due, m.target_value, m.label)
            for m in sorted(milestones, key=lambda m: m.due)
        ),
        key_result_id=row.key_result_id,
        archived=row.archived_at is not None,
    )


class GoalsRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- goals ------------------------------------------------------------------------------

    @staticmethod
    def _insert_goal(s: Session, g: Goal) -> GoalRow:
        row = GoalRow(
            workspace_id=g.workspace_id, title=g.title, template_id=g.template_id,
            goal_type=g.goal_type, objective=g.objective, metric=g.metric, variant=g.variant,
            scope={"account_ids": list(g.account_ids), "networks": list(g.networks),
                   "campaign": g.campaign},
            baseline_start=g.baseline.start, baseline_end=g.baseline.end,
            baseline_value=g.baseline_value, baseline_how=dict(g.baseline_how),
            window_days=g.window_days, target_value=g.target_value,
            target_change_pct=g.target_change_pct, start_date=g.start_date,
            deadline=g.deadline, owner=g.owner, smart=[dict(c) for c in g.smart],
            key_result_id=g.key_result_id, created_at=_now(),
        )
        s.add(row)
        s.flush()
        for m in g.milestones:
            s.add(GoalMilestoneRow(goal_id=row.id, due=m.due, target_value=m.target,
                                   label=m.label))
        return row

    def add_goal(self, g: Goal) -> int:
        with self.store.session() as s:
            return self._insert_goal(s, g).id

    def _milestones(self, s: Session, goal_ids: Sequence[int]) -> dict[int, list[GoalMilestoneRow]]:
        out: dict[int, list[GoalMilestoneRow]] = {}
        if goal_ids:
            for m in s.scalars(select(GoalMilestoneRow).where(
                    GoalMilestoneRow.goal_id.in_(list(goal_ids)))):
                out.setdefault(m.goal_id, []).append(m)
        return out

    def goal(self, workspace_id: int, goal_id: int) -> Goal:
        with self.store.session() as s:
            row = s.scalar(select(GoalRow).where(GoalRow.id == goal_id,
                                                 GoalRow.workspace_id == workspace_id))
            if row is None:
                raise NotFound(f"goal {goal_id} not found in this workspace "
                               "(see `socialpulse goals list`)")
            return _goal(row, self._milestones(s, [row.id]).get(row.id, []))

    def goals(self, workspace_id: int, include_archived: bool = False) -> list[Goal]:
        with self.store.session() as s:
            q = select(GoalRow).where(GoalRow.workspace_id == workspace_id)
            if not include_archived:
                q = q.where(GoalRow.archived_at.is_(None))
            rows = list(s.scalars(q.order_by(GoalRow.deadline, GoalRow.id)))
            ms = self._milestones(s, [r.id for r in rows])
            return [_goal(r, ms.get(r.id, [])) for r in rows]

    def archive_goal(self, workspace_id: int, goal_id: int) -> None:
        with self.store.session() as s:
            row = s.scalar(select(GoalRow).where(GoalRow.id == goal_id,
                                                 GoalRow.workspace_id == workspace_id))
            if row is None:
                raise NotFound(f"goal {goal_id} not found in this workspace")
            if row.archived_at is None:
                row.archived_at = _now()

    def revise_goal(self, g: Goal, note: CheckIn) -> None:
        """Store a revised goal and the check-in that records why, in one transaction: a
        revision without its note (or the reverse) would rewrite history silently."""
        with self.store.session() as s:
            row = s.scalar(select(GoalRow).where(GoalRow.id == g.id,
                                                 GoalRow.workspace_id == g.workspace_id))
            if row is None:
                raise NotFound(f"goal {g.id} not found in this workspace")
            row.title, row.objective, row.owner = g.title, g.objective, g.owner
            row.baseline_value, row.baseline_how = g.baseline_value, dict(g.baseline_how)
            row.target_value, row.target_change_pct = g.target_value, g.target_change_pct
            row.deadline, row.smart = g.deadline, [dict(c) for c in g.smart]
            for old in s.scalars(select(GoalMilestoneRow)
                                 .where(GoalMilestoneRow.goal_id == g.id)):
                s.delete(old)
            for m in g.milestones:
                s.add(GoalMilestoneRow(goal_id=g.id, due=m.due, target_value=m.target,
                                       label=m.label))
            s.add(self._checkin_row(g.id, note))

    # -- check-ins and status history ------------------------------------------------------

    @staticmethod
    def _checkin_row(goal_id: int, c: CheckIn) -> GoalCheckinRow:
        return GoalCheckinRow(goal_id=goal_id, on=c.on, author=c.author, comment=c.comment,
                              value=c.value, progress=c.progress, status=c.status,
                              created_at=_now())

    def add_checkin(self, goal_id: int, c: CheckIn) -> None:
        with self.store.session() as s:
            s.add(self._checkin_row(goal_id, c))

    def checkins(self, goal_id: int) -> list[CheckIn]:
        with self.store.session() as s:
            rows = s.scalars(select(GoalCheckinRow).where(GoalCheckinRow.goal_id == goal_id)
                             .order_by(GoalCheckinRow.on, GoalCheckinRow.id))
            return [CheckIn(r.on, r.author, r.comment, r.value, r.progress, r.status)
                    for r in rows]

    def record_status(self, goal_id: int, e: StatusEntry, always: bool = False) -> bool:
        """Append to the status history when the status changed (or ``always``)."""
        with self.store.session() as s:
            last = s.scalar(select(GoalStatusRow).where(GoalStatusRow.goal_id == goal_id)
                            .order_by(GoalStatusRow.id.desc()).limit(1))
            if not always and last is not None and last.status == e.status:
                return False
            s.add(GoalStatusRow(goal_id=goal_id, on=e.on, status=e.status, reason=e.reason,
                                progress=e.progress, value=e.value, forecast=e.forecast,
                                recorded_at=_now()))
            return True

    def status_history(self, goal_id: int) -> list[StatusEntry]:
        with self.store.session() as s:
            rows = s.scalars(select(GoalStatusRow).where(GoalStatusRow.goal_id == goal_id)
                             .order_by(GoalStatusRow.id))
            return [StatusEntry(r.on, r.status, r.reason, r.progress, r.value, r.forecast)
                    for r in rows]

    # -- OKRs -------------------------------------------------------------------------------

    def add_objective(
        self,
        workspace_id: int,
        title: str,
        kind: str,
        deadline: date,
        owner: str,
        key_results: Sequence[tuple[str, str, Goal | None]],
    ) -> int:
        """Objective, its key results and their goals in one transaction."""
        with self.store.session() as s:
            obj = OkrObjectiveRow(workspace_id=workspace_id, title=title, kind=kind,
                                  deadline=deadline, owner=owner, created_at=_now())
            s.add(obj)
            s.flush()
            for pos, (kr_kind, kr_title, goal) in enumerate(key_results, start=1):
                kr = OkrKeyResultRow(objective_id=obj.id, position=pos, kind=kr_kind,
                                     title=kr_title)
                s.add(kr)
                s.flush()
                if goal is not None:
                    grow = self._insert_goal(s, goal)
                    grow.key_result_id = kr.id
                    kr.goal_id = grow.id
            return obj.id

    def _objective(self, s: Session, row: OkrObjectiveRow) -> Objective:
        krs = list(s.scalars(select(OkrKeyResultRow).where(
            OkrKeyResultRow.objective_id == row.id).order_by(OkrKeyResultRow.position)))
        grades: dict[int, list[Any]] = {}
        if krs:
            for c in s.scalars(select(OkrCheckinRow).where(
                    OkrCheckinRow.key_result_id.in_([k.id for k in krs]))
                    .order_by(OkrCheckinRow.on, OkrCheckinRow.id)):
                grades.setdefault(c.key_result_id, []).append((c.on, c.grade, c.comment,
                                                               c.author))
        return Objective(
            id=row.id, workspace_id=row.workspace_id, title=row.title,
            kind="committed" if row.kind == "committed" else "aspirational",
            deadline=row.deadline, owner=row.owner,
            key_results=tuple(
                KeyResult(k.id, k.position, "metric" if k.kind == "metric" else "milestone",
                          k.title, k.goal_id, tuple(grades.get(k.id, ())))
                for k in krs
            ),
            archived=row.archived_at is not None,
        )

    def objective(self, workspace_id: int, objective_id: int) -> Objective:
        with self.store.session() as s:
            row = s.scalar(select(OkrObjectiveRow).where(
                OkrObjectiveRow.id == objective_id, OkrObjectiveRow.workspace_id == workspace_id))
            if row is None:
                raise NotFound(f"objective {objective_id} not found in this workspace "
                               "(see `socialpulse okrs list`)")
            return self._objective(s, row)

    def objectives(self, workspace_id: int) -> list[Objective]:
        with self.store.session() as s:
            rows = s.scalars(select(OkrObjectiveRow).where(
                OkrObjectiveRow.workspace_id == workspace_id,
                OkrObjectiveRow.archived_at.is_(None)).order_by(OkrObjectiveRow.id))
            return [self._objective(s, r) for r in rows]

    def add_kr_grade(self, key_result_id: int, on: date, grade: float, comment: str,
                     author: str) -> None:
        with self.store.session() as s:
            s.add(OkrCheckinRow(key_result_id=key_result_id, on=on, grade=grade,
                                comment=comment, author=author, created_at=_now()))
