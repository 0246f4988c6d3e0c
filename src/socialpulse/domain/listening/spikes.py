"""Spike detection: mention volume and negative share far above a weekly-seasonal baseline.

Listening tools alert when the last 24 hours exceed the 7-day mean by 1.5-3 standard deviations
(DOMAIN.md section 5). That test fires on every Monday when weekends are quiet, and one big day
inflates the standard deviation so the next one goes unseen. Here, per day:

* volume: the baseline is the median of the same weekday over the previous ``weeks`` weeks
  (weekly seasonality), the spread is the MAD of the history's residuals from their own
  baselines (robust: past spikes do not widen it), and the test is the robust z-score
  ``(x - baseline) / (1.4826 * MAD)`` against ``threshold``;
* negative share: the baseline is the median daily negative share of the previous ``weeks``
  weeks; the spread is the binomial error at today's volume, widened by the over-dispersion
  the history shows (MAD of daily shares against their binomial noise), so a day with 6
  mentions and 3 negatives does not alarm like a day with 600 and 300;
* both require at least ``min_volume`` mentions on the day, and alerting days at most one day apart
  merge into one spike (start, end, peak).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

MAD_SCALE = 1.4826


@dataclass(frozen=True)
class DayCount:
    day: date
    volume: int
    negative: int = 0


@dataclass(frozen=True)
class Spike:
    kind: str  # "volume" | "negative_share"
    start: date
    end: date
    peak_day: date
    observed: float  # volume (mentions) or negative share (0-1) on the peak day
    expected: float
    z: float
    volume: int  # mentions over the whole spike


def _mad(values: Sequence[float]) -> float:
    if not values:
        return 0.0
    med = statistics.median(values)
    return statistics.median(abs(v - med) for v in values)


def _volume_flags(
    days: Sequence[DayCount], weeks: int, threshold: float, min_volume: int, min_history: int
) -> dict[int, tuple[float, float, float]]:
    vols = [float(d.volume) for d in days]
    baselines: list[float | None] = []
    for i in range(len(days)):
        same = [vols[j] for j in range(i - 7, i - 7 * weeks - 1, -7) if j >= 0]
        baselines.append(statistics.median(same) if len(same) >= 2 else None)
    flags: dict[int, tuple[float, float, float]] = {}
    for i, d in enumerate(days):
        base = baselines[i]
        if base is None or d.volume < min_volume:
            continue
        hist = [vols[j] - b for j in range(max(0, i - 7 * weeks), i)
                if (b := baselines[j]) is not None]
        if len(hist) < min_history:
            continue
        spread = MAD_SCALE * _mad(hist)
        spread = max(spread, math.sqrt(max(base, 1.0)))  # never tighter than Poisson noise
        z = (vols[i] - base) / spread
        if z >= threshold:
            flags[i] = (vols[i], base, z)
    return flags


def _negative_flags(
    days: Sequence[DayCount], weeks: int, threshold: float, min_volume: int, min_history: int
) -> dict[int, tuple[float, float, float]]:
    flags: dict[int, tuple[float, float, float]] = {}
    for i, d in enumerate(days):
        if d.volume < min_volume:
            continue
        window = [w for w in days[max(0, i - 7 * weeks) : i] if w.volume > 0]
        if len(window) < min_history:
            continue
        shares = [w.negative / w.volume for w in window]
        # the median day, not the pooled share: a crisis already in the window (many mentions,
        # mostly negative) would otherwise drag the baseline up and hide its own second day
        base = statistics.median(shares)
        p = min(max(base, 0.02), 0.98)
        typical_volume = statistics.median(w.volume for w in window)
        # over-dispersion: how much more daily shares vary than binomial noise explains
        binom_typical = math.sqrt(p * (1 - p) / typical_volume)
        phi = max(1.0, MAD_SCALE * _mad(shares) / binom_typical)
        spread = phi * math.sqrt(p * (1 - p) / d.volume)
        share = d.negative / d.volume
        # continuity correction: the normal approximation is too eager on small counts
        z = (share - base - 0.5 / d.volume) / spread
        if z >= threshold:
            flags[i] = (share, base, z)
    return flags


def _merge(kind: str, days: Sequence[DayCount],
           flags: dict[int, tuple[float, float, float]]) -> list[Spike]:
    spikes: list[Spike] = []
    run: list[int] = []
    for i in sorted(flags):
        if run and i > run[-1] + 2:  # one quiet day inside a crisis does not split it
            spikes.append(_spike(kind, days, flags, run))
            run = []
        run.append(i)
    if run:
        spikes.append(_spike(kind, days, flags, run))
    return spikes


def _spike(kind: str, days: Sequence[DayCount], flags: dict[int, tuple[float, float, float]],
           run: list[int]) -> Spike:
    peak = max(run, key=lambda i: flags[i][2])
    obs, exp, z = flags[peak]
    return Spike(kind, days[run[0]].day, days[run[-1]].day, days[peak].day, obs, exp,
                 round(z, 2), sum(days[i].volume for i in run))


def detect_spikes(
    days: Sequence[DayCount],
    *,
    weeks: int = 4,
    threshold: float = 3.5,
    min_volume: int = 20,
    min_history: int = 14,
) -> list[Spike]:
    """Volume and negative-share spikes in a dense daily series (oldest first).

    ``days`` must have one entry per consecutive day (zeros included): the weekday baseline
    counts back in steps of 7 entries.
    """
    for a, b in zip(days, days[1:], strict=False):
        if (b.day - a.day).days != 1:
            raise ValueError(f"daily series has a gap between {a.day} and {b.day}")
    out = _merge("volume", days, _volume_flags(days, weeks, threshold, min_volume, min_history))
    out += _merge("negative_share", days,
                  _negative_flags(days, weeks, threshold, min_volume, min_history))
    return sorted(out, key=lambda s: (s.start, s.kind))
