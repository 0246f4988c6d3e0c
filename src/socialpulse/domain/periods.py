"""Dates, periods and time grains as users write them.

Periods are inclusive ranges of local dates (the workspace's time zone decides where a day
starts); ``end_exclusive`` is what queries use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from .errors import InvalidInput


class Grain(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"


def parse_date(text: str, field_name: str = "date") -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"{field_name}: {text!r} is not a date; use YYYY-MM-DD, e.g. 2026-09-30"
        ) from None


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date  # inclusive

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInput(
                f"period: end {self.end.isoformat()} is before start {self.start.isoformat()}"
            )

    @property
    def end_exclusive(self) -> date:
        return self.end + timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> DateRange:
        """The period of the same length just before this one (for "change on previous")."""
        if _is_month_aligned(self):
            months = _months_between(self.start, self.end_exclusive)
            start = _add_months(self.start, -months)
            return DateRange(start, self.start - timedelta(days=1))
        return DateRange(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def label(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, 1)


def _months_between(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def _is_month_aligned(r: DateRange) -> bool:
    return r.start.day == 1 and r.end_exclusive.day == 1


_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.I)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$", re.I)
_YEAR = re.compile(r"^(\d{4})$")


def parse_period(text: str, field_name: str = "period") -> DateRange:
    """Parse 2026-Q3, 2026-09, 2026-W37, 2026 or FROM..TO (dates inclusive)."""
    t = text.strip()
    if ".." in t:
        a, _, b = t.partition("..")
        return DateRange(parse_date(a, f"{field_name} start"), parse_date(b, f"{field_name} end"))
    if m := _QUARTER.match(t):
        start = date(int(m[1]), 3 * (int(m[2]) - 1) + 1, 1)
        return DateRange(start, _add_months(start, 3) - timedelta(days=1))
    if m := _MONTH.match(t):
        if not 1 <= int(m[2]) <= 12:
            raise InvalidInput(f"{field_name}: month {m[2]} is not 01-12 in {text!r}")
        start = date(int(m[1]), int(m[2]), 1)
        return DateRange(start, _add_months(start, 1) - timedelta(days=1))
    if m := _WEEK.match(t):
        try:
            start = date.fromisocalendar(int(m[1]), int(m[2]), 1)
        except ValueError:
            raise InvalidInput(f"{field_name}: {text!r} is not an ISO week") from None
        return DateRange(start, start + timedelta(days=6))
    if m := _YEAR.match(t):
        return DateRange(date(int(m[1]), 1, 1), date(int(m[1]), 12, 31))
    if re.match(r"^\d{4}-\d{2}-\d{2}$", t):
        d = parse_date(t, field_name)
        return DateRange(d, d)
    raise InvalidInput(
        f"{field_name}: {text!r} is not a period; use 2026-Q3, 2026-09, 2026-W37, 2026 "
        "or 2026-07-01..2026-09-30"
    )


def bucket_start(d: date, grain: Grain) -> date:
    """First day of the bucket that holds ``d`` (weeks start on Monday, ISO)."""
    if grain is Grain.DAY:
        return d
    if grain is Grain.WEEK:
        return d - timedelta(days=d.weekday())
    if grain is Grain.MONTH:
        return d.replace(day=1)
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def trailing(end: date, days: int) -> DateRange:
    """The ``days`` days ending on ``end`` (inclusive)."""
    return DateRange(end - timedelta(days=days - 1), end)


def resolve_period(
    start: str | None,
    end: str | None,
    period: str | None,
    names: tuple[str, str, str] = ("from", "to", "period"),
) -> DateRange | None:
    """The period users ask for: a named ``period`` or ``start``/``end`` dates (either may be
    open: all data before or after). ``names`` are how the interface calls the three fields, so
    errors name what the user typed (``--from`` in the CLI, ``from`` in the API)."""
    start, end, period = (v.strip() if v else None for v in (start, end, period))
    n_from, n_to, n_period = names
    if period and (start or end):
        raise InvalidInput(f"{n_period}: use either {n_period} or {n_from}/{n_to}, not both")
    if period:
        return parse_period(period, n_period)
    if start or end:
        first = parse_date(start, n_from) if start else date(1970, 1, 1)
        last = parse_date(end, n_to) if end else date(9999, 12, 30)
        return DateRange(first, last)
    return None
