"""Preparing a goal: from what a user asks for (`GoalSpec`, a template filling the gaps) to a
validated, measured `Goal` with its SMART checks; nothing is stored here.

Each step is its own function, in the order a goal is understood: what is measured (metric,
variant, goal type), for whom (scope, campaign), from where (the baseline window), by when
(the deadline), to where (target and milestones), and whether it is SMART.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from socialpulse.domain import goals as g
from socialpulse.domain.errors import InvalidInput, MissingData, NotFound
from socialpulse.domain.formatting import format_value
from socialpulse.domain.goals import Goal, GoalSpec, Milestone
from socialpulse.domain.goals.fields import number
from socialpulse.domain.metrics import Metric, Variant
from socialpulse.domain.models import NETWORK_LABELS, Account, Network, Workspace
from socialpulse.domain.periods import DateRange, parse_date, parse_period, trailing

from .measuring import GoalMeasurer, scope_label
from .tracking import RULE


@dataclass(frozen=True)
class _What:
    """What a goal measures and why: the template (if any), metric, variant and goal type."""

    tpl: g.Template | None
    metric: Metric
    variant: Variant
    gtype: g.GoalTypeInfo
    objective: str

    @property
    def variant_id(self) -> str | None:
        """None for the metric's default variant (as goals store it)."""
        return None if self.variant.id == self.metric.default_variant else self.variant.id


def title_for(tpl: g.Template | None, spec: GoalSpec, gtype: g.GoalTypeInfo, metric: Metric,
              unit: str, baseline: float, target: float, deadline: date) -> str:
    """The template's title when the template is taken as it is; otherwise one made from the
    goal type's verb, the metric, the networks, the change and the deadline."""
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


def milestones_for(raw: Sequence[Mapping[str, Any]], baseline: float, target: float,
                   today: date, deadline: date, where: str) -> list[Milestone]:
    """Milestones as asked for, each due between today and the deadline, sorted by date."""
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
            tv = number(m["target_value"], f"{w}.target_value")
        elif m.get("target_change_pct") is not None:
            tv = g.target_from_change(baseline, number(m["target_change_pct"],
                                                       f"{w}.target_change_pct"))
        else:
            raise InvalidInput(f"{w}: give target_value or target_change_pct")
        out.append(Milestone(due, tv, str(m.get("label") or "")))
    out.sort(key=lambda x: x.due)
    return out


def _target(spec: GoalSpec, tpl: g.Template | None, value: float,
            where: str) -> tuple[float, float | None]:
    """The target value and the % change it came from (None for an absolute target)."""
    if spec.target_value is not None and spec.target_change_pct is not None:
        raise InvalidInput(f"{where}: give target_value or target_change_pct, not both")
    change = spec.target_change_pct
    if spec.target_value is None and change is None:
        if tpl is None:
            raise InvalidInput(f"{where}: target: give target_value or target_change_pct "
                               "(e.g. 20 for +20%)")
        change = tpl.target_change_pct
    if spec.target_value is not None:
        target = number(spec.target_value, f"{where}: target_value")
    else:
        target = g.target_from_change(value, number(change, f"{where}: target_change_pct"))
    g.check_target(value, target)
    return target, None if spec.target_value is not None else change


def _deadline(spec: GoalSpec, tpl: g.Template | None, today: date, where: str) -> date:
    if spec.deadline is None and tpl is None:
        raise InvalidInput(f"{where}: deadline: give the date the goal is due (YYYY-MM-DD)")
    deadline = (spec.deadline if isinstance(spec.deadline, date)
                else parse_date(spec.deadline, "deadline") if spec.deadline
                else g.resolve_horizon(tpl.horizon if tpl else "quarter", today))
    g.check_deadline(deadline, today)
    return deadline


