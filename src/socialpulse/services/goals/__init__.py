"""Goal and OKR use cases, one module per concern:

- `measuring`: scope, values over a window and weekly history, through the metrics service
- `preparing`: from a `GoalSpec` to a validated, measured goal with its SMART checks
- `tracking`: current value, progress, forecast and status; `view`: the tracked goal's document
- `revising`: moving a goal's target or deadline; `okrs`: objectives and key results
- `chart`, `backtest`: the goal chart's rows and the forecast's backtest
- `service`: `GoalsService`, the facade the interfaces, reports and the demo call
"""

from __future__ import annotations

from socialpulse.domain.goals import GoalSpec

from .service import GoalsService
from .view import Series, Tracking

__all__ = ["GoalSpec", "GoalsService", "Series", "Tracking"]
