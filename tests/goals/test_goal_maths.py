"""Goal maths and the forecast, checked with hypothesis (pure domain, no data home)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from socialpulse.domain import forecast as fc
from socialpulse.domain import goals as g
from socialpulse.domain.errors import InvalidInput

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False)
days = st.integers(min_value=0, max_value=800)
D0 = date(2026, 1, 1)


@given(finite, finite, finite)
def test_progress_is_zero_at_baseline_one_at_target_and_linear(base, target, cur):
    assume(abs(target - base) > 1e-6)
    assert g.progress(base, base, target) == 0
    assert g.progress(target, base, target) == pytest.approx(1)
    mid = (base + target) / 2
    assert g.progress(mid, base, target) == pytest.approx(0.5)
    # moving towards the target never lowers progress, whichever the direction
    step = (target - base) * 0.1
    assert g.progress(cur + step, base, target) >= g.progress(cur, base, target) - 1e-9


@given(finite)
def test_target_equal_to_baseline_is_refused(base):
    with pytest.raises(InvalidInput, match="equals the baseline"):
        g.progress(base, base, base)


@given(st.floats(min_value=-1e6, max_value=1e6).filter(lambda x: abs(x) > 1e-3),
       st.floats(min_value=-99, max_value=500).filter(lambda x: abs(x) > 1e-3))
def test_target_from_change_round_trips(base, pct):
    t = g.target_from_change(base, pct)
    assert g.relative_change(base, t) == pytest.approx(pct / 100, rel=1e-6, abs=1e-9)


def test_percentage_of_zero_baseline_is_refused():
    with pytest.raises(InvalidInput, match="baseline is 0"):
        g.target_from_change(0.0, 20)


@given(days, days, days)
def test_expected_progress_bounded_and_monotone_in_time(span, a, b):
    assume(span > 0)
    start, deadline = D0, D0 + timedelta(days=span)
    t1, t2 = sorted((D0 + timedelta(days=a), D0 + timedelta(days=b)))
    e1 = g.expected_progress(start, deadline, t1, 100.0, 120.0)
    e2 = g.expected_progress(start, deadline, t2, 100.0, 120.0)
    assert 0.0 <= e1 <= e2 <= 1.0


def test_expected_progress_follows_milestones():
    start, deadline = date(2026, 1, 1), date(2026, 1, 31)
    ms = [g.Milestone(date(2026, 1, 11), 118.0)]  # 90% of the way after a third of the time
    assert g.expected_progress(start, deadline, date(2026, 1, 11), 100, 120, ms) == \
        pytest.approx(0.9)
    assert g.expected_progress(start, deadline, date(2026, 1, 6), 100, 120, ms) == \
        pytest.approx(0.45)
    assert g.expected_progress(start, deadline, date(2026, 1, 31), 100, 120, ms) == 1.0


status_inputs = st.tuples(finite.map(lambda x: x / 1e5), st.floats(0, 1),
                          st.one_of(st.none(), finite.map(lambda x: x / 1e5)),
                          st.floats(0, 2))


@given(days, days, status_inputs, status_inputs)
@settings(max_examples=300)
def test_status_never_gets_worse_when_measurements_improve(span, now, a, b):
    """Better progress, forecast and interval never give a worse status."""
    assume(span > 0)
    deadline = D0 + timedelta(days=span)
    today = D0 + timedelta(days=now)
    p1, exp, f1, w1 = a
    p2, _, f2, w2 = b
    lo_p, hi_p = sorted((p1, p2))
    if f1 is None or f2 is None:
        lo_f = hi_f = None
        lo_b = hi_b = None
    else:
        lo_f, hi_f = sorted((f1, f2))
        lo_b, hi_b = lo_f + min(w1, w2), hi_f + max(w1, w2)
    worse = g.assess_status(today=today, deadline=deadline, progress_now=lo_p, expected=exp,
                            forecast_progress=lo_f, forecast_best=lo_b)
    better = g.assess_status(today=today, deadline=deadline, progress_now=hi_p, expected=exp,
                             forecast_progress=hi_f, forecast_best=hi_b)
    assert g.STATUS_RANK[worse.status] <= g.STATUS_RANK[better.status]
    assert worse.reason and better.reason


def test_status_rules_name_their_reason():
    d = date(2026, 12, 31)
    on = g.assess_status(today=date(2026, 11, 1), deadline=d, progress_now=0.2, expected=0.3,
                         forecast_progress=1.2, forecast_best=1.5,
                         fmt={"forecast": "120", "target": "110", "lower": "100",
                              "upper": "140"})
    assert on.status is g.Status.ON_TRACK and "120" in on.reason and "100 to 140" in on.reason
    risk = g.assess_status(today=date(2026, 11, 1), deadline=d, progress_now=0.2,
                           expected=0.3, forecast_progress=0.8, forecast_best=1.1)
    assert risk.status is g.Status.AT_RISK
    off = g.assess_status(today=date(2026, 11, 1), deadline=d, progress_now=0.2,
                          expected=0.3, forecast_progress=0.5, forecast_best=0.7)
    assert off.status is g.Status.OFF_TRACK
    assert g.assess_status(today=date(2027, 1, 2), deadline=d, progress_now=1.01,
                           expected=1).status is g.Status.ACHIEVED
    assert g.assess_status(today=date(2027, 1, 2), deadline=d, progress_now=0.99,
                           expected=1).status is g.Status.MISSED
    pace = g.assess_status(today=date(2026, 11, 1), deadline=d, progress_now=0.1,
                           expected=0.5)
    assert pace.status is g.Status.OFF_TRACK and "50% expected" in pace.reason


@given(st.lists(st.one_of(st.none(), st.floats(0, 1)), min_size=1, max_size=5),
       st.sampled_from(g.OKR_KINDS))
def test_the_objective_grade_is_the_mean_of_the_graded_key_results(grades, kind):
    o = g.objective_grade(grades, kind)
    graded = [x for x in grades if x is not None]
    assert (o.graded, o.total) == (len(graded), len(grades))
    assert o.coverage == f"{len(graded)} of {len(grades)} key results graded"
    if not graded:
        assert o.grade is None and o.text == "ungraded" and o.colour == "grey"
        assert o.success is None
        return
    assert o.grade is not None and 0.0 <= o.grade <= 1.0
    assert o.grade == pytest.approx(sum(graded) / len(graded))
    # the words, the colour and the verdict read the same shown number
    assert o.text == f"{g.shown_grade(o.grade):.1f}" and o.colour == g.grade_colour(o.grade)
    assert o.success == (float(o.text) >= (1.0 if kind == "committed" else 0.7))
    assert f"graded {o.text} ({o.coverage})" in o.verdict


@given(st.floats(min_value=-10, max_value=10, allow_nan=False))
def test_metric_grade_is_clipped_progress(p):
    gr = g.grade_from_progress(p)
    assert gr is not None and 0.0 <= gr <= 1.0
    assert gr == min(max(p, 0.0), 1.0)
    assert g.grade_from_progress(None) is None  # no data yet: ungraded, not 0


def test_every_status_has_one_tone_that_agrees_with_its_word():
    assert set(g.STATUS_TONE) == set(g.Status)
    good = {g.Status.ACHIEVED, g.Status.ON_TRACK}
    for status, tone in g.STATUS_TONE.items():
        d = g.status_display(status)
        assert d == {"status": status.value, "status_label": status.value.replace("_", " "),
                     "tone": tone}
        assert (tone == "green") == (status in good)
    assert g.STATUS_TONE[g.Status.AT_RISK] == "yellow"


@given(st.floats(0, 1))
def test_colours_follow_the_okr_bands(grade):
    c = g.grade_colour(grade)
    r = round(grade + 1e-9, 1)
    assert c == ("red" if r <= 0.3 else "yellow" if r <= 0.6 else "green")


@pytest.mark.parametrize(("grade", "colour"), [(0.0, "red"), (0.3, "red"), (0.4, "yellow"),
                                               (0.6, "yellow"), (0.7, "green"), (1.0, "green")])
def test_colour_band_edges(grade, colour):
    assert g.grade_colour(grade) == colour


def test_committed_and_aspirational_expectations():
    assert g.objective_grade([0.7], "aspirational").success is True
    assert g.objective_grade([0.7], "committed").success is False
    assert g.objective_grade([1.0, None], "committed").success is True
    with pytest.raises(InvalidInput):
        g.check_grade(1.2)
    with pytest.raises(InvalidInput, match="3 to 5"):
        g.check_key_result_count(2)


def test_achievability_compares_with_the_best_change_of_the_same_horizon():
    a = g.achievability(100, 135, 90, [0.02, 0.12, -0.05, 0.08], "the last 18 months")
    assert a.level == "fail"
    assert a.explanation.startswith("needs +35% in 90 days; the best 90-day change in the "
                                    "last 18 months was +12%")
    assert g.achievability(100, 105, 90, [0.02, 0.12, 0.06, 0.08], "x").level == "pass"
    assert g.achievability(100, 111, 90, [0.02, 0.12, 0.06, 0.08, 0.01], "x").level == "warn"
    # a "lower is better" target looks at the biggest fall
    assert g.achievability(100, 90, 90, [0.05, -0.15], "x").level == "pass"


# --- forecast ------------------------------------------------------------------------------

series = st.lists(st.floats(min_value=0, max_value=1e5, allow_nan=False), min_size=20,
                  max_size=40)


@given(series, st.integers(1, 8), st.sampled_from(["sum", "last", "mean"]),
       st.integers(1, 6))
@settings(max_examples=60, deadline=None)
def test_forecast_interval_contains_the_point(y, steps, kind, weeks):
    f = fc.forecast(y, steps, kind, weeks)
    assert math.isfinite(f.point) and f.point >= 0  # non-negative history, non-negative forecast
    if f.has_interval:
        assert f.lower <= f.point <= f.upper


def test_forecast_follows_a_trend_and_backtest_reports_finite_numbers():
    y = [1000 + 20 * i + (15 if i % 3 else -15) for i in range(60)]
    f = fc.forecast(y, 4, "last", 1)
    assert 2000 < f.point < 2300  # last value ~2180, damped growth ahead
    b = fc.backtest(y, 4, "last", 1)
    assert b.forecasts > 40 and b.intervals > 30
    assert b.mape is not None and b.mape < 5
    assert b.coverage is not None and 0.5 <= b.coverage <= 1.0


def test_window_values_combine_weeks_by_kind():
    assert fc.window_value([1, 2, 3], "sum", 2.0) == 12
    assert fc.window_value([1, 2, 3], "last") == 3
    assert fc.window_value([1, 2, 3], "mean") == 2
    assert fc.window_series([1, 2, 3, 4], "sum", 2) == [3, 5, 7]


def test_one_viral_week_is_not_a_trend():
    y = [100.0 + (i % 2) for i in range(30)]
    y[-1] = 5000.0
    assert fc.forecast(y, 4, "last", 1).point < 500


@pytest.mark.parametrize(("metric", "variant", "kind"), [
    ("reach", None, "sum"), ("followers", None, "last"), ("net_follower_growth", None, "sum"),
    ("engagement_rate", None, "mean"), ("engagement_rate", "by_followers", "sum"),
    ("amplification_rate", None, "sum"), ("amplification_rate", "per_post", "mean"),
    ("audience_growth_rate", None, "sum"), ("cpm", None, "mean"), ("nps", None, "mean"),
])
def test_window_kind_follows_how_the_formula_adds_up_over_weeks(metric, variant, kind):
    from socialpulse.catalogue import metric_catalogue

    c = metric_catalogue()
    assert g.window_kind(c, c.metric(metric), variant) == kind
