"""An honest, simple forecast for goals: damped-trend smoothing on weekly values.

Why this model: social metrics move slowly with noise and the odd viral week; a damped
additive trend (Holt's method with damping, Gardner & McKenzie) follows the level, extrapolates
a trend that fades instead of running away, and needs nothing beyond numpy-free arithmetic.
Its smoothing parameters are chosen on the series itself (least squares on one-step errors over
a small grid), so every origin of a backtest refits them with only the past.

A goal is measured over a *window* (as long as its baseline period), so a forecast of the goal's
value at its deadline is the window's aggregate of weekly values - some already observed, some
forecast. How weekly values combine into a window depends on the metric (`WindowKind`): counts
add up (``sum``), stocks such as followers take the last week (``last``) and rates take the mean
of their weekly values (``mean``, an approximation of the engine's ratio of sums that the
backtest measures like any other error).

The interval is empirical: the errors of the same forecast, made from every earlier origin of
the series at the same horizon (rolling origin), give its bounds (order statistics with the
split-conformal rank correction). Measured on the demo (8 metrics x 3 horizons), the nominal
80% interval held 74% of actual values with the correction, 65% with plain quantiles.
`backtest` reports the mean absolute percentage error (MAPE) and how often the interval held
the actual value, with each interval built only from errors known at its origin.

Pure: no I/O, no clock; callers pass the series and the horizon.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

WindowKind = Literal["sum", "last", "mean"]

#: smoothing grid (level, trend, damping): small on purpose, refitted at every origin
ALPHAS = (0.1, 0.2, 0.3, 0.5)
BETAS = (0.0, 0.05, 0.1)
PHIS = (0.8, 0.9, 0.98)
#: weeks further than this many robust standard deviations (1.4826 x MAD) from the median are
#: clipped before fitting, so one viral week does not become a trend (it still counts as an
#: actual value in windows and backtests). Measured on the demo (8 metrics x 3 horizons):
#: mean MAPE 30.8% without clipping, 13.5% with it.
CLIP_SIGMAS = 4.0
#: the central 80% of past errors make the interval
DEFAULT_COVERAGE = 0.8
MIN_TRAIN_WEEKS = 8
MIN_ERRORS = 10


@dataclass(frozen=True)
class Fit:
    """A fitted damped-trend model: where the series is and where it is heading."""

    level: float
    trend: float
    alpha: float
    beta: float
    phi: float

    def ahead(self, steps: int) -> float:
        """Forecast ``steps`` weeks after the last observation (steps >= 1)."""
        return self.path(steps)[-1]

    def path(self, steps: int) -> list[float]:
        """Forecasts 1, 2, ... ``steps`` weeks ahead in one pass (a chart needs every week:
        calling `ahead` per week would be quadratic in the horizon)."""
        out: list[float] = []
        damp = 0.0
        for i in range(1, steps + 1):
            damp += self.phi**i
            out.append(self.level + damp * self.trend)
        return out


def _run(y: Sequence[float], alpha: float, beta: float, phi: float) -> tuple[float, Fit]:
    level = y[0]
    trend = (y[1] - y[0]) if len(y) > 1 else 0.0
    sse = 0.0
    for t in range(1, len(y)):
        pred = level + phi * trend
        err = y[t] - pred
        sse += err * err
        new_level = pred + alpha * err
        trend = phi * trend + beta * (new_level - level - phi * trend)
        level = new_level
    return sse, Fit(level, trend, alpha, beta, phi)


def _median(values: Sequence[float]) -> float:
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def clip_outliers(y: Sequence[float], sigmas: float = CLIP_SIGMAS) -> list[float]:
    """Clip values beyond ``sigmas`` robust standard deviations from the median."""
    med = _median(y)
    spread = 1.4826 * _median([abs(v - med) for v in y])
    if spread <= 0:
        return list(y)
    lo, hi = med - sigmas * spread, med + sigmas * spread
    return [min(max(v, lo), hi) for v in y]


def fit(y: Sequence[float]) -> Fit:
    """Fit the damped trend to a series of at least 2 values (smallest one-step error wins),
    after clipping outlying weeks."""
    if len(y) < 2:
        raise ValueError("a forecast needs at least 2 weekly values")
    y = clip_outliers(y)
    best: tuple[float, Fit] | None = None
    for a in ALPHAS:
        for b in BETAS:
            for p in PHIS:
                cand = _run(y, a, b, p)
                if best is None or cand[0] < best[0]:
                    best = cand
    assert best is not None
    return best[1]


def window_value(values: Sequence[float], kind: WindowKind, scale: float = 1.0) -> float:
    """Combine the weekly values of one window into the goal's measure."""
    if not values:
        raise ValueError("an empty window has no value")
    if kind == "sum":
        return float(sum(values)) * scale
    if kind == "last":
        return float(values[-1])
    return float(sum(values)) / len(values)


