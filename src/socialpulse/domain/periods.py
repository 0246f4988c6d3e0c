"""Dates, periods and time grains as users write them.

Periods are inclusive ranges of local dates (the workspace's time zone decides where a day
starts); ``end_exclusive`` is what queries use.

The plausible range of dates lives here, once, as data: social networks' data begins in 2004,
so an earlier date is a typo or a placeholder (0001-01-01); a date far in the future is one too
(9999-12-31), and both used to poison a workspace (date arithmetic overflowing on every page).
Data may be dated at most :data:`DATA_DAYS_AHEAD` days after the import's today (time zones and
clock skew), periods at most :data:`PERIOD_YEARS_AHEAD` years ahead (plans and deadlines). The
domain never reads the clock: ``today`` is always an argument.
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


#: The first plausible day of social media data (and of any period asked about).
EARLIEST = date(2004, 1, 1)
#: Data may be dated this many days after the import's today (time zones, clock skew).
DATA_DAYS_AHEAD = 2
#: Periods, deadlines and ``today`` parameters may reach this many years after today's year.
PERIOD_YEARS_AHEAD = 5
#: The last year of a period when no today is known: far from the last representable day, so
#: that arithmetic on any period (its end, the previous period) cannot overflow.
LAST_YEAR = 2999


def latest_data_day(today: date) -> date:
    """The last day data imported on ``today`` may be dated."""
    return today + timedelta(days=DATA_DAYS_AHEAD)


def implausible_data_date(d: date, today: date) -> str | None:
    """Why a day read from data cannot be right (None when it can): the one rule every
    importer and connector applies, so that no row outside the plausible range is stored."""
    if d < EARLIEST:
        return f"{d.isoformat()} is before {EARLIEST.isoformat()}, the earliest date accepted"
    last = latest_data_day(today)
    if d > last:
        return (f"{d.isoformat()} is in the future (after {last.isoformat()}, "
                f"{DATA_DAYS_AHEAD} days after today)")
    return None


def period_years(today: date | None) -> tuple[int, int]:
    """The years a period may fall in: from 2004 to ``PERIOD_YEARS_AHEAD`` years after today's
    (to :data:`LAST_YEAR` where the caller knows no today)."""
    return EARLIEST.year, (today.year + PERIOD_YEARS_AHEAD if today is not None else LAST_YEAR)


def _check_year(year: int, text: str, field_name: str, today: date | None) -> None:
    first, last = period_years(today)
    if not first <= year <= last:
        raise InvalidInput(f"{field_name}: {text.strip()!r} is outside the years {first}-{last}")


def parse_date(text: str, field_name: str = "date", today: date | None = None) -> date:
    """A YYYY-MM-DD day within the plausible years (see :func:`period_years`)."""
    if m := re.match(r"^\s*(\d{4})-", text):  # 0000-01-01 is out of range, not malformed
        _check_year(int(m[1]), text, field_name, today)
    try:
        d = date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"{field_name}: {text!r} is not a date; use YYYY-MM-DD, e.g. 2026-09-30"
        ) from None
    _check_year(d.year, text, field_name, today)  # 20260930 and other ISO spellings
    return d


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
        """The period of the same length just before this one (for "change on previous").

        A period reaching back past the first representable day has none: an error, not an
        overflow (parsed periods start in 2004, so only hand-built ranges get here)."""
        try:
            return self._previous()
        except (OverflowError, ValueError):
            raise InvalidInput(f"period: {self.label()} has no previous period") from None

    def _previous(self) -> DateRange:
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


def parse_period(text: str, field_name: str = "period", today: date | None = None
                 ) -> DateRange:
    """Parse 2026-Q3, 2026-09, 2026-W37, 2026 or FROM..TO (dates inclusive), within the
    plausible years (see :func:`period_years`)."""
    t = text.strip()
    if ".." in t:
        a, _, b = t.partition("..")
        return ordered(parse_date(a, f"{field_name} start", today),
                       parse_date(b, f"{field_name} end", today), f"{field_name} start",
                       f"{field_name} end")
    if m := re.match(r"^(\d{4})", t):
        _check_year(int(m[1]), t, field_name, today)
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
        d = parse_date(t, field_name, today)
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


def ordered(start: date, end: date, n_from: str = "from", n_to: str = "to") -> DateRange:
    """``start``..``end`` as a range, or one line naming both fields when they are reversed."""
    if end < start:
        raise InvalidInput(f"{n_from} {start.isoformat()} is after {n_to} {end.isoformat()}")
    return DateRange(start, end)


def resolve_period(
    start: str | None,
    end: str | None,
    period: str | None,
    names: tuple[str, str, str] = ("from", "to", "period"),
    today: date | None = None,
) -> DateRange | None:
    """The period users ask for: a named ``period`` or ``start``/``end`` dates (either may be
    open: all data before or after, i.e. from 2004 or up to the last plausible year). ``names``
    are how the interface calls the three fields, so errors name what the user typed
    (``--from`` in the CLI, ``from`` in the API)."""
    start, end, period = (v.strip() if v else None for v in (start, end, period))
    n_from, n_to, n_period = names
    if period and (start or end):
        raise InvalidInput(f"{n_period}: use either {n_period} or {n_from}/{n_to}, not both")
    if period:
        return parse_period(period, n_period, today)
    if start or end:
        first = parse_date(start, n_from, today) if start else EARLIEST
        last = parse_date(end, n_to, today) if end else date(period_years(today)[1], 12, 31)
        return ordered(first, last, n_from, n_to)
    return None

