"""Goal and OKR use cases: create (from a template or by hand), track, check in, grade.

A goal is measured over a *window* as long as its baseline period: the current value is the
metric over the window ending today (or on the last day with data), the target applies to the
window ending at the deadline. Comparing windows of the same length keeps sums (reach, posts)
comparable with their baseline. All metric values come from `MetricsService.compute`; the
maths (progress, status, SMART, grades) lives in `domain.goals` and the model in
`domain.forecast`.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from socialpulse.adapters.store.goals_repo import GoalsRepository
from socialpulse.domain import forecast as fc
from socialpulse.domain import goals as g
from socialpulse.domain.errors import InvalidInput, MissingData, NotFound
from socialpulse.domain.formatting import format_value
from socialpulse.domain.goals import CheckIn, Goal, Milestone, StatusEntry
from socialpulse.domain.goals.fields import check_goal_fields
from socialpulse.domain.metrics import Catalogue, Metric
from socialpulse.domain.models import (
    NETWORK_LABELS,
    Account,
    Network,
    Workspace,
    find_account,
    parse_enum,
)
from socialpulse.domain.periods import DateRange, Grain, parse_date, parse_period, trailing
from socialpulse.domain.query import Breakdown, own_accounts
from socialpulse.services.metrics import MetricsService
from socialpulse.services.versioned import DataVersion, VersionedMemo, data_version

HISTORY_DAYS = 548  # 18 months of weekly history for achievability and the forecast
CHART_WEEKS = 52
MEMO_SIZE = 512  # engine answers kept per service (keyed by the lake's version)
#: stored in a goal's baseline "how": its baseline is its window ending on its start day.
#: Goals stored before this rule lack it and keep the period they were measured over.
RULE = "window ending on the start day"


@dataclass
class GoalSpec:
    """What a user asks for; every field optional until validated (templates fill gaps)."""

    metric: str | None = None
    variant: str | None = None
    goal_type: str | None = None
    objective: str | None = None
    baseline_period: str | None = None
    target_value: float | None = None
    target_change_pct: float | None = None
    deadline: str | date | None = None
    networks: Sequence[str] = ()
    accounts: Sequence[str | int] = ()
    campaign: str | None = None
    owner: str = ""
    title: str | None = None
    template: str | None = None
    milestones: Sequence[Mapping[str, Any]] = ()

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str = "goal") -> GoalSpec:
        """Build from JSON/keyword data, naming unknown fields."""
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidInput(f"{where}: unknown field {unknown[0]!r}; fields are "
                               f"{', '.join(sorted(known))}")
        check_goal_fields(data, where)
        spec = cls(**{k: v for k, v in data.items() if v is not None})
        for key in ("target_value", "target_change_pct"):
            v = getattr(spec, key)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)):
                raise InvalidInput(f"{where}: {key} must be a number, got {v!r}")
        for key in ("networks", "accounts", "milestones"):
            v = getattr(spec, key)
            if isinstance(v, str) and key != "milestones":
                setattr(spec, key, [p for p in v.split(",") if p.strip()])
            elif not isinstance(v, list | tuple):
                raise InvalidInput(f"{where}: {key} must be a list")
        return spec


@dataclass
class Series:
    """Weekly values and their window aggregates, as the forecast sees them."""

    weeks: list[date]  # Monday of each complete week
    values: list[float]
    window: list[float]  # window value ending at each week from the first full window
    window_weeks: int
    scale: float
    kind: fc.WindowKind


@dataclass
class Tracking:
    goal: Goal
    metric: Metric
    unit: str
    as_of: date
    today: date
    current: float | None
    progress: float | None
    expected: float
    forecast: fc.Forecast | None
    forecast_progress: float | None
    status: g.Status
    reason: str
    scope_label: str
    series: Series | None = None
    forecast_shift: float = 0.0  # added to the model's values (anchoring rates, see _track)
    baseline_words: str = ""  # how the baseline was computed, in words
    checkins: list[CheckIn] = field(default_factory=list)
    history: list[StatusEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def fmt(self, v: float | None) -> str:
        return format_value(v, self.unit)

    def as_dict(self, detail: bool = True) -> dict[str, Any]:
        gl = self.goal
        f = self.forecast
        out: dict[str, Any] = {
            "id": gl.id,
            "title": gl.title,
            "goal_type": gl.goal_type,
            "objective": gl.objective,
            "template": gl.template_id,
            "metric": gl.metric,
            "variant": gl.variant or self.metric.default_variant,
            "unit": self.unit,
            "direction": self.metric.direction,
            "scope": {"label": self.scope_label, "account_ids": list(gl.account_ids),
                      "networks": list(gl.networks), "campaign": gl.campaign},
            "owner": gl.owner,
            "start_date": gl.start_date.isoformat(),
            "deadline": gl.deadline.isoformat(),
            "window_days": gl.window_days,
            "baseline": {"period": gl.baseline.label(), "value": gl.baseline_value,
                         "display": self.fmt(gl.baseline_value), "in_words": self.baseline_words,
                         "how": {k: v for k, v in gl.baseline_how.items() if k != "by"}},
            "target": {"value": gl.target_value, "change_pct": gl.target_change_pct,
                       "display": self.fmt(gl.target_value)},
            "current": {"value": self.current, "display": self.fmt(self.current),
                        "as_of": self.as_of.isoformat(),
                        "window": trailing(self.as_of, gl.window_days).label()},
            "progress": self.progress,
            "expected": self.expected,
            "forecast": None if f is None else {
                "at": gl.deadline.isoformat(),
                "value": f.point, "lower": f.lower, "upper": f.upper,
                "display": self.fmt(f.point),
                "interval_display": (f"{self.fmt(f.lower)} to {self.fmt(f.upper)}"
                                     if f.has_interval else None),
                "coverage": f.coverage, "progress": self.forecast_progress,
                "backtest_mape_pct": f.mape, "backtest_forecasts": f.errors_used,
                "model": "damped trend on weekly values; interval from rolling-origin errors",
                "note": f.note,
            },
            **g.status_display(self.status),
            "reason": self.reason,
            "archived": gl.archived,
            "key_result_id": gl.key_result_id,
        }
        if detail:
            out["smart"] = [dict(c) for c in gl.smart]
            out["milestones"] = [
                {"due": m.due.isoformat(), "target": m.target, "display": self.fmt(m.target),
                 "label": m.label,
                 "reached": None if self.current is None else _reached(gl, m, self.current,
                                                                       self.as_of)}
                for m in gl.milestones
            ]
            out["checkins"] = [
                {"on": c.on.isoformat(), "author": c.author, "comment": c.comment,
                 "value": c.value, "progress": c.progress,
                 **g.status_display(g.Status(c.status))}
                for c in self.checkins
            ]
            out["status_history"] = [
                {"on": e.on.isoformat(), **g.status_display(g.Status(e.status)),
                 "reason": e.reason, "progress": e.progress, "value": e.value,
                 "forecast": e.forecast}
                for e in self.history
            ]
            out["notes"] = self.notes
        return out


def _reached(goal: Goal, m: Milestone, current: float, as_of: date) -> bool | None:
    if as_of < m.due:
        return None
    up = goal.target_value > goal.baseline_value
    return current >= m.target if up else current <= m.target


def _num(v: Any, where: str) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise InvalidInput(f"{where}: {v!r} is not a number")
    return float(v)


class GoalsService:
    """Creates, tracks and grades goals and OKRs of a workspace."""

    def __init__(
        self,
        metrics: MetricsService,
        repo: GoalsRepository,
        goal_catalogue: g.GoalCatalogue,
        clock: Callable[[], date] = date.today,
    ) -> None:
        self.metrics = metrics
        self.repo = repo
        self.catalogue: Catalogue = metrics.catalogue
        self.goal_catalogue = goal_catalogue
        self.clock = clock
        self._memo = VersionedMemo(MEMO_SIZE)

    def _today(self, today: date | None) -> date:
        return today or self.clock()

    # -- templates --------------------------------------------------------------------------

    def templates(self, goal_type: str | None = None) -> list[dict[str, Any]]:
        if goal_type:
            self.goal_catalogue.goal_type(goal_type)
        out = []
        for t in self.goal_catalogue.templates.values():
            if goal_type and t.goal_type != goal_type:
                continue
            out.append({"id": t.id, "goal_type": t.goal_type, "metric": t.metric,
                        "variant": t.variant, "title": t.title,
                        "target_change_pct": t.target_change_pct, "horizon": t.horizon,
                        "baseline": t.baseline, "networks": list(t.networks)})
        return out

    def goal_types(self) -> list[dict[str, Any]]:
        return [{"id": t.id, "name": t.name, "verb": t.verb, "description": t.description,
                 "metrics": list(t.metrics), "milestones": list(t.milestones)}
                for t in self.goal_catalogue.goal_types.values()]

    # -- scope ------------------------------------------------------------------------------

    def _scope(
        self, ws: Workspace, accounts: Sequence[str | int], networks: Sequence[str]
    ) -> tuple[list[Account], tuple[str, ...]]:
        """Accounts a goal measures: those named, else the own brand's (never competitors')."""
        nets = tuple(parse_enum(Network, str(n), "networks").value for n in networks)
        all_acc = self.metrics.store.accounts(ws.id)
        if accounts:
            chosen: list[Account] = []
            for ref in accounts:
                chosen.append(find_account(all_acc, ref))
        else:
            chosen = own_accounts(all_acc)
        if nets:
            chosen = [a for a in chosen if a.network.value in nets]
        if not chosen:
            where = f" on {', '.join(nets)}" if nets else ""
            raise InvalidInput(f"scope: no account of workspace {ws.slug!r}{where} to measure; "
                               "check accounts and networks (see `socialpulse accounts list`)")
        return chosen, nets

    @staticmethod
    def _scope_label(accs: Sequence[Account], nets: Sequence[str], campaign: str | None) -> str:
        brands = sorted({a.brand_name or a.name for a in accs})
        networks = sorted({a.network.value for a in accs})
        text = (f"{', '.join(brands)} on {', '.join(networks)} "
                f"({len(accs)} account{'s' if len(accs) != 1 else ''})")
        if campaign:
            text += f", campaign {campaign}"
        return text

    def _lake_version(self, ws: Workspace) -> DataVersion:
        """The data's version stamp, read per call: any import, compaction or rebuilt demo,
        from any process, changes it (`services.versioned`)."""
        return data_version(self.metrics.store, ws)

    def _cached(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        """Memo of engine results keyed by the question and the lake's version, so a board
        (or a create followed by its first tracking) never asks the engine twice."""
        return self._memo.get(key, make)

    def _compute(
        self, ws: Workspace, goal: Goal, period: DateRange, breakdown: Breakdown = Breakdown()
    ) -> Any:
        key = ("compute", ws.id, self._lake_version(ws), goal.metric, goal.variant, period,
               breakdown, goal.networks, goal.account_ids, goal.campaign)
        return self._cached(key, lambda: self.metrics.compute(
            ws, [(goal.metric, goal.variant)], breakdown, period, goal.networks,
            account_ids=goal.account_ids, campaign=goal.campaign, allow_empty=True,
        ))

    def _forecast(self, s: Series, steps: int) -> fc.Forecast:
        key = ("forecast", tuple(s.values), steps, s.kind, s.window_weeks, s.scale)
        out: fc.Forecast = self._cached(key, lambda: fc.forecast(
            s.values, steps, s.kind, s.window_weeks, s.scale))
        return out

    def _value(self, ws: Workspace, goal: Goal, period: DateRange) -> tuple[float | None, Any]:
        table = self._compute(ws, goal, period)
        key = table.metrics[0]
        v = table.rows[0].get(key) if table.rows else None
        return (None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v),
                table)

    def _series(self, ws: Workspace, goal: Goal, as_of: date) -> Series | None:
        """Complete weeks (Monday to Sunday) up to ``as_of``, 18 months back."""
        last_sunday = as_of - timedelta(days=(as_of.weekday() + 1) % 7)
        first_monday = last_sunday - timedelta(days=HISTORY_DAYS)
        first_monday -= timedelta(days=first_monday.weekday())
        if last_sunday <= first_monday:
            return None
        table = self._compute(ws, goal, DateRange(first_monday, last_sunday),
                              Breakdown(grain=Grain.WEEK))
        key = table.metrics[0]
        by_week = {r["period"]: r.get(key) for r in table.rows}
        kind = g.window_kind(self.catalogue, self.catalogue.metric(goal.metric), goal.variant)
        weeks: list[date] = []
        values: list[float] = []
        wk = first_monday
        started = False
        while wk <= last_sunday - timedelta(days=6):
            v = by_week.get(wk)
            if v is None or (isinstance(v, float) and math.isnan(v)):
                if started and kind == "sum":
                    v = 0.0
                elif started and values:
                    v = values[-1]
            if v is not None:
                started = True
                weeks.append(wk)
                values.append(float(v))
            wk += timedelta(days=7)
        window_weeks = max(1, round(goal.window_days / 7))
        scale = goal.window_days / (7 * window_weeks)
        if len(values) < window_weeks:
            return None
        return Series(weeks, values, fc.window_series(values, kind, window_weeks, scale),
                      window_weeks, scale, kind)

    def _data_end(self, ws: Workspace) -> date | None:
        rng = self._cached(("data_range", ws.id, self._lake_version(ws)),
                           lambda: self.metrics.data_range(ws))
        return rng.end if rng else None

    # -- create -----------------------------------------------------------------------------

    def create_from_template(
        self, workspace: Workspace, template_id: str, today: date | None = None,
        **overrides: Any,
    ) -> Tracking:
        """Create a goal from a template id such as ``brand_awareness:reach``; keyword
        overrides use the fields of the API (objective, target_change_pct, deadline...)."""
        data = dict(overrides)
        data["template"] = template_id
        return self.create(workspace, GoalSpec.from_mapping(data), today)

    def create(self, ws: Workspace, spec: GoalSpec, today: date | None = None) -> Tracking:
        draft = self.prepare(ws, spec, self._today(today))
        gid = self.repo.add_goal(draft)
        return self.track(ws, gid, today, record=True)

    def prepare(self, ws: Workspace, spec: GoalSpec, today: date, key_result_id: int | None = None,
                where: str = "goal", fixed_baseline: DateRange | None = None,
                checked_on: date | None = None) -> Goal:
        """Validate a goal and measure its baseline; nothing is stored.

        ``today`` is the goal's start: the baseline is the goal's window ending then (see
        `domain.goals.baseline_window`), unless ``fixed_baseline`` keeps a stored one (a
        revision). ``checked_on`` is the day the SMART check reads the current value (a
        revision's day; a new goal's start)."""
        tpl = self.goal_catalogue.template(spec.template) if spec.template else None
        metric_id = spec.metric or (tpl.metric if tpl else None)
        if not metric_id:
            raise InvalidInput(f"{where}: metric: name the metric to track (or a template; see "
                               "`socialpulse goals templates`)")
        if tpl and spec.metric and spec.metric != tpl.metric:
            raise InvalidInput(f"{where}: metric {spec.metric!r} differs from template "
                               f"{tpl.id}'s metric {tpl.metric!r}; drop one of them")
        try:
            metric = self.catalogue.metric(metric_id)
            variant_obj = metric.variant(spec.variant or (tpl.variant if tpl else None))
        except NotFound as exc:
            raise InvalidInput(f"{where}: {exc.message}") from None
        variant = None if variant_obj.id == metric.default_variant else variant_obj.id
        gt_id = spec.goal_type or (tpl.goal_type if tpl else None)
        if not gt_id:
            gt_id = metric.goal_types[0] if metric.goal_types else None
        if not gt_id:
            raise InvalidInput(f"{where}: goal_type: name the goal type the goal serves")
        gtype = self.goal_catalogue.goal_type(gt_id)
        objective = (spec.objective or (tpl.objective if tpl else "") or gtype.description).strip()
        nets_in = list(spec.networks) or (list(tpl.networks) if tpl else [])
        accs, nets = self._scope(ws, spec.accounts, nets_in)
        if spec.campaign is not None:
            other = [m.dataset for m in self.catalogue.inputs(metric, variant)
                     if m.dataset != "posts"]
            if other:
                raise InvalidInput(
                    f"{where}: campaign: {metric.id} reads {other[0]} data, which carries no "
                    "campaign tag; drop the campaign or pick a post metric such as reach")
        # baseline
        bp = spec.baseline_period or (tpl.baseline if tpl else None)
        if not bp:
            raise InvalidInput(f"{where}: baseline_period: name the period the baseline is "
                               "measured over, e.g. 2026-Q3 or previous_quarter")
        named = (g.resolve_baseline(bp, today) if g.BASELINE.match(bp)
                 else parse_period(bp, "baseline_period"))
        if named.end > today:
            raise InvalidInput(f"{where}: baseline_period: {named.label()} ends after today "
                               f"({today.isoformat()}); measure the baseline over a past period")
        data_end = self._data_end(ws)
        anchor = min(today, data_end) if data_end else today
        baseline = fixed_baseline or g.baseline_window(named, anchor)
        # deadline
        if spec.deadline is None and tpl is None:
            raise InvalidInput(f"{where}: deadline: give the date the goal is due (YYYY-MM-DD)")
        deadline = (spec.deadline if isinstance(spec.deadline, date)
                    else parse_date(spec.deadline, "deadline") if spec.deadline
                    else g.resolve_horizon(tpl.horizon if tpl else "quarter", today))
        g.check_deadline(deadline, today)
        draft = Goal(
            id=0, workspace_id=ws.id, title="", goal_type=gtype.id, objective=objective,
            metric=metric.id, variant=variant, account_ids=tuple(a.id for a in accs),
            networks=nets, campaign=spec.campaign, baseline=baseline, baseline_value=0.0,
            baseline_how={}, window_days=baseline.days, target_value=0.0,
            target_change_pct=None, start_date=today, deadline=deadline, owner=spec.owner or "",
            template_id=tpl.id if tpl else None, key_result_id=key_result_id,
        )
        scope_label = self._scope_label(accs, nets, spec.campaign)
        value, table = self._value(ws, draft, baseline)
        if value is None:
            why = "; ".join(table.notes) or "no data in that period"
            raise MissingData(f"{where}: metric {metric.id} cannot be computed for {scope_label} "
                              f"over {baseline.label()} ({why}); choose another metric, scope "
                              "or baseline_period")
        # target
        if spec.target_value is not None and spec.target_change_pct is not None:
            raise InvalidInput(f"{where}: give target_value or target_change_pct, not both")
        change = spec.target_change_pct
        if spec.target_value is None and change is None:
            if tpl is None:
                raise InvalidInput(f"{where}: target: give target_value or target_change_pct "
                                   "(e.g. 20 for +20%)")
            change = tpl.target_change_pct
        if spec.target_value is not None:
            target = _num(spec.target_value, f"{where}: target_value")
        else:
            target = g.target_from_change(value, _num(change, f"{where}: target_change_pct"))
        g.check_target(value, target)
        milestones = self._milestones(spec.milestones, value, target, today, deadline, where)
        words = self._in_words(metric, variant, baseline, scope_label)
        how = {
            "metric": metric.id, "variant": variant_obj.id,
            "formula": variant_obj.formula_text, "period": baseline.label(),
            "scope": scope_label, "account_ids": list(draft.account_ids),
            "networks": list(nets), "campaign": spec.campaign,
            "notes": list(table.notes), "computed_on": today.isoformat(),
            "rule": RULE, "asked": bp, "in_words": words,
        }
        draft = replace(draft, baseline_value=value, baseline_how=how, target_value=target,
                        target_change_pct=None if spec.target_value is not None else change,
                        milestones=tuple(milestones))
        # SMART checks (achievability from the history of the same window measure)
        series = self._series(ws, draft, today)
        horizon_days = (deadline - today).days
        changes: list[float] = []
        label = "the history"
        if series is not None:
            h = max(1, round(horizon_days / 7))
            w = series.window
            changes = [c for i in range(len(w) - h)
                       if (c := g.relative_change(w[i], w[i + h])) is not None]
            months = round(len(series.values) * 7 / 30.4)
            label = f"the last {months} months"
        ach = g.achievability(value, target, horizon_days, changes, label)
        now_end = min(checked_on or today, data_end) if data_end else (checked_on or today)
        current = value
        if now_end != baseline.end:  # a revision: today's window, not the baseline's
            measured = self._value(ws, draft, trailing(now_end, baseline.days))[0]
            current = value if measured is None else measured
        unit = variant_obj.unit
        checks = g.smart_checks(
            metric=metric, scope_label=scope_label, accounts=len(accs), baseline=value,
            baseline_label=f"{format_value(value, unit)}, the {words}",
            target=target, achievable=ach, current=current,
            current_label=format_value(current, unit), target_label=format_value(target, unit),
            goal_type_id=gtype.id, goal_type_name=gtype.name,
            goal_type_metrics=gtype.metrics, objective=objective, created=today,
            deadline=deadline, window_days=baseline.days,
        )
        title = spec.title or self._title(tpl, spec, gtype, metric, variant_obj.unit, value,
                                          target, deadline)
        return replace(draft, title=title.strip(), smart=tuple(c.as_dict() for c in checks))

    def _in_words(self, metric: Metric, variant: str | None, period: DateRange,
                  scope_label: str) -> str:
        """``sum of post reach over 2026-08-01..2026-10-31, Acme Outdoor on x (1 account)``."""
        return (f"{g.measure_words(self.catalogue, metric, variant)} over {period.label()}, "
                f"{scope_label}")

    @staticmethod
    def _title(tpl: g.Template | None, spec: GoalSpec, gtype: g.GoalTypeInfo, metric: Metric,
               unit: str, baseline: float, target: float, deadline: date) -> str:
        if (tpl is not None and spec.target_value is None and spec.target_change_pct is None
                and spec.deadline is None):
            return tpl.title
        change = g.relative_change(baseline, target)
        how = (f"{change * 100:+.0f}%" if change is not None
               else f"to {format_value(target, unit)}")
        nets = [NETWORK_LABELS[Network(n)] for n in spec.networks or (tpl.networks if tpl else ())
                if n in {x.value for x in Network}]
        where = f" on {', '.join(nets)}" if nets else ""
        return f"{gtype.verb}: {metric.name.lower()}{where} {how} by {deadline.isoformat()}"

    @staticmethod
    def _milestones(raw: Sequence[Mapping[str, Any]], baseline: float, target: float,
                    today: date, deadline: date, where: str) -> list[Milestone]:
        out: list[Milestone] = []
        for i, m in enumerate(raw, start=1):
            w = f"{where}: milestones[{i}]"
            if not isinstance(m, Mapping):
                raise InvalidInput(f"{w}: must be an object with due and target_value or "
                                   "target_change_pct")
            if "due" not in m:
                raise InvalidInput(f"{w}: due: give the milestone's date (YYYY-MM-DD)")
            due = m["due"] if isinstance(m["due"], date) else parse_date(str(m["due"]), f"{w}.due")
            if not today < due < deadline:
                raise InvalidInput(f"{w}: due {due.isoformat()} must fall after today and before "
                                   f"the deadline {deadline.isoformat()}")
            if m.get("target_value") is not None:
                tv = _num(m["target_value"], f"{w}.target_value")
            elif m.get("target_change_pct") is not None:
                tv = g.target_from_change(baseline, _num(m["target_change_pct"],
                                                         f"{w}.target_change_pct"))
            else:
                raise InvalidInput(f"{w}: give target_value or target_change_pct")
            out.append(Milestone(due, tv, str(m.get("label") or "")))
        out.sort(key=lambda x: x.due)
        return out

    # -- track ------------------------------------------------------------------------------

    def track(self, ws: Workspace, goal_id: int, today: date | None = None,
              record: bool = False, detail: bool = True) -> Tracking:
        """A goal's status now. Only writes (create, revise) pass ``record``: viewing a goal
        never writes its status history."""
        goal = self.repo.goal(ws.id, goal_id)
        return self._track(ws, goal, self._today(today), self._data_end(ws), record, detail)

    def _track(self, ws: Workspace, goal: Goal, today: date, data_end: date | None,
               record: bool, detail: bool) -> Tracking:
        metric = self.catalogue.metric(goal.metric)
        unit = metric.variant(goal.variant).unit
        accs = [a for a in self.metrics.store.accounts(ws.id) if a.id in set(goal.account_ids)]
        scope_label = self._scope_label(accs, goal.networks, goal.campaign)
        as_of = min(today, goal.deadline)
        notes: list[str] = []
        words = self._in_words(metric, goal.variant, goal.baseline, scope_label)
        if goal.baseline_how.get("rule") != RULE and goal.baseline.end < goal.start_date:
            notes.append(f"baseline kept as first measured, over {goal.baseline.label()}: this "
                         "goal predates baselines measured over the window ending on the start "
                         "day, so its progress did not start at 0")
        if data_end is not None and data_end < as_of:
            notes.append(f"data ends {data_end.isoformat()}: measured up to that day")
            as_of = data_end
        current, table = self._value(ws, goal, trailing(as_of, goal.window_days))
        notes.extend(table.notes)
        series = self._series(ws, goal, as_of)
        if current is None and series is not None and series.kind == "sum":
            current = 0.0  # an additive count with no rows in the window is zero
        prog = None if current is None else g.progress(current, goal.baseline_value,
                                                       goal.target_value)
        expected = g.expected_progress(goal.start_date, goal.deadline, as_of,
                                       goal.baseline_value, goal.target_value, goal.milestones)
        fcast: fc.Forecast | None = None
        forecast_shift = 0.0
        fprog: float | None = None
        fbest: float | None = None
        fmt = {"target": format_value(goal.target_value, unit)}
        if current is not None:
            fmt["current"] = format_value(current, unit)
        if series is not None and as_of < goal.deadline and len(series.values) >= 3:
            last_sunday = series.weeks[-1] + timedelta(days=6)
            steps = max(1, math.ceil((goal.deadline - last_sunday).days / 7))
            fcast = self._forecast(series, steps)
            if unit != "count" and current is not None and series.window:
                # the model's window value combines weekly rates; anchor it to the engine's
                # exact value of the current window (a ratio of sums) so both agree today
                shift = current - series.window[-1]
                floor = 0.0 if all(v >= 0 for v in series.values) else -math.inf

                def moved(v: float | None) -> float | None:
                    return None if v is None else max(v + shift, floor)

                fcast = replace(fcast, point=max(fcast.point + shift, floor),
                                lower=moved(fcast.lower), upper=moved(fcast.upper))
                forecast_shift = shift
            fprog = g.progress(fcast.point, goal.baseline_value, goal.target_value)
            fbest = fprog
            fmt["forecast"] = format_value(fcast.point, unit)
            if fcast.lower is not None and fcast.upper is not None:
                fbest = max(fprog,
                            g.progress(fcast.lower, goal.baseline_value, goal.target_value),
                            g.progress(fcast.upper, goal.baseline_value, goal.target_value))
                fmt["lower"] = format_value(fcast.lower, unit)
                fmt["upper"] = format_value(fcast.upper, unit)
            if fcast.note:
                notes.append(f"forecast: {fcast.note}")
        if prog is None:
            status = g.StatusResult(g.Status.AT_RISK if today <= goal.deadline else g.Status.MISSED,
                                    f"no data for {goal.metric} in the window up to "
                                    f"{as_of.isoformat()}")
        else:
            status = g.assess_status(today=today if today > goal.deadline else as_of,
                                     deadline=goal.deadline, progress_now=prog,
                                     expected=expected, forecast_progress=fprog,
                                     forecast_best=fbest, fmt=fmt)
        if record and not goal.archived:
            self.repo.record_status(goal.id, StatusEntry(
                today, status.status.value, status.reason, prog, current,
                fcast.point if fcast else None))
        t = Tracking(goal=goal, metric=metric, unit=unit, as_of=as_of, today=today,
                     current=current, progress=prog, expected=expected, forecast=fcast,
                     forecast_progress=fprog, status=status.status, reason=status.reason,
                     scope_label=scope_label, series=series, notes=notes,
                     forecast_shift=forecast_shift, baseline_words=words)
        if detail:
            t.checkins = self.repo.checkins(goal.id)
            t.history = self.repo.status_history(goal.id)
        return t

    def list(self, ws: Workspace, today: date | None = None, include_archived: bool = False,
             ) -> list[Tracking]:
        day = self._today(today)
        goals = self.repo.goals(ws.id, include_archived)
        if not goals:
            return []
        end = self._data_end(ws)
        return [self._track(ws, gl, day, end, record=False, detail=False)  # a read
                for gl in goals]

    def at_risk(self, ws: Workspace, today: date | None = None) -> builtins.list[Tracking]:
        """Goals at risk or off track, worst first (the Overview panel)."""
        bad = [t for t in self.list(ws, today)
               if t.status in (g.Status.AT_RISK, g.Status.OFF_TRACK)]
        return sorted(bad, key=lambda t: (g.STATUS_RANK[t.status], t.goal.deadline))

    def check_in(self, ws: Workspace, goal_id: int, comment: str, author: str = "",
                 today: date | None = None) -> Tracking:
        """Record a check-in: the measured value, progress and status, with a comment."""
        if not comment.strip():
            raise InvalidInput("comment: say what happened since the last check-in")
        day = self._today(today)
        t = self.track(ws, goal_id, day, record=False)
        if t.goal.archived:
            raise InvalidInput(f"goal {goal_id} is archived; check-ins are closed")
        self.repo.add_checkin(goal_id, CheckIn(day, author, comment.strip(), t.current,
                                               t.progress, t.status.value))
        self.repo.record_status(goal_id, StatusEntry(
            day, t.status.value, t.reason, t.progress, t.current,
            t.forecast.point if t.forecast else None), always=True)
        return self.track(ws, goal_id, day, record=False)

    def archive(self, ws: Workspace, goal_id: int) -> None:
        self.repo.archive_goal(ws.id, goal_id)

    def revise(self, ws: Workspace, goal_id: int, changes: Mapping[str, Any],
               reason: str = "", author: str = "", today: date | None = None) -> Tracking:
        """Change a goal's target, deadline, milestones, title, objective or owner.

        What is measured (metric, scope, baseline period) is the goal's identity: changing it
        is a new goal. The revised goal is validated like a new one, as seen from its start
        date (same baseline period, achievability over the same history), and the change is
        written to the check-in log with its reason, in the same transaction."""
        day = self._today(today)
        unknown = sorted(set(changes) - set(g.REVISABLE))
        if unknown:
            fixed = {"metric", "variant", "goal_type", "networks", "accounts", "campaign",
                     "baseline_period", "template"}
            why = ("what a goal measures cannot change; archive it and add a new goal"
                   if unknown[0] in fixed else f"fields are {', '.join(g.REVISABLE)}")
            raise InvalidInput(f"goal: {unknown[0]}: {why}")
        if not any(v is not None for v in changes.values()):
            raise InvalidInput(f"goal: nothing to change; give one of {', '.join(g.REVISABLE)}")
        old = self.repo.goal(ws.id, goal_id)
        if old.archived:
            raise InvalidInput(f"goal {goal_id} is archived; revisions are closed")
        if changes.get("deadline") is not None:
            deadline = (changes["deadline"] if isinstance(changes["deadline"], date)
                        else parse_date(str(changes["deadline"]), "deadline"))
            g.check_deadline(deadline, day, old.start_date)
        target_given = (changes.get("target_value") is not None
                        or changes.get("target_change_pct") is not None)
        data: dict[str, Any] = {
            "metric": old.metric, "variant": old.variant, "goal_type": old.goal_type,
            "objective": old.objective, "baseline_period": old.baseline.label(),
            "networks": list(old.networks), "accounts": list(old.account_ids),
            "campaign": old.campaign, "owner": old.owner, "deadline": old.deadline,
            "milestones": [{"due": m.due, "target_value": m.target, "label": m.label}
                           for m in old.milestones],
            "title": old.title if old.title != self._auto_title(old) else None,
        }
        if not target_given:
            data.update(target_value=old.target_value if old.target_change_pct is None else None,
                        target_change_pct=old.target_change_pct)
        data.update({k: v for k, v in changes.items() if v is not None})
        spec = GoalSpec.from_mapping(data)
        spec.owner = spec.owner or ""
        new = self.prepare(ws, spec, old.start_date, old.key_result_id,
                           fixed_baseline=old.baseline, checked_on=day)
        how = {k: v for k, v in new.baseline_how.items() if k not in ("rule", "asked")}
        how.update({k: old.baseline_how[k] for k in ("rule", "asked") if k in old.baseline_how})
        new = replace(new, id=old.id, template_id=old.template_id, baseline_how=how)
        changed = g.revision_summary(old, new, lambda v: format_value(v, self._unit(old)))
        if not changed:
            raise InvalidInput(f"goal {goal_id}: the revision changes nothing")
        t = self._track(ws, old, day, self._data_end(ws), record=False, detail=False)
        text = "Revised: " + "; ".join(changed) + (f". {reason.strip()}" if reason.strip() else "")
        self.repo.revise_goal(new, CheckIn(day, author, text, t.current, t.progress,
                                           t.status.value))
        return self.track(ws, goal_id, day, record=True)

    def _unit(self, goal: Goal) -> str:
        return self.catalogue.metric(goal.metric).variant(goal.variant).unit

    def _auto_title(self, goal: Goal) -> str:
        """The title `prepare` would have written for the goal as it stands, so a revision
        regenerates generated titles but keeps one the user wrote."""
        tpl = self.goal_catalogue.templates.get(goal.template_id or "")
        if tpl is not None and goal.title == tpl.title:
            return tpl.title
        metric = self.catalogue.metric(goal.metric)
        spec = GoalSpec(networks=goal.networks, target_value=goal.target_value)
        return self._title(None, spec, self.goal_catalogue.goal_type(goal.goal_type), metric,
                           self._unit(goal), goal.baseline_value, goal.target_value,
                           goal.deadline)

    # -- backtest ---------------------------------------------------------------------------

    def backtest(
        self,
        ws: Workspace,
        metrics: Sequence[tuple[str, str | None]],
        as_of: date,
        horizons_weeks: Sequence[int] = (4, 8, 13),
        window_days: int = 91,
        networks: Sequence[str] = (),
    ) -> builtins.list[dict[str, Any]]:
        """Rolling-origin backtest of the goal forecast on the workspace's own accounts: for
        each metric and horizon, MAPE and how often the 80% interval held the actual value."""
        accs, nets = self._scope(ws, (), networks)
        out: list[dict[str, Any]] = []
        for metric_id, variant in metrics:
            metric = self.catalogue.metric(metric_id)
            probe = Goal(
                id=0, workspace_id=ws.id, title="", goal_type="", objective="",
                metric=metric.id, variant=variant, account_ids=tuple(a.id for a in accs),
                networks=nets, campaign=None, baseline=trailing(as_of, window_days),
                baseline_value=0.0, baseline_how={}, window_days=window_days,
                target_value=1.0, target_change_pct=None, start_date=as_of, deadline=as_of)
            series = self._series(ws, probe, as_of)
            for h in horizons_weeks:
                row: dict[str, Any] = {"metric": metric.id,
                                       "variant": variant or metric.default_variant,
                                       "horizon_weeks": h, "window_days": window_days,
                                       "weeks": len(series.values) if series else 0}
                if series is None:
                    row.update({"forecasts": 0, "mape_pct": None, "intervals": 0,
                                "coverage": None, "mean_width_pct": None})
                else:
                    b = fc.backtest(series.values, h, series.kind, series.window_weeks,
                                    series.scale)
                    row.update({"kind": series.kind, "forecasts": b.forecasts,
                                "mape_pct": b.mape, "intervals": b.intervals,
                                "coverage": b.coverage, "nominal": b.nominal,
                                "mean_width_pct": b.mean_width_pct})
                out.append(row)
        return out

    # -- chart ------------------------------------------------------------------------------

    def chart_rows(self, t: Tracking) -> builtins.list[dict[str, Any]]:
        """Rows for the goal chart (``series``: actual, forecast, target, baseline, milestone):
        the window measure by week, the projection to the deadline with its band (widening
        from the last value to the forecast's interval at the deadline), the target and
        baseline lines and the milestones."""
        gl = t.goal
        rows: list[dict[str, Any]] = []
        s = t.series
        if s is not None:
            first = s.window_weeks - 1
            actual = [{"date": (s.weeks[first + i] + timedelta(days=6)).isoformat(),
                       "value": v, "series": "actual"} for i, v in enumerate(s.window)]
            rows.extend(actual[-CHART_WEEKS:])
        f = t.forecast
        if f is not None and s is not None and s.window:
            model = fc.fit(s.values)
            last_end = s.weeks[-1] + timedelta(days=6)
            start_v = s.window[-1] + t.forecast_shift
            rows.append({"date": last_end.isoformat(), "value": start_v, "lower": start_v,
                         "upper": start_v, "series": "forecast"})
            n = len(s.values)
            weeks = [*s.values, *model.path(f.steps)]  # observed, then forecast weeks
            for step in range(1, f.steps + 1):  # linear in the horizon: no per-week refits
                vals = weeks[n + step - s.window_weeks:n + step]
                point = (f.point if step == f.steps
                         else fc.window_value(vals, s.kind, s.scale) + t.forecast_shift)
                frac = step / f.steps
                lo = point + (f.lower - f.point) * frac if f.lower is not None else point
                hi = point + (f.upper - f.point) * frac if f.upper is not None else point
                day = min(last_end + timedelta(days=7 * step), gl.deadline)
                rows.append({"date": day.isoformat(), "value": point, "lower": min(lo, point),
                             "upper": max(hi, point), "series": "forecast"})
        start = rows[0]["date"] if rows else gl.start_date.isoformat()
        for name, value in (("target", gl.target_value), ("baseline", gl.baseline_value)):
            rows.append({"date": start, "value": value, "series": name})
            rows.append({"date": gl.deadline.isoformat(), "value": value, "series": name})
        for m in gl.milestones:
            rows.append({"date": m.due.isoformat(), "value": m.target, "series": "milestone",
                         "label": m.label or f"milestone {m.due.isoformat()}"})
        return rows

    # -- OKRs -------------------------------------------------------------------------------

    def add_okr(
        self,
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
        day = self._today(today)
        if not title.strip():
            raise InvalidInput("objective: give the objective's title")
        k = kind.strip().lower()
        if k not in g.OKR_KINDS:
            raise InvalidInput(f"kind: {kind!r} is not committed or aspirational")
        due = deadline if isinstance(deadline, date) else parse_date(str(deadline), "deadline")
        g.check_deadline(due, day)
        g.check_key_result_count(len(key_results))
        prepared: list[tuple[str, str, Goal | None]] = []
        for i, kr in enumerate(key_results, start=1):
            where = f"key result {i}"
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
                prepared.append(("milestone", kr_title or str(milestone), None))
                continue
            if not measured:
                raise InvalidInput(
                    f"{where}: {kr_title or 'this key result'} has no measure; give "
                    "metric=... with target=... or change=..., template=..., or milestone=...")
            data.setdefault("deadline", due)
            data.setdefault("objective", title.strip())
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
            spec = GoalSpec.from_mapping(data, where)
            goal = self.prepare(ws, spec, day, where=where)
            prepared.append(("metric", goal.title, goal))
        oid = self.repo.add_objective(ws.id, title.strip(), k, due, owner, prepared)
        return self.okr(ws, oid, day)

    def okr(self, ws: Workspace, objective_id: int, today: date | None = None) -> dict[str, Any]:
        """The objective with every key result graded (0.0-1.0) and coloured."""
        day = self._today(today)
        obj = self.repo.objective(ws.id, objective_id)
        end = self._data_end(ws) if any(kr.goal_id for kr in obj.key_results) else None
        krs = []
        for kr in obj.key_results:
            item: dict[str, Any] = {"id": kr.id, "position": kr.position, "kind": kr.kind,
                                    "title": kr.title, "goal_id": kr.goal_id}
            if kr.kind == "metric" and kr.goal_id is not None:
                goal = self.repo.goal(ws.id, kr.goal_id)
                t = self._track(ws, goal, day, end, record=True, detail=False)
                grade = g.grade_from_progress(t.progress)
                item.update({"grade": grade, "graded_by": "metric",
                             "current": t.current, "target": goal.target_value,
                             "baseline": goal.baseline_value, "progress": t.progress,
                             **g.status_display(t.status), "reason": t.reason,
                             "display": f"{t.fmt(t.current)} of {t.fmt(goal.target_value)} "
                                        f"(baseline {t.fmt(goal.baseline_value)})"})
            else:
                last = kr.grades[-1] if kr.grades else None
                grade = last[1] if last else None
                item.update({"grade": grade, "graded_by": "check-in",
                             "display": (f"graded {g.grade_text(last[1])} on "
                                         f"{last[0].isoformat()}" if last else "not graded yet"),
                             "checkins": [{"on": on.isoformat(), "grade": gr, "comment": c,
                                           "author": a} for on, gr, c, a in kr.grades]})
            item.update(grade_text=g.grade_text(grade), colour=g.grade_colour(grade))
            krs.append(item)
        overall = g.objective_grade([k["grade"] for k in krs], obj.kind)
        return {"id": obj.id, "title": obj.title, "kind": obj.kind,
                "deadline": obj.deadline.isoformat(), "owner": obj.owner,
                **overall.as_dict(), "key_results": krs}

    def okrs(self, ws: Workspace, today: date | None = None) -> builtins.list[dict[str, Any]]:
        return [self.okr(ws, o.id, today) for o in self.repo.objectives(ws.id)]

    def grade_key_result(self, ws: Workspace, objective_id: int, key_result: int, grade: float,
                         comment: str = "", author: str = "", today: date | None = None,
                         ) -> dict[str, Any]:
        """Grade a milestone key result at a check-in (``key_result`` is its position)."""
        day = self._today(today)
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
        return self.okr(ws, objective_id, day)
