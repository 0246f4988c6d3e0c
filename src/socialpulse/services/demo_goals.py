"""The demo's goals, OKR and scheduled report: so that no page is empty on first start.

Everything goes through the services a user's goals go through (`GoalsService.create`,
`add_okr`, `grade_key_result`, `ReportSchedules.add`), given explicitly and on behalf of the
actor building the demo, with the SMART checks and baselines of any goal: nothing is written
around them. Dates are placed relative to the demo's last day, so the tracker computes the
statuses named below at ``until`` (tests/core/test_demo.py checks them): one goal on track,
one at risk, one missed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from socialpulse.domain.actor import Actor
from socialpulse.domain.goals import GoalSpec
from socialpulse.domain.models import Workspace
from socialpulse.services.goals import GoalsService
from socialpulse.services.report_schedules import ReportSchedules

#: (days before ``until`` the goal was set, days from ``until`` to its deadline, the goal)
GOALS: tuple[tuple[int, int, GoalSpec], ...] = (
    (30, 61, GoalSpec(template="recruiting:followers", target_change_pct=5,
                      owner="Leo (people team)")),  # on track
    (30, 61, GoalSpec(template="brand_awareness:reach", target_change_pct=30,
                      owner="Ana (marketing)")),  # at risk
    (120, -30, GoalSpec(template="brand_awareness:impressions", target_change_pct=10,
                        owner="Ana (marketing)")),  # missed, 83% of the way
)
OKR_TITLE = "Hikers talk with Acme, not just about it"
OKR_KEY_RESULTS = (
    {"template": "community_engagement:engagement_rate", "target_change_pct": 5},
    {"milestone": "Buyer personas updated from social data"},
    {"milestone": "Crisis playbook signed off with legal"},
)
OKR_GRADE = (2, 0.6, "three of five personas rewritten from listening themes")


@dataclass(frozen=True)
class DemoStory:
    goals: int
    okrs: int
    schedules: int


def load_demo_goals(goals: GoalsService, schedules: ReportSchedules, reports_folder: Path,
                    actor: Actor, ws: Workspace, until: date) -> DemoStory:
    """Create the demo's goals, its OKR (one milestone graded, one not yet) and a monthly PDF
    report scheduled into ``reports_folder`` (the data home's ``reports``)."""
    for ago, ahead, spec in GOALS:
        goals.create(actor, ws, replace(spec, deadline=until + timedelta(days=ahead)),
                     until - timedelta(days=ago))
    okr = goals.add_okr(actor, ws, OKR_TITLE, OKR_KEY_RESULTS, until + timedelta(days=61),
                        owner="Marta (community)", today=until - timedelta(days=30))
    kr, grade, comment = OKR_GRADE
    goals.grade_key_result(actor, ws, okr["id"], kr, grade, comment, "Marta",
                           until - timedelta(days=5))
    schedules.add(actor, ws, "monthly", "pdf", reports_folder)
    return DemoStory(goals=len(GOALS) + 1, okrs=1, schedules=1)
