"""Service levels of the inbox: business hours, holidays, business time and due instants.

A workspace's SLA says "first response within N business minutes", where business time runs
only inside its opening hours (per weekday, in the workspace's time zone) and not on its
holidays. Instants are UTC; each day's opening and closing wall times are turned into UTC
instants through the zone, so a day that loses or gains an hour to daylight saving time is
counted as it was really lived (09:00-17:00 is 8 hours either side of the change; a night shift
spanning the change is one hour shorter or longer).

Pure: the service resolves the zone name to a `tzinfo` and passes it in, with "now".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from .errors import InvalidInput

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: how far ahead a due instant is searched (a policy open one day a year still answers)
HORIZON_DAYS = 800
_HOURS = re.compile(r"^\s*([a-z]{3})(?:-([a-z]{3}))?\s+(\d\d):(\d\d)-(\d\d):(\d\d)\s*$")


@dataclass(frozen=True)
class SlaPolicy:
    """First response within ``first_response_minutes`` of business time.

    ``hours``: per weekday (0 Monday .. 6 Sunday) the opening and closing wall times (closing
    after opening, same day), absent when closed; ``holidays``: local dates closed all day."""

    first_response_minutes: int
    hours: Mapping[int, tuple[time, time]]
    holidays: frozenset[date] = field(default=frozenset())

    def __post_init__(self) -> None:
        if self.first_response_minutes <= 0:
            raise InvalidInput("sla: the first response time must be at least 1 minute")
        if not self.hours:
            raise InvalidInput("sla: business hours name no open day")
        for day, (start, end) in self.hours.items():
            if not 0 <= day <= 6 or end <= start:
                raise InvalidInput(f"sla: {DAYS[day % 7]}: closing {end:%H:%M} must be after "
                                   f"opening {start:%H:%M}")

    def describe(self) -> str:
        """The policy in words (what `inbox sla` prints)."""
        days = ", ".join(f"{DAYS[d]} {s:%H:%M}-{e:%H:%M}" for d, (s, e) in sorted(
            self.hours.items()))
        extra = f"; {len(self.holidays)} holidays" if self.holidays else ""
        return f"first response within {self.first_response_minutes} business minutes ({days}" \
               f"{extra})"


def parse_hours(text: str) -> dict[int, tuple[time, time]]:
    """Business hours from text such as ``"mon-fri 09:00-17:00, sat 10:00-14:00"``."""
    out: dict[int, tuple[time, time]] = {}
    for part in (p for p in text.lower().split(",") if p.strip()):
        m = _HOURS.match(part)
        if m is None or m.group(1) not in DAYS or (m.group(2) and m.group(2) not in DAYS):
            raise InvalidInput(f"sla hours: cannot read {part.strip()[:40]!r}; write e.g. "
                               "'mon-fri 09:00-17:00'")
        first = DAYS.index(m.group(1))
        last = DAYS.index(m.group(2)) if m.group(2) else first
        try:
            start = time(int(m.group(3)), int(m.group(4)))
            end = time(int(m.group(5)), int(m.group(6)))
        except ValueError:
            raise InvalidInput(f"sla hours: {part.strip()[:40]!r} is not a time of day") from None
        for day in range(first, last + 1) if first <= last else (*range(first, 7),
                                                                  *range(0, last + 1)):
            out[day] = (start, end)
    if not out:
        raise InvalidInput("sla hours: empty; write e.g. 'mon-fri 09:00-17:00'")
    return out


def _windows(policy: SlaPolicy, zone: tzinfo, start: datetime, days: int
             ) -> Iterator[tuple[datetime, datetime]]:
    """The open windows (UTC instants) of the local days from the one holding ``start``."""
    day = start.astimezone(zone).date()
    for offset in range(days):
        d = day + timedelta(days=offset)
        hours = policy.hours.get(d.weekday())
        if hours is None or d in policy.holidays:
            continue
        yield (datetime.combine(d, hours[0], tzinfo=zone).astimezone(UTC),
               datetime.combine(d, hours[1], tzinfo=zone).astimezone(UTC))


def _utc(instant: datetime, name: str) -> datetime:
    if instant.tzinfo is None:
        raise InvalidInput(f"sla: {name} has no time zone")
    return instant.astimezone(UTC)


def business_time(policy: SlaPolicy, zone: tzinfo, start: datetime, end: datetime
                  ) -> timedelta:
    """Business time between two instants (zero when ``end`` is not after ``start``)."""
    start, end = _utc(start, "start"), _utc(end, "end")
    if end <= start:
        return timedelta(0)
    days = (end - start).days + 3  # the local days touched, with a margin for the zone
    total = timedelta(0)
    for opens, closes in _windows(policy, zone, start, days):
        lo, hi = max(opens, start), min(closes, end)
        if hi > lo:
            total += hi - lo
    return total


def due_at(policy: SlaPolicy, zone: tzinfo, start: datetime) -> datetime:
    """The instant a first response is due for a message that arrived at ``start``."""
    start = _utc(start, "start")
    left = timedelta(minutes=policy.first_response_minutes)
    for opens, closes in _windows(policy, zone, start, HORIZON_DAYS):
        lo = max(opens, start)
        if closes <= lo:
            continue
        if closes - lo >= left:
            return lo + left
        left -= closes - lo
    raise InvalidInput(f"sla: no business hours within {HORIZON_DAYS} days of {start:%Y-%m-%d}")


def within(policy: SlaPolicy, zone: tzinfo, arrived: datetime, answered: datetime) -> bool:
    """Whether a response at ``answered`` met the policy for a message that arrived then."""
    return _utc(answered, "answered") <= due_at(policy, zone, arrived)