class GoalPreparer:
    """Validates and measures goals (see the module docstring); stores nothing."""

    def __init__(self, measure: GoalMeasurer, goal_catalogue: g.GoalCatalogue) -> None:
        self.measure = measure
        self.catalogue = measure.catalogue
        self.goal_catalogue = goal_catalogue

    def _what(self, spec: GoalSpec, where: str) -> _What:
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
            variant = metric.variant(spec.variant or (tpl.variant if tpl else None))
        except NotFound as exc:
            raise InvalidInput(f"{where}: {exc.message}") from None
        gt_id = spec.goal_type or (tpl.goal_type if tpl else None)
        if not gt_id:
            gt_id = metric.goal_types[0] if metric.goal_types else None
        if not gt_id:
            raise InvalidInput(f"{where}: goal_type: name the goal type the goal serves")
        gtype = self.goal_catalogue.goal_type(gt_id)
        objective = (spec.objective or (tpl.objective if tpl else "") or gtype.description).strip()
        return _What(tpl, metric, variant, gtype, objective)

    def _scope(self, ws: Workspace, spec: GoalSpec, what: _What,
               where: str) -> tuple[list[Account], tuple[str, ...]]:
        """The accounts and networks measured; a campaign only on metrics of posts."""
        nets_in = list(spec.networks) or (list(what.tpl.networks) if what.tpl else [])
        accs, nets = self.measure.scope(ws, spec.accounts, nets_in)
        if spec.campaign is not None:
            other = [m.dataset for m in self.catalogue.inputs(what.metric, what.variant_id)
                     if m.dataset != "posts"]
            if other:
                raise InvalidInput(
                    f"{where}: campaign: {what.metric.id} reads {other[0]} data, which carries "
                    "no campaign tag; drop the campaign or pick a post metric such as reach")
        return accs, nets

    def _baseline(self, ws: Workspace, spec: GoalSpec, tpl: g.Template | None, today: date,
                  where: str, fixed: DateRange | None) -> tuple[str, DateRange, date | None]:
        """The period asked for, the baseline window (see `domain.goals.baseline_window`;
        ``fixed`` keeps a stored one) and the last day with data."""
        bp = spec.baseline_period or (tpl.baseline if tpl else None)
        if not bp:
            raise InvalidInput(f"{where}: baseline_period: name the period the baseline is "
                               "measured over, e.g. 2026-Q3 or previous_quarter")
        named = (g.resolve_baseline(bp, today) if g.BASELINE.match(bp)
                 else parse_period(bp, "baseline_period"))
        if named.end > today:
            raise InvalidInput(f"{where}: baseline_period: {named.label()} ends after today "
                               f"({today.isoformat()}); measure the baseline over a past period")
        data_end = self.measure.data_end(ws)
        anchor = min(today, data_end) if data_end else today
        return bp, fixed or g.baseline_window(named, anchor), data_end

    def _achievability(self, ws: Workspace, draft: Goal, today: date) -> g.Achievability:
        """The change asked for against the history of the same window measure."""
        series = self.measure.series(ws, draft, today)
        horizon_days = (draft.deadline - today).days
        changes: list[float] = []
        label = "the history"
        if series is not None:
            h = max(1, round(horizon_days / 7))
            w = series.window
            changes = [c for i in range(len(w) - h)
                       if (c := g.relative_change(w[i], w[i + h])) is not None]
            months = round(len(series.values) * 7 / 30.4)
            label = f"the last {months} months"
        return g.achievability(draft.baseline_value, draft.target_value, horizon_days, changes,
                               label)

    def _smart(self, ws: Workspace, draft: Goal, what: _What, accounts: int, today: date,
               checked_on: date | None, data_end: date | None) -> list[g.SmartCheck]:
        """The SMART checks; the achievable letter reads the value on ``checked_on`` (a
        revision's day; a new goal's start, where it is the baseline)."""
        ach = self._achievability(ws, draft, today)
        value, baseline = draft.baseline_value, draft.baseline
        day = checked_on or today
        now_end = min(day, data_end) if data_end else day
        current = value
        if now_end != baseline.end:  # a revision: today's window, not the baseline's
            measured = self.measure.value(ws, draft, trailing(now_end, baseline.days))[0]
            current = value if measured is None else measured
        unit = what.variant.unit
        return g.smart_checks(
            metric=what.metric, scope_label=draft.baseline_how["scope"], accounts=accounts,
            baseline=value,
            baseline_label=f"{format_value(value, unit)}, the {draft.baseline_how['in_words']}",
            target=draft.target_value, achievable=ach, current=current,
            current_label=format_value(current, unit),
            target_label=format_value(draft.target_value, unit),
            goal_type_id=what.gtype.id, goal_type_name=what.gtype.name,
            goal_type_metrics=what.gtype.metrics, objective=what.objective, created=today,
            deadline=draft.deadline, window_days=baseline.days,
        )

    def _measured(self, ws: Workspace, draft: Goal, scope: str, where: str) -> tuple[float, Any]:
        """The baseline value, or MissingData naming the metric, the scope and the period."""
        value, table = self.measure.value(ws, draft, draft.baseline)
        if value is None:
            why = "; ".join(table.notes) or "no data in that period"
            raise MissingData(f"{where}: metric {draft.metric} cannot be computed for {scope} "
                              f"over {draft.baseline.label()} ({why}); choose another metric, "
                              "scope or baseline_period")
        return value, table

    def prepare(self, ws: Workspace, spec: GoalSpec, today: date,
                key_result_id: int | None = None, where: str = "goal",
                fixed_baseline: DateRange | None = None,
                checked_on: date | None = None) -> Goal:
        """Validate a goal and measure its baseline; nothing is stored.

        ``today`` is the goal's start: the baseline is the goal's window ending then (see
        `domain.goals.baseline_window`), unless ``fixed_baseline`` keeps a stored one (a
        revision). ``checked_on`` is the day the SMART check reads the current value (a
        revision's day; a new goal's start)."""
        what = self._what(spec, where)
        accs, nets = self._scope(ws, spec, what, where)
        bp, baseline, data_end = self._baseline(ws, spec, what.tpl, today, where,
                                                fixed_baseline)
        deadline = _deadline(spec, what.tpl, today, where)
        draft = Goal(
            id=0, workspace_id=ws.id, title="", goal_type=what.gtype.id,
            objective=what.objective, metric=what.metric.id, variant=what.variant_id,
            account_ids=tuple(a.id for a in accs), networks=nets, campaign=spec.campaign,
            baseline=baseline, baseline_value=0.0, baseline_how={}, window_days=baseline.days,
            target_value=0.0, target_change_pct=None, start_date=today, deadline=deadline,
            owner=spec.owner or "", template_id=what.tpl.id if what.tpl else None,
            key_result_id=key_result_id,
        )
        scope = scope_label(accs, nets, spec.campaign)
        value, table = self._measured(ws, draft, scope, where)
        target, change = _target(spec, what.tpl, value, where)
        milestones = milestones_for(spec.milestones, value, target, today, deadline, where)
        how = {
            "metric": what.metric.id, "variant": what.variant.id,
            "formula": what.variant.formula_text, "period": baseline.label(),
            "scope": scope, "account_ids": list(draft.account_ids),
            "networks": list(nets), "campaign": spec.campaign,
            "notes": list(table.notes), "computed_on": today.isoformat(),
            "rule": RULE, "asked": bp,
            "in_words": self.measure.in_words(what.metric, what.variant_id, baseline, scope),
        }
        draft = replace(draft, baseline_value=value, baseline_how=how, target_value=target,
                        target_change_pct=change, milestones=tuple(milestones))
        checks = self._smart(ws, draft, what, len(accs), today, checked_on, data_end)
        title = spec.title or title_for(what.tpl, spec, what.gtype, what.metric,
                                        what.variant.unit, value, target, deadline)
        return replace(draft, title=title.strip(), smart=tuple(c.as_dict() for c in checks))

    def auto_title(self, goal: Goal) -> str:
        """The title `prepare` would have written for the goal as it stands, so a revision
        regenerates generated titles but keeps one the user wrote."""
        tpl = self.goal_catalogue.templates.get(goal.template_id or "")
        if tpl is not None and goal.title == tpl.title:
            return tpl.title
        metric = self.catalogue.metric(goal.metric)
        spec = GoalSpec(networks=goal.networks, target_value=goal.target_value)
        return title_for(None, spec, self.goal_catalogue.goal_type(goal.goal_type), metric,
                         self.measure.unit(goal), goal.baseline_value, goal.target_value,
                         goal.deadline)
