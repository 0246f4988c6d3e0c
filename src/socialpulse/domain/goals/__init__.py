"""Goal maths: SMART checks, progress, expected progress, status, OKR grades and colours.

Seed 004 (DOMAIN.md section 3): a goal is a metric over a scope, a baseline measured over a
named period, a target (absolute or a % change on the baseline) and a deadline. Everything here
is pure arithmetic and rules; services measure the metric and pass numbers and dates in (the
domain never reads the clock: ``today`` is always an argument).

One module per concern, re-exported here so callers read ``goals.progress`` or
``goals.Status`` without knowing the file:

- `spec`: what a user asks for (`GoalSpec`) and `fields`: the JSON types and bounds of its fields
- `model`: stored goals, milestones, check-ins and status history as plain values
- `progress`: targets and progress; `status`: the status rules, words and colours
- `smart`: the SMART checks and achievability; `deadlines`, `revisions`: what may change when
- `windows`: horizons and baseline windows; `measures`: a metric over a window, in words
- `okrs`: objectives, key results and grades; `catalogue`: goal types and templates
"""

from __future__ import annotations

from .catalogue import (
    BASELINE,
    HORIZON,
    GoalCatalogue,
    GoalTypeInfo,
    Template,
    load_goal_catalogue,
)
from .deadlines import MAX_GOAL_YEARS, check_deadline, latest_deadline
from .fields import MAX_CHANGE_PCT, MAX_TARGET, check_goal_fields
from .measures import measure_words, window_kind
from .model import CheckIn, Goal, Milestone, StatusEntry
from .okrs import (
    MAX_KEY_RESULTS,
    MIN_KEY_RESULTS,
    OKR_EXPECTED,
    OKR_KINDS,
    KeyResult,
    Objective,
    ObjectiveGrade,
    OkrKind,
    check_grade,
    check_key_result_count,
    grade_colour,
    grade_from_progress,
    grade_text,
    objective_grade,
    shown_grade,
)
from .progress import (
    check_target,
    expected_progress,
    progress,
    relative_change,
    target_from_change,
)
from .revisions import REVISABLE, revision_summary
from .smart import Achievability, CheckLevel, SmartCheck, achievability, already_met, smart_checks
from .spec import GoalSpec
from .status import (
    PACE_AT_RISK,
    PACE_ON_TRACK,
    STATUS_RANK,
    STATUS_TONE,
    Status,
    StatusResult,
    Tone,
    assess_status,
    status_display,
)
from .windows import baseline_window, resolve_baseline, resolve_horizon

__all__ = [
    "BASELINE", "HORIZON", "MAX_CHANGE_PCT", "MAX_GOAL_YEARS", "MAX_TARGET", "MAX_KEY_RESULTS",
    "MIN_KEY_RESULTS", "OKR_EXPECTED", "OKR_KINDS", "PACE_AT_RISK", "PACE_ON_TRACK", "REVISABLE",
    "STATUS_RANK", "STATUS_TONE", "Achievability", "CheckIn", "CheckLevel", "Goal",
    "GoalCatalogue", "GoalSpec", "GoalTypeInfo", "KeyResult", "Milestone", "Objective",
    "ObjectiveGrade", "OkrKind", "SmartCheck", "Status", "StatusEntry", "StatusResult", "Template",
    "Tone", "achievability", "already_met", "assess_status", "baseline_window", "check_deadline",
    "check_goal_fields", "check_grade", "check_key_result_count", "check_target",
    "expected_progress", "grade_colour", "grade_from_progress", "grade_text", "latest_deadline",
    "load_goal_catalogue", "measure_words", "objective_grade", "progress", "relative_change",
    "resolve_baseline", "resolve_horizon", "revision_summary", "shown_grade", "smart_checks",
    "status_display", "target_from_change", "window_kind",
]