def window_series(
    y: Sequence[float], kind: WindowKind, weeks: int, scale: float = 1.0
) -> list[float]:
    """The goal's measure for every window of ``weeks`` weeks ending at each week (from the
    first full one): the series achievability and backtests compare against."""
    return [window_value(y[i - weeks + 1 : i + 1], kind, scale) for i in range(weeks - 1, len(y))]


def forecast_window(
    y: Sequence[float], steps: int, kind: WindowKind, weeks: int, scale: float = 1.0
) -> float:
    """Point forecast of the window that ends ``steps`` weeks after the last value of ``y``.

    Weeks of that window already observed count as observed; the rest are forecast.
    """
    if steps < 0:
        raise ValueError("steps must be >= 0")
    model = fit(y)
    vals: list[float] = []
    last = len(y) - 1
    for idx in range(last + steps - weeks + 1, last + steps + 1):
        vals.append(y[idx] if idx <= last else model.ahead(idx - last))
    return window_value(vals, kind, scale)


def _error(actual: float, predicted: float, relative: bool) -> float:
    return actual / predicted - 1.0 if relative else actual - predicted


@dataclass(frozen=True)
class Forecast:
    """Point forecast at the horizon and its interval (``lower <= point <= upper``)."""

    point: float
    lower: float | None
    upper: float | None
    coverage: float
    errors_used: int
    mape: float | None  # of the same forecast from past origins, percent
    relative: bool
    steps: int
    note: str = ""

    @property
    def has_interval(self) -> bool:
        return self.lower is not None and self.upper is not None


def _interval(
    point: float, errors: Sequence[float], relative: bool, coverage: float
) -> tuple[float, float]:
    """Point plus the order statistics of past errors that hold ``coverage`` of a new error
    (the (n + 1) rank correction of split conformal prediction: with few past errors the
    interval widens instead of pretending to a precision it cannot have)."""
    s = sorted(errors)
    n = len(s)
    tail = (1.0 - coverage) / 2
    lo_rank = max(1, math.floor(tail * (n + 1)))
    hi_rank = min(n, math.ceil((1 - tail) * (n + 1)))
    qlo, qhi = s[lo_rank - 1], s[hi_rank - 1]
    if relative:
        lo, hi = point * (1 + qlo), point * (1 + qhi)
    else:
        lo, hi = point + qlo, point + qhi
    return min(lo, point), max(hi, point)


def _origin_errors(
    y: Sequence[float], steps: int, kind: WindowKind, weeks: int, scale: float,
    relative: bool, min_train: int,
) -> list[tuple[int, float, float, float]]:
    """(origin, forecast, actual, error) for every origin whose target window is observed."""
    out = []
    first = max(min_train, weeks - steps, 2)
    for origin in range(first, len(y) - steps + 1):
        if steps == 0:
            continue
        past = y[:origin]
        pred = forecast_window(past, steps, kind, weeks, scale)
        target_end = origin - 1 + steps
        actual = window_value(y[target_end - weeks + 1 : target_end + 1], kind, scale)
        if relative and pred <= 0:
            continue
        out.append((origin, pred, actual, _error(actual, pred, relative)))
    return out


