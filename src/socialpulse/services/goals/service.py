"""The goals service: one object the interfaces, reports and the demo call, delegating to the
modules of each concern (measuring, preparing, tracking, revising, OKRs, chart, backtest).

A goal is measured over a *window* as long as its baseline period: the current value is the
metric over the window ending today (or on the last day with data), the target applies to the
window ending at the deadline. Comparing windows of the same length keeps sums (reach, posts)
comparable with their baseline. All metric values come from `MetricsService.compute`; the
maths (progress, status, SMART, grades) lives in `domain.goals` and the model in
`domain.forecast`.

Writes take the acting `Actor` first and pass `authorize` (goals.edit) before anything is
validated or stored; reads take none.
"""

from __future__ import annotations

import builtins
import copy
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from socialpulse.domain import goals as g
from socialpulse.domain.actor import Action, Actor, authorize
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.goals import CheckIn, Goal, GoalSpec, StatusEntry
from socialpulse.domain.metrics import Catalogue
from socialpulse.domain.models import Workspace
from socialpulse.domain.periods import DateRange
from socialpulse.services.metrics import MetricsService
from socialpulse.services.ports import GoalsStore, WorkspaceRepository

from . import backtest as bt
from . import chart
from .measuring import GoalMeasurer
from .okrs import OkrService
from .preparing import GoalPreparer
from .revising import GoalReviser
from .tracking import GoalTracker
from .view import Tracking


