from __future__ import annotations

from datetime import date, timedelta

import pytest

from socialpulse.catalogue import metric_catalogue
from socialpulse.domain.errors import InvalidInput, NotFound
from socialpulse.domain.periods import (
    DATA_DAYS_AHEAD,
    EARLIEST,
    PERIOD_YEARS_AHEAD,
    DateRange,
    Grain,
    bucket_start,
    implausible_data_date,
    parse_date,
    parse_period,
    resolve_period,
)
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


TODAY = date(2026, 11, 27)


@pytest.mark.parametrize("text", ["0000-Q1", "9999-Q4", "2003", "2003-12", "2032-01",
                                  "2003-W01", "2032-Q1", "2003-12-31..2026-01-01",
                                  "2026-01-01..2032-01-01", "0001-01-01", "20320101"])
def test_periods_outside_the_plausible_years_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match=r"outside the years 2004-2031"):
        parse_period(text, today=TODAY)


def test_plausible_years_reach_five_years_ahead() -> None:
    last = TODAY.year + PERIOD_YEARS_AHEAD
    assert parse_period(f"{last}-Q4", today=TODAY).end == date(last, 12, 31)
    assert parse_period("2004-01", today=TODAY).start == EARLIEST
    # without a today (callers that know none) the bound is far but arithmetic stays safe
    assert parse_period("2999-Q4").end_exclusive == date(3000, 1, 1)
    with pytest.raises(InvalidInput, match="outside the years 2004-2999"):
        parse_period("9999-Q4")


def test_reversed_ranges_name_both_fields() -> None:
    with pytest.raises(InvalidInput, match=r"^--from 2026-05-01 is after --to 2026-04-01$"):
        resolve_period("2026-05-01", "2026-04-01", None, ("--from", "--to", "--period"), TODAY)
    with pytest.raises(InvalidInput, match="period start 2026-05-01 is after period end"):
        parse_period("2026-05-01..2026-04-01", today=TODAY)


def test_open_ends_stay_within_the_plausible_years() -> None:
    rng = resolve_period("2026-01-01", None, None, today=TODAY)
    assert rng == DateRange(date(2026, 1, 1), date(2031, 12, 31))
    rng = resolve_period(None, "2026-01-31", None, today=TODAY)
    assert rng is not None and rng.start == EARLIEST
    assert rng.previous().end == EARLIEST - timedelta(days=1)  # no overflow


def test_previous_never_overflows() -> None:
    with pytest.raises(InvalidInput, match="has no previous period"):
        DateRange(date(1, 1, 1), date(1, 1, 31)).previous()
    with pytest.raises(InvalidInput, match="has no previous period"):
        DateRange(date(1, 1, 5), date(9999, 12, 30)).previous()


def test_today_parameters_are_bounded_too() -> None:
    assert parse_date("2026-11-27", "today", TODAY) == TODAY
    with pytest.raises(InvalidInput, match=r"^today: '9999-12-31' is outside the years"):
        parse_date("9999-12-31", "today", TODAY)


def test_plausible_data_dates() -> None:
    """Data may be dated from 2004-01-01 to two days after the import's today."""
    last = TODAY + timedelta(days=DATA_DAYS_AHEAD)
    assert implausible_data_date(EARLIEST, TODAY) is None
    assert implausible_data_date(last, TODAY) is None
    assert "before 2004-01-01" in (implausible_data_date(EARLIEST - timedelta(days=1), TODAY)
                                   or "")
    assert "in the future" in (implausible_data_date(last + timedelta(days=1), TODAY) or "")
    assert "in the future" in (implausible_data_date(date(9999, 12, 31), TODAY) or "")


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