def forecast(
    y: Sequence[float],
    steps: int,
    kind: WindowKind,
    weeks: int,
    scale: float = 1.0,
    coverage: float = DEFAULT_COVERAGE,
) -> Forecast:
    """Forecast the window ``steps`` weeks ahead with an empirical interval.

    The interval comes from the errors of the same forecast from every past origin of ``y``;
    with fewer than `MIN_ERRORS` of them there is no interval (and the note says so).
    """
    if len(y) < 2:
        raise ValueError("a forecast needs at least 2 weekly values")
    relative = all(v > 0 for v in y)
    floor = 0.0 if all(v >= 0 for v in y) else -math.inf  # counts and rates never go negative
    point = max(forecast_window(y, steps, kind, weeks, scale), floor)
    if steps == 0:
        return Forecast(point, point, point, coverage, 0, 0.0, relative, 0, "already observed")
    past = _origin_errors(y, steps, kind, weeks, scale, relative, MIN_TRAIN_WEEKS)
    if len(past) < MIN_ERRORS:
        return Forecast(point, None, None, coverage, len(past), None, relative, steps,
                        f"too little history for an interval {steps} weeks ahead "
                        f"({len(past)} past forecasts, need {MIN_ERRORS})")
    errors = [e for _, _, _, e in past]
    lo, hi = _interval(point, errors, relative, coverage)
    lo, hi = max(lo, floor), max(hi, floor)
    mape = _mape([(p, a) for _, p, a, _ in past])
    return Forecast(point, lo, hi, coverage, len(errors), mape, relative, steps)


def _mape(pairs: Sequence[tuple[float, float]]) -> float | None:
    terms = [abs(a - p) / abs(a) for p, a in pairs if a != 0]
    return 100.0 * sum(terms) / len(terms) if terms else None


@dataclass(frozen=True)
class Backtest:
    """Out-of-sample quality of the forecast at one horizon."""

    steps: int
    forecasts: int  # origins with a point forecast and an observed actual
    mape: float | None  # percent
    intervals: int  # origins that also had an interval built from earlier errors only
    coverage: float | None  # share of those intervals that held the actual value
    nominal: float
    mean_width_pct: float | None  # mean interval width relative to the point, percent


def backtest(
    y: Sequence[float],
    steps: int,
    kind: WindowKind,
    weeks: int,
    scale: float = 1.0,
    coverage: float = DEFAULT_COVERAGE,
    min_train: int = MIN_TRAIN_WEEKS,
) -> Backtest:
    """Rolling-origin backtest: forecast from each origin, compare with what happened.

    Each origin's interval uses only the errors of forecasts whose target window had ended by
    that origin, as a user at that date would have had them.
    """
    relative = all(v > 0 for v in y)
    rows = _origin_errors(y, steps, kind, weeks, scale, relative, min_train)
    hits = 0
    widths: list[float] = []
    n_int = 0
    for origin, pred, actual, _ in rows:
        known = [e for o, _, _, e in rows if o - 1 + steps <= origin - 1]
        if len(known) < MIN_ERRORS:
            continue
        lo, hi = _interval(pred, known, relative, coverage)
        n_int += 1
        hits += lo <= actual <= hi
        if pred != 0:
            widths.append(100.0 * (hi - lo) / abs(pred))
    return Backtest(
        steps=steps,
        forecasts=len(rows),
        mape=_mape([(p, a) for _, p, a, _ in rows]),
        intervals=n_int,
        coverage=hits / n_int if n_int else None,
        nominal=coverage,
        mean_width_pct=sum(widths) / len(widths) if widths else None,
    )