class GoalsService:
    """Creates, tracks and grades goals and OKRs of a workspace."""

    def __init__(
        self,
        metrics: MetricsService,
        workspaces: WorkspaceRepository,
        repo: GoalsStore,
        goal_catalogue: g.GoalCatalogue,
        clock: Callable[[], date] = date.today,
    ) -> None:
        self.metrics = metrics
        self.repo = repo
        self.catalogue: Catalogue = metrics.catalogue
        self.goal_catalogue = goal_catalogue
        self.clock = clock
        self.measure = GoalMeasurer(metrics, workspaces)
        self.preparer = GoalPreparer(self.measure, goal_catalogue)
        self.tracker = GoalTracker(self.measure, repo)
        self.reviser = GoalReviser(self.preparer, self.tracker, repo)
        self.okr_service = OkrService(self.preparer, self.tracker, repo)

    def _today(self, today: date | None) -> date:
        return today or self.clock()

    # -- catalogue --------------------------------------------------------------------------

    def templates(self, goal_type: str | None = None) -> list[dict[str, Any]]:
        """Goal templates (id ``goal_type:metric``), optionally of one goal type."""
        if goal_type:
            self.goal_catalogue.goal_type(goal_type)
        return [{"id": t.id, "goal_type": t.goal_type, "metric": t.metric,
                 "variant": t.variant, "title": t.title,
                 "target_change_pct": t.target_change_pct, "horizon": t.horizon,
                 "baseline": t.baseline, "networks": list(t.networks)}
                for t in self.goal_catalogue.templates.values()
                if not goal_type or t.goal_type == goal_type]

    def goal_types(self) -> list[dict[str, Any]]:
        return [{"id": t.id, "name": t.name, "verb": t.verb, "description": t.description,
                 "metrics": list(t.metrics), "milestones": list(t.milestones)}
                for t in self.goal_catalogue.goal_types.values()]

    # -- goals: writes ----------------------------------------------------------------------

    def create_from_template(
        self, actor: Actor, workspace: Workspace, template_id: str, today: date | None = None,
        **overrides: Any,
    ) -> Tracking:
        """Create a goal from a template id such as ``brand_awareness:reach``; keyword
        overrides use the fields of the API (objective, target_change_pct, deadline...)."""
        data = dict(overrides)
        data["template"] = template_id
        return self.create(actor, workspace, GoalSpec.from_mapping(data), today)

    def create(self, actor: Actor, ws: Workspace, spec: GoalSpec,
               today: date | None = None) -> Tracking:
        """Validate, measure and store a goal; its first status is recorded."""
        authorize(actor, Action.GOALS_EDIT, ws.slug)
        draft = self.prepare(ws, spec, self._today(today))
        gid = self.repo.add_goal(draft)
        return self._track_stored(ws, gid, today, record=True)

    def check_in(self, actor: Actor, ws: Workspace, goal_id: int, comment: str,
                 author: str = "", today: date | None = None) -> Tracking:
        """Record a check-in: the measured value, progress and status, with a comment."""
        authorize(actor, Action.GOALS_EDIT, ws.slug)
        if not comment.strip():
            raise InvalidInput("comment: say what happened since the last check-in")
        day = self._today(today)
        t = self.track(ws, goal_id, day)
        if t.goal.archived:
            raise InvalidInput(f"goal {goal_id} is archived; check-ins are closed")
        self.repo.add_checkin(goal_id, CheckIn(day, author, comment.strip(), t.current,
                                               t.progress, t.status.value))
        self.repo.record_status(goal_id, StatusEntry(
            day, t.status.value, t.reason, t.progress, t.current,
            t.forecast.point if t.forecast else None), always=True)
        return self.track(ws, goal_id, day)

    def archive(self, actor: Actor, ws: Workspace, goal_id: int) -> None:
        """Archive a goal: kept with its history, hidden from the board, closed to changes."""
        authorize(actor, Action.GOALS_EDIT, ws.slug)
        self.repo.archive_goal(ws.id, goal_id)

    def revise(self, actor: Actor, ws: Workspace, goal_id: int, changes: Mapping[str, Any],
               reason: str = "", author: str = "", today: date | None = None) -> Tracking:
        """Change a goal's target, deadline, milestones, title, objective or owner (see
        `revising`); the change is logged as a check-in with its reason."""
        authorize(actor, Action.GOALS_EDIT, ws.slug)
        day = self._today(today)
        self.reviser.revise(ws, goal_id, changes, reason, author, day)
        return self._track_stored(ws, goal_id, day, record=True)

    # -- goals: reads -----------------------------------------------------------------------

    def prepare(self, ws: Workspace, spec: GoalSpec, today: date,
                key_result_id: int | None = None, where: str = "goal",
                fixed_baseline: DateRange | None = None,
                checked_on: date | None = None) -> Goal:
        """Validate a goal and measure its baseline; nothing is stored (see `preparing`)."""
        return self.preparer.prepare(ws, spec, today, key_result_id, where, fixed_baseline,
                                     checked_on)

    def track(self, ws: Workspace, goal_id: int, today: date | None = None,
              detail: bool = True) -> Tracking:
        """A goal's status now; viewing a goal never writes its status history."""
        return self._track_stored(ws, goal_id, today, record=False, detail=detail)

    def _track_stored(self, ws: Workspace, goal_id: int, today: date | None, record: bool,
                      detail: bool = True) -> Tracking:
        goal = self.repo.goal(ws.id, goal_id)
        return self.tracker.track(ws, goal, self._today(today), self.measure.data_end(ws),
                                  record, detail)

    def list(self, ws: Workspace, today: date | None = None, include_archived: bool = False,
             ) -> list[Tracking]:
        """Every goal of the workspace, tracked as of ``today`` (archived ones on request)."""
        day = self._today(today)
        goals = self.repo.goals(ws.id, include_archived)
        if not goals:
            return []
        # each goal's tracking depends only on the goal as stored, the day and the data (the
        # lake, accounts, time zone): memoised under the version stamp read once here, so the
        # Overview's panel costs one stamp and one goals read when nothing changed, not a
        # stamp and an accounts read per measurement
        version = self.measure.version(ws)

        def track(gl: Goal) -> Tracking:
            return self.tracker.track(ws, gl, day, self.measure.data_end(ws), record=False,
                                      detail=False)
        return [copy.copy(self.measure.cached(("track", ws.id, version, repr(gl), day),
                                              lambda gl=gl: track(gl)))  # type: ignore[misc]
                for gl in goals]

    def at_risk(self, ws: Workspace, today: date | None = None) -> builtins.list[Tracking]:
        """Goals at risk or off track, worst first (the Overview panel)."""
        bad = [t for t in self.list(ws, today)
               if t.status in (g.Status.AT_RISK, g.Status.OFF_TRACK)]
        return sorted(bad, key=lambda t: (g.STATUS_RANK[t.status], t.goal.deadline))

    def chart_rows(self, t: Tracking) -> builtins.list[dict[str, Any]]:
        """Rows for the goal chart (see `chart.chart_rows`)."""
        return chart.chart_rows(t)

    def backtest(
        self,
        ws: Workspace,
        metrics: Sequence[tuple[str, str | None]],
        as_of: date,
        horizons_weeks: Sequence[int] = (4, 8, 13),
        window_days: int = 91,
        networks: Sequence[str] = (),
    ) -> builtins.list[dict[str, Any]]:
        """Rolling-origin backtest of the goal forecast (see `backtest`)."""
        return bt.backtest(self.measure, ws, metrics, as_of, horizons_weeks, window_days,
                           networks)

    # -- OKRs -------------------------------------------------------------------------------

    def add_okr(
        self,
        actor: Actor,
        ws: Workspace,
        title: str,
        key_results: Sequence[Mapping[str, Any]],
        deadline: str | date,
        kind: str = "aspirational",
        owner: str = "",
        today: date | None = None,
    ) -> dict[str, Any]:
        """An objective with 3 to 5 key results: metric ones become tracked goals, milestone
        ones are graded at check-ins. Everything is validated before anything is stored."""
        authorize(actor, Action.GOALS_EDIT, ws.slug)
        day = self._today(today)
        oid = self.okr_service.add(ws, title, key_results, deadline, kind, owner, day)
        return self.okr_service.okr(ws, oid, day, record=True)

    def okr(self, ws: Workspace, objective_id: int, today: date | None = None) -> dict[str, Any]:
        """The objective with every key result graded (0.0-1.0) and coloured."""
        return self.okr_service.okr(ws, objective_id, self._today(today))

    def okrs(self, ws: Workspace, today: date | None = None) -> builtins.list[dict[str, Any]]:
        return self.okr_service.okrs(ws, self._today(today))

    def grade_key_result(self, actor: Actor, ws: Workspace, objective_id: int, key_result: int,
                         grade: float, comment: str = "", author: str = "",
                         today: date | None = None) -> dict[str, Any]:
        """Grade a milestone key result at a check-in (``key_result`` is its position)."""
        authorize(actor, Action.GOALS_EDIT, ws.slug)
        day = self._today(today)
        self.okr_service.grade(ws, objective_id, key_result, grade, comment, author, day)
        return self.okr_service.okr(ws, objective_id, day, record=True)
