"""Spike detection on synthetic series with weekly seasonality."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from socialpulse.domain.listening.spikes import DayCount, detect_spikes

START = date(2026, 1, 5)  # a Monday


def series(days: int, seed: int = 1, base: float = 40.0, neg: float = 0.2,
           spike: tuple[int, int, float, float] | None = None) -> list[DayCount]:
    """Weekday-seasonal Poisson volumes; ``spike`` = (first day, length, volume factor,
    negative share during the spike)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(days):
        d = START + timedelta(days=i)
        lam = base * (0.45 if d.weekday() >= 5 else 1.0)
        share = neg
        if spike and spike[0] <= i < spike[0] + spike[1]:
            lam *= spike[2]
            share = spike[3]
        v = int(rng.poisson(lam))
        out.append(DayCount(d, v, int(rng.binomial(v, share))))
    return out


def test_quiet_weekends_are_not_spikes() -> None:
    """A 7-day-mean rule fires every Monday here; the weekday baseline does not. Over 900
    ordinary days, the only alert allowed is a day that really is extreme for its Poisson
    rate (seed 1 draws 70 mentions on a day whose rate is 40)."""
    found = [sp for seed in range(5) for sp in detect_spikes(series(180, seed))]
    assert len(found) <= 1
    for sp in found:
        assert sp.kind == "volume"
        assert sp.observed >= 40 + 4 * 40 ** 0.5


def test_volume_spike_found_with_its_span() -> None:
    s = series(120, 3, spike=(100, 3, 4.0, 0.2))
    found = [x for x in detect_spikes(s) if x.kind == "volume"]
    assert len(found) == 1
    assert found[0].start == START + timedelta(days=100)
    assert found[0].end == START + timedelta(days=102)
    assert found[0].observed > 3 * found[0].expected
    assert found[0].volume == sum(d.volume for d in s[100:103])


def test_negative_share_spike_without_volume_change() -> None:
    s = series(120, 4, spike=(90, 4, 1.0, 0.7))
    kinds = {x.kind for x in detect_spikes(s)}
    assert kinds == {"negative_share"}


def test_minimum_volume_silences_small_numbers() -> None:
    s = series(120, 5, base=4.0, spike=(100, 2, 5.0, 0.9))
    assert detect_spikes(s, min_volume=40) == []
    assert detect_spikes(s, min_volume=5) != []


def test_a_past_spike_does_not_widen_the_baseline() -> None:
    """Two crises four weeks apart: the second is still found (MAD, not standard deviation)."""
    s = series(160, 6, spike=(100, 2, 5.0, 0.2))
    s2 = series(160, 6, spike=(128, 2, 5.0, 0.2))
    merged = [a if 100 <= i < 102 else b for i, (a, b) in enumerate(zip(s, s2, strict=True))]
    starts = sorted(x.start for x in detect_spikes(merged) if x.kind == "volume")
    assert starts == [START + timedelta(days=100), START + timedelta(days=128)]


def test_gaps_are_refused() -> None:
    s = series(30)
    with pytest.raises(ValueError, match="gap"):
        detect_spikes(s[:10] + s[11:])
