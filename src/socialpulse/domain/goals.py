"""Goal maths: SMART checks, progress, expected progress, status, OKR grades and colours.

Seed 004 (DOMAIN.md section 3): a goal is a metric over a scope, a baseline measured over a
named period, a target (absolute or a % change on the baseline) and a deadline. Everything here
is pure arithmetic and rules; services measure the metric and pass numbers and dates in (the
domain never reads the clock: ``today`` is always an argument).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, Literal

from . import formula as fx
from .errors import CatalogueError, InvalidInput
from .metrics import Catalogue, Metric
from .periods import DateRange, trailing


class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    ACHIEVED = "achieved"
    MISSED = "missed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


Tone = Literal["green", "yellow", "red", "grey"]

#: The one mapping from a status to its word and colour: every page, the CLI and the report
#: take both from here, so a colour never disagrees with the word beside it.
STATUS_TONE: dict[Status, Tone] = {
    Status.ACHIEVED: "green",
    Status.ON_TRACK: "green",
    Status.AT_RISK: "yellow",
    Status.OFF_TRACK: "red",
    Status.MISSED: "red",
}


def status_display(status: Status) -> dict[str, str]:
    """``{"status": "at_risk", "status_label": "at risk", "tone": "yellow"}`` for pages,
    the CLI and the report."""
    return {"status": status.value, "status_label": status.label, "tone": STATUS_TONE[status]}


#: worse to better; a better measurement never gives a lower rank (tested with hypothesis)
STATUS_RANK: dict[Status, int] = {
    Status.MISSED: 0,
    Status.OFF_TRACK: 1,
    Status.AT_RISK: 2,
    Status.ON_TRACK: 3,
    Status.ACHIEVED: 4,
}

#: pace rule when no forecast is possible: how far behind the expected progress is still fine
PACE_ON_TRACK = 0.10
PACE_AT_RISK = 0.30


@dataclass(frozen=True)
class Milestone:
    due: date
    target: float
    label: str = ""


# --- targets and progress ------------------------------------------------------------------


def target_from_change(baseline: float, change_pct: float) -> float:
    """Target value for a % change on the baseline (``+20`` means 1.2 x baseline)."""
    if baseline == 0:
        raise InvalidInput(
            "target_change_pct: the baseline is 0, so a % change cannot set a target; "
            "give an absolute target_value instead"
        )
    return baseline + abs(baseline) * change_pct / 100.0


def check_target(baseline: float, target: float) -> None:
    """A target equal to the baseline asks for nothing (and makes progress undefined)."""
    if math.isclose(target, baseline, rel_tol=1e-12, abs_tol=1e-12):
        raise InvalidInput(
            f"target: {target:g} equals the baseline {baseline:g}; set a target above or "
            "below the baseline (target_value or a non-zero target_change_pct)"
        )


def progress(current: float, baseline: float, target: float) -> float:
    """(current - baseline) / (target - baseline): 0 at the baseline, 1 at the target.

    Works the same for "lower is better" goals (target below baseline). Not clipped: more than
    1 means beyond the target, below 0 means worse than the baseline.
    """
    check_target(baseline, target)
    return (current - baseline) / (target - baseline)


def expected_progress(
    start: date,
    deadline: date,
    today: date,
    baseline: float,
    target: float,
    milestones: Sequence[Milestone] = (),
) -> float:
    """Progress a goal should have by ``today``, in [0, 1].

    Straight line from 0 at ``start`` to 1 at ``deadline``, or through the milestones when
    there are any (each milestone's target is a point on the path).
    """
    points: list[tuple[date, float]] = [(start, 0.0)]
    for m in sorted(milestones, key=lambda m: m.due):
        if start < m.due < deadline:
            p = min(max(progress(m.target, baseline, target), 0.0), 1.0)
            points.append((m.due, max(p, points[-1][1])))
    points.append((deadline, 1.0))
    if today <= start:
        return 0.0
    if today >= deadline:
        return 1.0
    for (d0, p0), (d1, p1) in zip(points, points[1:], strict=False):
        if d0 <= today <= d1:
            span = (d1 - d0).days
            return p0 if span == 0 else p0 + (p1 - p0) * (today - d0).days / span
    return 1.0  # pragma: no cover - the points cover [start, deadline]


@dataclass(frozen=True)
class StatusResult:
    status: Status
    reason: str


def assess_status(
    *,
    today: date,
    deadline: date,
    progress_now: float,
    expected: float,
    forecast_progress: float | None = None,
    forecast_best: float | None = None,
    fmt: Mapping[str, str] | None = None,
) -> StatusResult:
    """Status with the reason, from progress and (when there is one) the forecast.

    Rules, in order: after the deadline, achieved or missed (the target applies to the window
    ending at the deadline); before it, with a forecast, on track when the forecast reaches the
    target, at risk
    when only the optimistic end of its interval does, off track when not even that does;
    without a forecast, by pace against the expected progress. ``fmt`` holds display strings
    (current, target, forecast, lower, upper) for the reason.
    """
    f = dict(fmt or {})
    cur = f.get("current", f"{progress_now:.0%} of the way")
    tgt = f.get("target", "the target")
    if today > deadline:
        if progress_now >= 1:
            return StatusResult(Status.ACHIEVED, f"the deadline passed with {cur}, "
                                                 f"meeting the target {tgt}")
        return StatusResult(Status.MISSED, f"the deadline passed at {cur}, short of the "
                                           f"target {tgt} ({progress_now:.0%} of the way)")
    # before the deadline the target still has to hold in the window ending at the deadline,
    # so a goal already above its target is judged by its forecast like any other
    now = f"{cur} already meets {tgt}, but " if progress_now >= 1 else ""
    if forecast_progress is not None:
        point = f.get("forecast", "the forecast")
        best = forecast_best if forecast_best is not None else forecast_progress
        band = (f" (interval {f['lower']} to {f['upper']})" if "lower" in f and "upper" in f
                else "")
        if forecast_progress >= 1:
            already = f"{cur} already meets {tgt} and " if progress_now >= 1 else ""
            return StatusResult(Status.ON_TRACK, f"{already}the forecast at the deadline, "
                                                 f"{point}{band}, meets the target {tgt}")
        if best >= 1:
            return StatusResult(Status.AT_RISK, f"{now}the forecast at the deadline, {point}, "
                                                f"falls short of {tgt}; only the optimistic "
                                                f"end of its interval{band} reaches it")
        return StatusResult(Status.OFF_TRACK, f"{now}the forecast at the deadline, "
                                              f"{point}{band}, falls short of {tgt} even at "
                                              "its best")
    gap = progress_now - expected
    pace = (f"{progress_now:.0%} of the way with {expected:.0%} expected by now "
            "(no forecast: too little history)")
    if gap >= -PACE_ON_TRACK:
        return StatusResult(Status.ON_TRACK, pace)
    if gap >= -PACE_AT_RISK:
        return StatusResult(Status.AT_RISK, pace)
    return StatusResult(Status.OFF_TRACK, pace)


# --- SMART ---------------------------------------------------------------------------------

CheckLevel = Literal["pass", "warn", "fail"]


@dataclass(frozen=True)
class SmartCheck:
    letter: str
    name: str
    level: CheckLevel
    explanation: str

    def as_dict(self) -> dict[str, str]:
        return {"letter": self.letter, "name": self.name, "level": self.level,
                "explanation": self.explanation}


def relative_change(before: float, after: float) -> float | None:
    """(after - before) / |before|, or None when ``before`` is 0."""
    if before == 0:
        return None
    return (after - before) / abs(before)


@dataclass(frozen=True)
class Achievability:
    level: CheckLevel
    explanation: str
    required: float | None  # relative change asked for
    best: float | None  # best change of the same horizon in history (in the target's direction)
    share_at_least: float | None  # share of past periods that changed at least as much


def _pct(x: float) -> str:
    return f"{x * 100:+.0f}%"


def achievability(
    baseline: float,
    target: float,
    horizon_days: int,
    history_changes: Sequence[float],
    history_label: str,
) -> Achievability:
    """Compare the change asked for with the changes of the same horizon in the history.

    ``history_changes`` are relative changes of the metric over ``horizon_days`` in the past
    (one per start week). Above the best one: fail. Above what three periods in four did
    (in the target's direction): a stretch, warned. Otherwise achievable.
    """
    req = relative_change(baseline, target)
    up = target > baseline
    if req is None:
        return Achievability("warn", "the baseline is 0, so the change cannot be compared "
                             "with the history as a percentage", None, None, None)
    if not history_changes:
        return Achievability("warn", f"needs {_pct(req)} in {horizon_days} days; the history "
                             f"is too short to hold a {horizon_days}-day change", req, None,
                             None)
    signed = [c if up else -c for c in history_changes]
    need = req if up else -req
    best_signed = max(signed)
    best = best_signed if up else -best_signed
    share = sum(1 for c in signed if c >= need) / len(signed)
    text = (f"needs {_pct(req)} in {horizon_days} days; the best {horizon_days}-day change in "
            f"{history_label} was {_pct(best)}")
    if need > best_signed:
        return Achievability("fail", text + " - lower the target or move the deadline",
                             req, best, share)
    if share < 0.25:
        return Achievability("warn", text + f"; only {share:.0%} of {horizon_days}-day "
                             "periods changed that much: a stretch", req, best, share)
    return Achievability("pass", text + f"; {share:.0%} of {horizon_days}-day periods "
                         "changed at least that much", req, best, share)


def already_met(metric: Metric, current: float, target: float) -> bool:
    """Whether ``current`` is already at or beyond ``target`` in the metric's better direction
    (a goal that asks for what is already there is no goal)."""
    return current >= target if metric.direction == "higher" else current <= target


def smart_checks(
    *,
    metric: Metric,
    scope_label: str,
    accounts: int,
    baseline: float,
    baseline_label: str,
    target: float,
    achievable: Achievability,
    current: float,
    current_label: str,
    target_label: str,
    goal_type_id: str,
    goal_type_name: str,
    goal_type_metrics: Sequence[str],
    objective: str,
    created: date,
    deadline: date,
    window_days: int,
) -> list[SmartCheck]:
    """One check per letter, each with a plain explanation."""
    checks: list[SmartCheck] = []
    if accounts > 0:
        checks.append(SmartCheck("S", "specific", "pass",
                                 f"{metric.name} for {scope_label}"))
    else:
        checks.append(SmartCheck("S", "specific", "fail",
                                 f"{metric.name}: the scope {scope_label} holds no account"))
    checks.append(SmartCheck("M", "measurable", "pass",
                             f"computed from the data held: {baseline_label}"))
    if already_met(metric, current, target):
        better = "higher" if metric.direction == "higher" else "lower"
        checks.append(SmartCheck(
            "A", "achievable", "fail",
            f"the target is already met today: {metric.name} is {current_label}, "
            f"{better} is better and the target is {target_label}; set a target beyond "
            "today's value"))
    else:
        checks.append(SmartCheck("A", "achievable", achievable.level, achievable.explanation))
    up = target > baseline
    wrong_way = (metric.direction == "higher") != up
    if wrong_way:
        checks.append(SmartCheck(
            "R", "relevant", "warn",
            f"the target moves {metric.name} {'up' if up else 'down'}, but "
            f"{'lower' if metric.direction == 'lower' else 'higher'} is better for it"))
    elif metric.id in goal_type_metrics:
        checks.append(SmartCheck("R", "relevant", "pass",
                                 f"{metric.name} is a recommended metric for {goal_type_name}; "
                                 f"serves: {objective}"))
    else:
        rec = ", ".join(goal_type_metrics) or "internal milestones"
        checks.append(SmartCheck("R", "relevant", "warn",
                                 f"{metric.name} is not among the metrics recommended for "
                                 f"{goal_type_name} ({rec}); serves: {objective}"))
    days = (deadline - created).days
    if days <= 0:
        checks.append(SmartCheck("T", "time-bound", "fail",
                                 f"the deadline {deadline.isoformat()} is not in the future"))
    elif days < 7:
        checks.append(SmartCheck("T", "time-bound", "warn",
                                 f"deadline {deadline.isoformat()}, only {days} days away"))
    else:
        checks.append(SmartCheck("T", "time-bound", "pass",
                                 f"deadline {deadline.isoformat()}, {days} days away; measured "
                                 f"over the {window_days} days up to it"))
    return checks


#: A goal runs at most this many years from its start. Plans further out are no goals, and
#: a deadline of 9999-12-31 made the goal's page build hundreds of thousands of weekly rows.
MAX_GOAL_YEARS = 5


def latest_deadline(start: date) -> date:
    """The last deadline a goal started on ``start`` may have (29 February -> 28 February)."""
    year = start.year + MAX_GOAL_YEARS
    try:
        return start.replace(year=year)
    except ValueError:
        return start.replace(year=year, day=28)


def check_deadline(deadline: date, today: date, start: date | None = None) -> None:
    """A deadline after ``today`` and at most `MAX_GOAL_YEARS` after the goal's ``start``
    (default: today, for a new goal)."""
    if deadline <= today:
        raise InvalidInput(
            f"deadline: {deadline.isoformat()} is not after today ({today.isoformat()}); "
            "choose a date in the future"
        )
    began = start or today
    if deadline > latest_deadline(began):
        raise InvalidInput(
            f"deadline: {deadline.isoformat()} is more than {MAX_GOAL_YEARS} years after the "
            f"goal's start ({began.isoformat()}); choose a date up to "
            f"{latest_deadline(began).isoformat()}"
        )


# --- revisions -----------------------------------------------------------------------------

REVISABLE = ("title", "objective", "owner", "target_value", "target_change_pct", "deadline",
             "milestones")


def revision_summary(old: Goal, new: Goal, fmt: Callable[[float], str]) -> list[str]:
    """What a revision changed, in words, for the goal's check-in log.

    A goal whose target or deadline moves mid-way must say so where progress is read, or a
    goal "met" after lowering the bar looks like a success."""
    out: list[str] = []
    if not math.isclose(old.target_value, new.target_value, rel_tol=1e-12, abs_tol=1e-12):
        out.append(f"target {fmt(old.target_value)} -> {fmt(new.target_value)}")
    if old.deadline != new.deadline:
        out.append(f"deadline {old.deadline.isoformat()} -> {new.deadline.isoformat()}")
    if old.milestones != new.milestones:
        out.append(f"milestones {len(old.milestones)} -> {len(new.milestones)}")
    for name in ("title", "objective", "owner"):
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            out.append(f"{name} {a!r} -> {b!r}" if len(a) + len(b) < 80 else f"{name} changed")
    return out


# --- OKRs ----------------------------------------------------------------------------------

OkrKind = Literal["committed", "aspirational"]
OKR_KINDS: tuple[OkrKind, ...] = ("committed", "aspirational")
MIN_KEY_RESULTS = 3
MAX_KEY_RESULTS = 5


def check_grade(grade: float, field_name: str = "grade") -> float:
    if not (isinstance(grade, int | float) and math.isfinite(grade) and 0.0 <= grade <= 1.0):
        raise InvalidInput(f"{field_name}: {grade!r} is not a grade from 0.0 to 1.0")
    return float(grade)


def grade_from_progress(p: float | None) -> float | None:
    """A metric key result's grade: its progress, clipped to 0.0-1.0; ``None`` (ungraded)
    while there is no measured progress (no data yet is not a failure)."""
    if p is None or not math.isfinite(p):
        return None
    return min(max(p, 0.0), 1.0)


def shown_grade(grade: float) -> float:
    """The grade as shown, to one decimal: colours and verdicts use this same number, so the
    list, the detail page, the CLI and the report never disagree."""
    return round(check_grade(grade) + 1e-9, 1)


def grade_colour(grade: float | None) -> Tone:
    """0.0-0.3 red, 0.4-0.6 yellow, 0.7-1.0 green (on the grade as shown); grey ungraded."""
    if grade is None:
        return "grey"
    g = shown_grade(grade)
    if g <= 0.3:
        return "red"
    if g <= 0.6:
        return "yellow"
    return "green"


def grade_text(grade: float | None) -> str:
    """``"0.6"``, or ``"ungraded"`` for a key result nobody has graded yet."""
    return "ungraded" if grade is None else f"{shown_grade(grade):.1f}"


@dataclass(frozen=True)
class ObjectiveGrade:
    """An objective's grade: the mean of its graded key results, with how many were graded."""

    grade: float | None
    graded: int
    total: int
    kind: OkrKind

    @property
    def text(self) -> str:
        return grade_text(self.grade)

    @property
    def colour(self) -> Tone:
        return grade_colour(self.grade)

    @property
    def coverage(self) -> str:
        return f"{self.graded} of {self.total} key results graded"

    @property
    def success(self) -> bool | None:
        """Committed OKRs are expected to reach 1.0; aspirational ones succeed at 0.7."""
        if self.grade is None:
            return None
        return shown_grade(self.grade) >= OKR_EXPECTED[self.kind]

    @property
    def verdict(self) -> str:
        expected = OKR_EXPECTED[self.kind]
        if self.grade is None:
            return f"{self.kind}: expected {expected:.1f}; no key result graded yet"
        word = "met" if self.success else "below"
        return (f"{self.kind}: expected {expected:.1f}, graded {self.text} ({self.coverage}) "
                f"- {word} expectation")

    def as_dict(self) -> dict[str, Any]:
        return {"grade": self.grade, "grade_text": self.text, "colour": self.colour,
                "graded": self.graded, "total": self.total, "coverage": self.coverage,
                "success": self.success, "verdict": self.verdict}


OKR_EXPECTED: dict[str, float] = {"committed": 1.0, "aspirational": 0.7}


def objective_grade(grades: Sequence[float | None], kind: OkrKind) -> ObjectiveGrade:
    """The one computation of an objective's grade: the mean of the graded key results only
    (an ungraded key result is unknown, not 0, and does not drag the grade down)."""
    if not grades:
        raise InvalidInput("an objective needs key results to be graded")
    graded = [x for x in grades if x is not None]
    mean = sum(graded) / len(graded) if graded else None
    return ObjectiveGrade(mean, len(graded), len(grades), kind)


def check_key_result_count(n: int) -> None:
    if not MIN_KEY_RESULTS <= n <= MAX_KEY_RESULTS:
        raise InvalidInput(
            f"key results: an objective needs {MIN_KEY_RESULTS} to {MAX_KEY_RESULTS} key "
            f"results, got {n}"
        )


# --- goal types and templates (validated from plain data) ----------------------------------

HORIZON = re.compile(r"^(quarter|month|year|(\d{1,3})d)$")
BASELINE = re.compile(r"^(previous_quarter|previous_month|last_(\d{1,3})d)$")


@dataclass(frozen=True)
class GoalTypeInfo:
    id: str
    name: str
    verb: str
    description: str
    metrics: tuple[str, ...]
    milestones: tuple[str, ...] = ()


@dataclass(frozen=True)
class Template:
    id: str  # "{goal_type}:{metric}"
    goal_type: str
    metric: str
    title: str
    target_change_pct: float
    horizon: str  # quarter | month | year | Nd
    baseline: str  # previous_quarter | previous_month | last_Nd
    variant: str | None = None
    networks: tuple[str, ...] = ()
    objective: str = ""


@dataclass(frozen=True)
class GoalCatalogue:
    goal_types: Mapping[str, GoalTypeInfo]
    templates: Mapping[str, Template] = field(default_factory=dict)

    def goal_type(self, gid: str) -> GoalTypeInfo:
        try:
            return self.goal_types[gid]
        except KeyError:
            raise InvalidInput(
                f"goal_type: unknown goal type {gid!r}; use one of {', '.join(self.goal_types)}"
            ) from None

    def template(self, tid: str) -> Template:
        try:
            return self.templates[tid]
        except KeyError:
            gt = tid.split(":")[0]
            near = [t for t in self.templates if t.startswith(gt + ":")][:8]
            hint = f"; for {gt}: {', '.join(near)}" if near else ""
            raise InvalidInput(
                f"template: unknown template {tid!r}{hint} (see `socialpulse goals templates`)"
            ) from None


def load_goal_catalogue(
    goal_types_doc: Mapping[str, Any],
    templates_doc: Mapping[str, Any],
    metrics: Catalogue,
) -> GoalCatalogue:
    """Validate goal types and templates; every error names the file and the entry.

    Every (goal type, recommended metric) pair must have a template with id
    ``"{goal_type}:{metric}"`` (other features link to these ids).
    """
    types: dict[str, GoalTypeInfo] = {}
    for gid, g in (goal_types_doc.get("goal_types") or {}).items():
        where = f"goal_types.yaml: goal type {gid}"
        if not isinstance(g, Mapping) or not g.get("name"):
            raise CatalogueError(f"{where}: missing required field 'name'")
        types[gid] = GoalTypeInfo(
            id=gid, name=str(g["name"]), verb=str(g.get("verb") or g["name"]),
            description=str(g.get("description", "")),
            metrics=tuple(g.get("metrics") or ()),
            milestones=tuple(str(m) for m in g.get("milestones") or ()),
        )
    raw = templates_doc.get("templates")
    if not isinstance(raw, Mapping):
        raise CatalogueError("goal_templates.yaml: needs a top-level 'templates' mapping")
    templates: dict[str, Template] = {}
    for tid, t in raw.items():
        where = f"goal_templates.yaml: template {tid}"
        if not isinstance(t, Mapping):
            raise CatalogueError(f"{where}: must be a mapping")
        gid, sep, mid = str(tid).partition(":")
        if not sep or gid not in types:
            raise CatalogueError(f"{where}: id must be 'goal_type:metric' with a known goal type")
        if mid not in types[gid].metrics:
            raise CatalogueError(f"{where}: metric {mid!r} is not recommended for goal type "
                                 f"{gid} in goal_types.yaml")
        if mid not in metrics.metrics:
            raise CatalogueError(f"{where}: unknown metric {mid!r}")
        for key in ("title", "target_change_pct", "horizon", "baseline"):
            if t.get(key) in (None, ""):
                raise CatalogueError(f"{where}: missing required field {key!r}")
        change = t["target_change_pct"]
        if not isinstance(change, int | float) or change == 0:
            raise CatalogueError(f"{where}: target_change_pct must be a non-zero number")
        if not HORIZON.match(str(t["horizon"])):
            raise CatalogueError(f"{where}: horizon {t['horizon']!r} is not quarter, month, "
                                 "year or Nd (e.g. 90d)")
        if not BASELINE.match(str(t["baseline"])):
            raise CatalogueError(f"{where}: baseline {t['baseline']!r} is not previous_quarter, "
                                 "previous_month or last_Nd (e.g. last_90d)")
        variant = t.get("variant")
        metric = metrics.metrics[mid]
        if variant is not None and variant not in metric.variants:
            raise CatalogueError(f"{where}: metric {mid} has no variant {variant!r}")
        templates[tid] = Template(
            id=str(tid), goal_type=gid, metric=mid, title=str(t["title"]),
            target_change_pct=float(change), horizon=str(t["horizon"]),
            baseline=str(t["baseline"]), variant=variant,
            networks=tuple(str(n) for n in t.get("networks") or ()),
            objective=str(t.get("objective", "")),
        )
    for g in types.values():
        for mid in g.metrics:
            if f"{g.id}:{mid}" not in templates:
                raise CatalogueError(f"goal_templates.yaml: template {g.id}:{mid} is missing "
                                     f"(goal type {g.id} recommends {mid})")
    return GoalCatalogue(types, templates)


def _quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, 1)


def resolve_horizon(horizon: str, today: date, min_days: int = 30) -> date:
    """Deadline for a template horizon: the end of the current quarter/month/year (the next
    one when fewer than ``min_days`` remain), or N days from today."""
    m = HORIZON.match(horizon)
    if not m:
        raise InvalidInput(f"horizon: {horizon!r} is not quarter, month, year or Nd")
    if m[2]:
        return today + timedelta(days=int(m[2]))
    months = {"month": 1, "quarter": 3, "year": 12}[m[1]]
    start = {"month": today.replace(day=1), "quarter": _quarter_start(today),
             "year": date(today.year, 1, 1)}[m[1]]
    end = _add_months(start, months) - timedelta(days=1)
    if (end - today).days < min_days:
        end = _add_months(start, 2 * months) - timedelta(days=1)
    return end


def resolve_baseline(spec: str, today: date) -> DateRange:
    """Baseline period for a template: the last complete quarter/month, or the last N days."""
    m = BASELINE.match(spec)
    if not m:
        raise InvalidInput(f"baseline: {spec!r} is not previous_quarter, previous_month or last_Nd")
    if m[2]:
        return DateRange(today - timedelta(days=int(m[2]) - 1), today)
    if m[1] == "previous_month":
        start = _add_months(today.replace(day=1), -1)
        return DateRange(start, today.replace(day=1) - timedelta(days=1))
    qs = _quarter_start(today)
    return DateRange(_add_months(qs, -3), qs - timedelta(days=1))


def baseline_window(named: DateRange, anchor: date) -> DateRange:
    """A new goal's baseline: the window as long as the named period, ending on ``anchor``
    (the goal's start, or the last day with data when that is earlier).

    Current values are measured over the same window ending today, so a goal starts at
    progress 0 by construction; a baseline over an earlier period (the last complete quarter
    while "current" is the 92 days up to today) would count what already happened, or the
    overlap of the two windows, as progress. The named period (previous_quarter, last_90d,
    2026-Q3) therefore sets the window's length only.
    """
    return trailing(anchor, named.days)


def measure_words(catalogue: Catalogue, metric: Metric, variant: str | None) -> str:
    """How a metric's value over a window is computed, in words (``sum of post reach``,
    ``sum of post engagements / sum of post impressions x 100 (sums first, then divide)``)."""
    v = metric.variant(variant)

    def name(ref: str) -> str:
        m = catalogue.measures[ref]
        label = re.sub(r"\s*\((end|start)\)$", "", m.name.lower())
        if m.dataset == "posts" and m.agg == "sum" and not label.startswith("post"):
            label = f"post {label}"
        if v.kind == "mean_of_post_ratios":
            return label
        return {"sum": f"sum of {label}", "count": f"number of {label}",
                "end": f"{label} at the window's end",
                "start": f"{label} just before the window"}.get(m.agg, label)

    text = fx.render(v.formula, name)
    if v.kind == "mean_of_post_ratios":
        text = f"mean over posts of ({text})"
    if v.is_rate:
        text = f"{text} x 100"
    if "/" in fx.render(v.formula) and v.kind != "mean_of_post_ratios":
        text += " (sums first, then divide)"
    return text


def window_kind(catalogue: Catalogue, metric: Metric, variant: str | None) -> Literal[
        "sum", "last", "mean"]:
    """How weekly values of the metric combine over a longer window.

    Counts of additive inputs add up; a count of stock inputs (followers at the end) is the
    last value, unless it is a difference of end and start values (net growth adds up).
    A rate of a flow over a stock (shares / followers, net growth / followers at the start)
    also adds up: a quarter's shares over the followers are about the sum of the weekly
    rates. Other rates, ratios, currency, durations and scores (a flow over a flow, such as
    engagements / impressions) are averaged.
    """
    v = metric.variant(variant)
    aggs = {catalogue.measures[n].agg for n in v.inputs}
    stock = {"end", "start"}
    if v.unit == "count":
        if aggs <= {"sum", "count"} or stock <= aggs:
            return "sum"
        return "last"
    if v.kind == "mean_of_post_ratios":
        return "mean"
    node = v.formula
    while isinstance(node, fx.BinOp) and node.op in "*/" and isinstance(node.right, fx.Num):
        node = node.left  # "x / y * 1000": the constant does not change how weeks combine
    if isinstance(node, fx.BinOp) and node.op == "/":
        num = {catalogue.measures[n].agg for n in fx.refs(node.left)}
        den = {catalogue.measures[n].agg for n in fx.refs(node.right)}
        if den and den <= stock and (num <= {"sum", "count"} or stock <= num):
            return "sum"
    return "mean"


# --- stored goals and OKRs as plain values -------------------------------------------------


@dataclass(frozen=True)
class Goal:
    """A SMART goal as stored: what is measured, for whom, from where to where, by when."""

    id: int
    workspace_id: int
    title: str
    goal_type: str
    objective: str
    metric: str
    variant: str | None
    account_ids: tuple[int, ...]
    networks: tuple[str, ...]
    campaign: str | None
    baseline: DateRange
    baseline_value: float
    baseline_how: Mapping[str, Any]
    window_days: int
    target_value: float
    target_change_pct: float | None
    start_date: date
    deadline: date
    owner: str = ""
    template_id: str | None = None
    smart: tuple[Mapping[str, str], ...] = ()
    milestones: tuple[Milestone, ...] = ()
    key_result_id: int | None = None
    archived: bool = False


@dataclass(frozen=True)
class CheckIn:
    on: date
    author: str
    comment: str
    value: float | None
    progress: float | None
    status: str


@dataclass(frozen=True)
class StatusEntry:
    on: date
    status: str
    reason: str
    progress: float | None
    value: float | None
    forecast: float | None


@dataclass(frozen=True)
class KeyResult:
    id: int
    position: int
    kind: Literal["metric", "milestone"]
    title: str
    goal_id: int | None
    grades: tuple[tuple[date, float, str, str], ...] = ()  # (on, grade, comment, author)


@dataclass(frozen=True)
class Objective:
    id: int
    workspace_id: int
    title: str
    kind: OkrKind
    deadline: date
    owner: str
    key_results: tuple[KeyResult, ...]
    archived: bool = False
