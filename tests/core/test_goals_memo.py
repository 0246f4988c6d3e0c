"""Tracking goals for a list (the Overview's "goals at risk" panel, the Goals page) is
memoised by the goal as stored, the day and the data's version stamp: a second load measures
nothing, another day or an import measures again."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from socialpulse.bootstrap import App
from socialpulse.interfaces.cli import main

SAMPLE = (Path(__file__).parents[1] / "data" / "samples" / "x"
          / "tweet_activity_metrics_rOpenSci_20211101_20211201_en.csv")


def _counting(app: App) -> list[int]:
    tracker: Any = app.goals.tracker
    real = tracker.track
    calls: list[int] = []

    def track(ws: Any, goal: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(goal.id)
        return real(ws, goal, *args, **kwargs)

    tracker.track = track
    return calls


def _view(app: App, today: date) -> list[tuple[Any, ...]]:
    ws = app.workspace("demo")
    return [(t.goal.id, t.status, t.current, t.progress, tuple(t.notes))
            for t in app.goals.list(ws, today)]


def test_a_second_list_measures_nothing_until_the_day_or_the_data_change(
        demo_app: App) -> None:
    calls = _counting(demo_app)
    today = date(2026, 10, 31)
    first = _view(demo_app, today)
    goals = len(first)
    assert goals > 0 and len(calls) == goals
    assert _view(demo_app, today) == first
    assert len(calls) == goals  # answered from the memo
    # a tracking handed out is a copy: changing it does not change the next answer
    ws = demo_app.workspace("demo")
    demo_app.goals.list(ws, today)[0].checkins = ["not stored"]  # type: ignore[list-item]
    assert demo_app.goals.list(ws, today)[0].checkins == []
    demo_app.goals.list(ws, today + timedelta(days=1))
    assert len(calls) == 2 * goals  # another day is another question
    code = main(["--home", str(demo_app.settings.home), "import", str(SAMPLE), "-q"])
    assert code == 0
    assert _view(demo_app, today) == first  # other accounts' data: same figures, ...
    assert len(calls) == 3 * goals  # ... measured again under the new version stamp
