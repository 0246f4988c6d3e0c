"""How far a goal may reach: a deadline after today and at most `MAX_GOAL_YEARS` after the
goal's start."""

from __future__ import annotations

from datetime import date

from ..errors import InvalidInput

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
