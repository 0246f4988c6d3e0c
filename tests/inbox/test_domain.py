"""The inbox's pure core: business time across weekends, holidays and DST; due instants;
priority with its reasons; care metrics against figures computed by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.inbox import (
    Conversation,
    Message,
    MessageKind,
    Status,
    conversation_of,
    parse_status,
    parse_tag,
    priority,
)
from socialpulse.domain.inbox_metrics import care_figures, median, nearest_rank
from socialpulse.domain.inbox_sla import SlaPolicy, business_time, due_at, parse_hours, within

BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS = parse_hours("mon-fri 09:00-17:00")


def _policy(minutes: int = 60, holidays: frozenset[date] = frozenset()) -> SlaPolicy:
    return SlaPolicy(minutes, WEEKDAYS, holidays)


def _berlin(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=BERLIN)


def test_parse_hours_ranges_and_errors() -> None:
    hours = parse_hours("mon-fri 09:00-17:00, sat 10:00-14:00")
    assert sorted(hours) == [0, 1, 2, 3, 4, 5]
    assert hours[5] == (time(10), time(14))
    assert sorted(parse_hours("fri-mon 08:00-12:00")) == [0, 4, 5, 6]
    with pytest.raises(InvalidInput, match="cannot read 'someday 9-5'"):
        parse_hours("someday 9-5")
    with pytest.raises(InvalidInput, match="closing 08:00 must be after opening 09:00"):
        SlaPolicy(60, parse_hours("mon 09:00-08:00"))


def test_business_time_skips_the_weekend() -> None:
    # Friday 16:30 -> Monday 09:30 (Berlin, November): 30 min Friday + 30 min Monday
    friday, monday = _berlin(2026, 11, 27, 16, 30), _berlin(2026, 11, 30, 9, 30)
    assert business_time(_policy(), BERLIN, friday, monday) == timedelta(minutes=60)
    assert business_time(_policy(), BERLIN, monday, friday) == timedelta(0)


def test_due_instant_rolls_over_the_weekend_and_holidays() -> None:
    friday = _berlin(2026, 11, 27, 16, 30)
    assert due_at(_policy(), BERLIN, friday) == _berlin(2026, 11, 30, 9, 30).astimezone(UTC)
    holiday = _policy(holidays=frozenset({date(2026, 11, 30)}))
    assert due_at(holiday, BERLIN, friday) == _berlin(2026, 12, 1, 9, 30).astimezone(UTC)
    # arriving before opening: the clock starts at opening
    early = _berlin(2026, 11, 25, 6, 0)
    assert due_at(_policy(), BERLIN, early) == _berlin(2026, 11, 25, 10, 0).astimezone(UTC)


def test_dst_changes_follow_the_wall_clock() -> None:
    # Europe/Berlin leaves DST on Sunday 2026-10-25. Friday 16:00 CEST -> Monday 10:00 CET:
    # 1 h Friday + 1 h Monday of business time, though 67 hours of wall time lie between.
    fri, mon = _berlin(2026, 10, 23, 16), _berlin(2026, 10, 26, 10)
    assert business_time(_policy(), BERLIN, fri, mon) == timedelta(hours=2)
    assert due_at(_policy(120), BERLIN, fri) == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)
    # a night shift across the spring change (Sun 2026-03-29 02:00 -> 03:00) is an hour short
    nights = SlaPolicy(60, parse_hours("sun 00:00-06:00"))
    sat = datetime(2026, 3, 28, 12, tzinfo=UTC)
    assert business_time(nights, BERLIN, sat, sat + timedelta(days=1)) == timedelta(hours=5)


def test_within_sla() -> None:
    arrived = _berlin(2026, 11, 27, 16, 30)
    assert within(_policy(), BERLIN, arrived, _berlin(2026, 11, 30, 9, 30))
    assert not within(_policy(), BERLIN, arrived, _berlin(2026, 11, 30, 9, 31))


def test_priority_explains_itself() -> None:
    p = priority("negative", 25_000, ["I want a REFUND, this is urgent!"])
    assert [(r.factor, r.detail, r.points) for r in p.reasons] == [
        ("sentiment", "negative", 30), ("reach", "25000 followers (at least 10000)", 20),
        ("keyword", "urgent", 30), ("keyword", "refund", 25)]
    assert (p.score, p.level) == (105, "urgent")
    calm = priority("positive", 12, ["thanks, lovely post"])
    assert (calm.score, calm.level, calm.reasons) == (0, "low", ())
    assert priority("neutral", 1500, ["refunded?"]).level == "normal"  # reach only: 10


def test_parsers_and_threading() -> None:
    assert parse_status(" Closed ") is Status.CLOSED
    with pytest.raises(InvalidInput, match="unknown status 'done'; use one of open, pending"):
        parse_status("done")
    assert parse_tag(" Billing ") == "billing"
    with pytest.raises(InvalidInput, match="is not a tag"):
        parse_tag("a b")
    now = datetime(2026, 11, 2, tzinfo=UTC)
    reply = Message("mastodon", "acme", "m2", MessageKind.REPLY, "ann", "hi", now,
                    in_reply_to="m1")
    assert conversation_of(reply, {"m1": 7}) == 7
    assert conversation_of(reply, {"other": 7}) is None


def _conv(cid: int, first: datetime, response_min: float | None, close_min: float | None,
          closed_by: str | None = None) -> Conversation:
    return Conversation(
        cid, 1, "mastodon", "acme", f"m{cid}", MessageKind.MENTION, "ann", "", Status.OPEN,
        first, first,
        first_response_at=first + timedelta(minutes=response_min) if response_min else None,
        closed_at=first + timedelta(minutes=close_min) if close_min else None,
        closed_by=closed_by)


def test_care_figures_equal_hand_computed_values() -> None:
    t = datetime(2026, 11, 2, 9, tzinfo=UTC)
    convs = [_conv(1, t, 10, 30, "ana"), _conv(2, t, 20, 60, "ben"), _conv(3, t, 40, None),
             _conv(4, t, 90, 120, "ana"), _conv(5, t, None, None)]
    due = {c.id: t + timedelta(minutes=30) for c in convs}
    f = care_figures(convs, due, now=t + timedelta(hours=5))
    # answered 4 of 5; first responses 10, 20, 40, 90 -> median (20+40)/2 = 30, p90 rank 4 = 90
    assert (f.conversations, f.answered, f.response_rate) == (5, 4, 0.8)
    assert (f.first_response_median_min, f.first_response_p90_min) == (30, 90)
    assert f.time_to_close_median_min == 60  # 30, 60, 120
    assert dict(f.handled_per_agent) == {"ana": 2, "ben": 1}
    # within 30 min: #1, #2; late: #3, #4; #5 unanswered and overdue -> 2 of 5
    assert (f.sla_measured, f.sla_within, f.share_within_sla) == (5, 2, 0.4)
    # before #5 is due it is not counted yet
    early = care_figures(convs, due, now=t + timedelta(minutes=5))
    assert (early.sla_measured, early.sla_within) == (4, 2)
    assert care_figures([], {}, t).response_rate is None


def test_percentile_helpers() -> None:
    assert median([3, 1, 2]) == 2 and median([]) is None
    assert nearest_rank(list(range(1, 11)), 0.9) == 9
    assert nearest_rank([5], 0.9) == 5
