from __future__ import annotations

from datetime import date

import pytest

from socialpulse.catalogue import metric_catalogue
from socialpulse.domain.errors import InvalidInput, NotFound
from socialpulse.domain.periods import DateRange, Grain, bucket_start, parse_period
from socialpulse.domain.query import (
    Breakdown,
    MetricQuery,
    MetricRequest,
    parse_breakdown,
    plan,
)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-09", date(2026, 9, 1), date(2026, 9, 30)),
        ("2026-W37", date(2026, 9, 7), date(2026, 9, 13)),
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-01-05..2026-02-03", date(2026, 1, 5), date(2026, 2, 3)),
    ],
)
def test_parse_period(text: str, start: date, end: date) -> None:
    assert parse_period(text) == DateRange(start, end)


@pytest.mark.parametrize("text", ["2026-Q5", "2026-13", "2026-W60", "last week", "2026-02-30"])
def test_bad_periods_say_what_to_write(text: str) -> None:
    with pytest.raises(InvalidInput, match="period"):
        parse_period(text)


def test_previous_period() -> None:
    assert parse_period("2026-Q3").previous() == parse_period("2026-Q2")
    assert parse_period("2026-03").previous() == parse_period("2026-02")
    r = DateRange(date(2026, 1, 10), date(2026, 1, 19))
    assert r.previous() == DateRange(date(2025, 12, 31), date(2026, 1, 9))


def test_buckets() -> None:
    d = date(2026, 8, 13)  # a Thursday
    assert bucket_start(d, Grain.WEEK) == date(2026, 8, 10)
    assert bucket_start(d, Grain.MONTH) == date(2026, 8, 1)
    assert bucket_start(d, Grain.QUARTER) == date(2026, 7, 1)


def test_breakdown_parsing() -> None:
    b = parse_breakdown("week, network,account")
    assert b == Breakdown(entities=("account", "network"), grain=Grain.WEEK)
    assert b.columns == ("period", "account", "network")
    with pytest.raises(InvalidInput, match="one time grain"):
        parse_breakdown("day,week")
    with pytest.raises(InvalidInput, match="unknown breakdown 'country'"):
        parse_breakdown("country")


def test_plan_checks_metric_variant_and_breakdown() -> None:
    c = metric_catalogue()
    q = MetricQuery(1, (MetricRequest("engagement_rate", "by_reach"),))
    p = plan(c, q)
    assert p.metrics[0].key == "engagement_rate:by_reach"
    assert [m.id for m in p.metrics[0].inputs] == ["engagements", "reach"]
    with pytest.raises(NotFound, match="unknown metric 'nope'"):
        plan(c, MetricQuery(1, (MetricRequest("nope"),)))
    with pytest.raises(NotFound, match="unknown variant 'x'.*by_impressions"):
        plan(c, MetricQuery(1, (MetricRequest("engagement_rate", "x"),)))
    with pytest.raises(InvalidInput, match="mentions data cannot be broken down by account"):
        plan(c, MetricQuery(1, (MetricRequest("share_of_voice"),), parse_breakdown("account")))
