"""OKRs: an objective with 3 to 5 key results. Metric key results are tracked goals graded by
their progress; milestone key results are graded by hand at check-ins. The grading rules
(clipping, one decimal, colours, the verdict by kind) are `domain.goals.okrs`."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from socialpulse.domain import goals as g
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.goals import Goal, GoalSpec, KeyResult
from socialpulse.domain.models import Workspace
from socialpulse.domain.periods import parse_date
from socialpulse.services.ports import GoalsStore

from .preparing import GoalPreparer
from .tracking import GoalTracker

#: a prepared key result: (kind, title, its goal for a metric key result)
Prepared = tuple[str, str, Goal | None]


def _milestone_item(kr: KeyResult) -> dict[str, Any]:
    last = kr.grades[-1] if kr.grades else None
    return {"grade": last[1] if last else None, "graded_by": "check-in",
            "display": (f"graded {g.grade_text(last[1])} on {last[0].isoformat()}" if last
                        else "not graded yet"),
            "checkins": [{"on": on.isoformat(), "grade": gr, "comment": c, "author": a}
                         for on, gr, c, a in kr.grades]}


class OkrService:
    """Adds, reads and grades a workspace's OKRs."""

    def __init__(self, preparer: GoalPreparer, tracker: GoalTracker, repo: GoalsStore) -> None:
        self.preparer = preparer
        self.tracker = tracker
        self.repo = repo

    def _key_result(self, ws: Workspace, kr: Mapping[str, Any], where: str, title: str,
                    due: date, day: date) -> Prepared:
        """One key result, validated (a metric one prepared as a goal due with its objective)."""
        data = dict(kr)
        milestone = data.pop("milestone", None)
        kr_title = str(data.pop("title", "") or "")
        measured = any(data.get(x) for x in ("metric", "template"))
        if milestone and measured:
            raise InvalidInput(f"{where}: give a milestone or a metric, not both")
        if milestone:
            if data:
                raise InvalidInput(f"{where}: a milestone takes only a title; drop "
                                   f"{', '.join(sorted(data))}")
            return ("milestone", kr_title or str(milestone), None)
        if not measured:
            raise InvalidInput(
                f"{where}: {kr_title or 'this key result'} has no measure; give "
                "metric=... with target=... or change=..., template=..., or milestone=...")
        data.setdefault("deadline", due)
        data.setdefault("objective", title)
        if data.get("deadline") != due:
            raise InvalidInput(f"{where}: a key result is due with its objective "
                               f"({due.isoformat()}); drop its deadline")
        if not data.get("template") and data.get("target_value") is None and \
                data.get("target_change_pct") is None:
            raise InvalidInput(f"{where}: metric {data.get('metric')} needs a target "
                               "(target=VALUE or change=+PCT)")
        data.setdefault("baseline_period", "previous_quarter")
        if kr_title:
            data["title"] = kr_title
        goal = self.preparer.prepare(ws, GoalSpec.from_mapping(data, where), day, where=where)
        return ("metric", goal.title, goal)

    def add(self, ws: Workspace, title: str, key_results: Sequence[Mapping[str, Any]],
            deadline: str | date, kind: str, owner: str, day: date) -> int:
        """Validate the objective and every key result, then store them in one transaction."""
        if not title.strip():
            raise InvalidInput("objective: give the objective's title")
        k = kind.strip().lower()
        if k not in g.OKR_KINDS:
            raise InvalidInput(f"kind: {kind!r} is not committed or aspirational")
        due = deadline if isinstance(deadline, date) else parse_date(str(deadline), "deadline")
        g.check_deadline(due, day)
        g.check_key_result_count(len(key_results))
        prepared = [self._key_result(ws, kr, f"key result {i}", title.strip(), due, day)
                    for i, kr in enumerate(key_results, start=1)]
        return self.repo.add_objective(ws.id, title.strip(), k, due, owner, prepared)

    def _metric_item(self, ws: Workspace, goal_id: int, day: date, end: date | None,
                     record: bool) -> dict[str, Any]:
        goal = self.repo.goal(ws.id, goal_id)
        t = self.tracker.track(ws, goal, day, end, record=record, detail=False)
        return {"grade": g.grade_from_progress(t.progress), "graded_by": "metric",
                "current": t.current, "target": goal.target_value,
                "baseline": goal.baseline_value, "progress": t.progress,
                **g.status_display(t.status), "reason": t.reason,
                "display": f"{t.fmt(t.current)} of {t.fmt(goal.target_value)} "
                           f"(baseline {t.fmt(goal.baseline_value)})"}

    def okr(self, ws: Workspace, objective_id: int, day: date,
            record: bool = False) -> dict[str, Any]:
        """The objective with every key result graded (0.0-1.0) and coloured. Only writes
        (adding the OKR, grading it) pass ``record``: they write the status of its metric key
        results' goals; viewing it writes nothing."""
        obj = self.repo.objective(ws.id, objective_id)
        end = (self.preparer.measure.data_end(ws) if any(kr.goal_id for kr in obj.key_results)
               else None)
        krs = []
        for kr in obj.key_results:
            item: dict[str, Any] = {"id": kr.id, "position": kr.position, "kind": kr.kind,
                                    "title": kr.title, "goal_id": kr.goal_id}
            if kr.kind == "metric" and kr.goal_id is not None:
                item.update(self._metric_item(ws, kr.goal_id, day, end, record))
            else:
                item.update(_milestone_item(kr))
            item.update(grade_text=g.grade_text(item["grade"]),
                        colour=g.grade_colour(item["grade"]))
            krs.append(item)
        overall = g.objective_grade([k["grade"] for k in krs], obj.kind)
        return {"id": obj.id, "title": obj.title, "kind": obj.kind,
                "deadline": obj.deadline.isoformat(), "owner": obj.owner,
                **overall.as_dict(), "key_results": krs}

    def okrs(self, ws: Workspace, day: date) -> builtins.list[dict[str, Any]]:
        return [self.okr(ws, o.id, day) for o in self.repo.objectives(ws.id)]

    def grade(self, ws: Workspace, objective_id: int, key_result: int, grade: float,
              comment: str, author: str, day: date) -> None:
        """Grade a milestone key result at a check-in (``key_result`` is its position)."""
        obj = self.repo.objective(ws.id, objective_id)
        match = [kr for kr in obj.key_results if kr.position == key_result]
        if not match:
            raise InvalidInput(f"key result: objective {objective_id} has key results "
                               f"1 to {len(obj.key_results)}, not {key_result}")
        kr = match[0]
        if kr.kind != "milestone":
            raise InvalidInput(f"key result {key_result}: {kr.title!r} is graded from its "
                               "metric automatically; grade milestone key results only")
        self.repo.add_kr_grade(kr.id, day, g.check_grade(grade), comment.strip(), author)
