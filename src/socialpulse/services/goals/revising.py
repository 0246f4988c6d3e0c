"""Revising a goal: moving its target, deadline or milestones (or its title, objective, owner).

What a goal measures (metric, scope, baseline period) is its identity: changing it is a new
goal. The revised goal is validated like a new one, as seen from its start date (same
baseline, achievability over the same history), and the change is written to the check-in
log with its reason, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from socialpulse.domain import goals as g
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.formatting import format_value
from socialpulse.domain.goals import CheckIn, Goal, GoalSpec
from socialpulse.domain.models import Workspace
from socialpulse.domain.periods import parse_date
from socialpulse.services.ports import GoalsStore

from .preparing import GoalPreparer
from .tracking import GoalTracker

#: what a goal measures: a change to one of these is a new goal, not a revision
FIXED = {"metric", "variant", "goal_type", "networks", "accounts", "campaign",
         "baseline_period", "template"}


def check_changes(changes: Mapping[str, Any]) -> None:
    """Only revisable fields, and at least one of them given."""
    unknown = sorted(set(changes) - set(g.REVISABLE))
    if unknown:
        why = ("what a goal measures cannot change; archive it and add a new goal"
               if unknown[0] in FIXED else f"fields are {', '.join(g.REVISABLE)}")
        raise InvalidInput(f"goal: {unknown[0]}: {why}")
    if not any(v is not None for v in changes.values()):
        raise InvalidInput(f"goal: nothing to change; give one of {', '.join(g.REVISABLE)}")


def revised_spec(old: Goal, changes: Mapping[str, Any], auto_title: str) -> GoalSpec:
    """The goal as asked for again, with the changes applied: a generated title
    (``auto_title``) is left out so that it is generated anew; a target given as a % change
    stays a % change unless a new target is given."""
    target_given = (changes.get("target_value") is not None
                    or changes.get("target_change_pct") is not None)
    data: dict[str, Any] = {
        "metric": old.metric, "variant": old.variant, "goal_type": old.goal_type,
        "objective": old.objective, "baseline_period": old.baseline.label(),
        "networks": list(old.networks), "accounts": list(old.account_ids),
        "campaign": old.campaign, "owner": old.owner, "deadline": old.deadline,
        "milestones": [{"due": m.due, "target_value": m.target, "label": m.label}
                       for m in old.milestones],
        "title": old.title if old.title != auto_title else None,
    }
    if not target_given:
        data.update(target_value=old.target_value if old.target_change_pct is None else None,
                    target_change_pct=old.target_change_pct)
    data.update({k: v for k, v in changes.items() if v is not None})
    spec = GoalSpec.from_mapping(data)
    spec.owner = spec.owner or ""
    return spec


class GoalReviser:
    """Applies revisions (see the module docstring)."""

    def __init__(self, preparer: GoalPreparer, tracker: GoalTracker, repo: GoalsStore) -> None:
        self.preparer = preparer
        self.tracker = tracker
        self.repo = repo

    def _revised(self, ws: Workspace, old: Goal, changes: Mapping[str, Any], day: date) -> Goal:
        """The revised goal, prepared from the old one's start and kept under its id."""
        spec = revised_spec(old, changes, self.preparer.auto_title(old))
        new = self.preparer.prepare(ws, spec, old.start_date, old.key_result_id,
                                    fixed_baseline=old.baseline, checked_on=day)
        how = {k: v for k, v in new.baseline_how.items() if k not in ("rule", "asked")}
        how.update({k: old.baseline_how[k] for k in ("rule", "asked") if k in old.baseline_how})
        return replace(new, id=old.id, template_id=old.template_id, baseline_how=how)

    def revise(self, ws: Workspace, goal_id: int, changes: Mapping[str, Any], reason: str,
               author: str, day: date) -> None:
        """Store the revision and its check-in (the goal as it stood, with the reason)."""
        check_changes(changes)
        old = self.repo.goal(ws.id, goal_id)
        if old.archived:
            raise InvalidInput(f"goal {goal_id} is archived; revisions are closed")
        if changes.get("deadline") is not None:
            deadline = (changes["deadline"] if isinstance(changes["deadline"], date)
                        else parse_date(str(changes["deadline"]), "deadline"))
            g.check_deadline(deadline, day, old.start_date)
        new = self._revised(ws, old, changes, day)
        unit = self.preparer.measure.unit(old)
        changed = g.revision_summary(old, new, lambda v: format_value(v, unit))
        if not changed:
            raise InvalidInput(f"goal {goal_id}: the revision changes nothing")
        t = self.tracker.track(ws, old, day, self.preparer.measure.data_end(ws), record=False,
                               detail=False)
        text = "Revised: " + "; ".join(changed) + (f". {reason.strip()}" if reason.strip() else "")
        self.repo.revise_goal(new, CheckIn(day, author, text, t.current, t.progress,
                                           t.status.value))
