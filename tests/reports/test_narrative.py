"""The executive summary's sentence templates: never "nan"/"None", never a wrong direction."""

from __future__ import annotations

import math
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from socialpulse.domain import narrative as nv
from socialpulse.domain.formatting import format_value

values = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True),
                   st.integers(-10**9, 10**9))
finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
units = st.sampled_from(["percent", "count", "currency", "seconds", "score", "ratio"])
labels = st.sampled_from(["X", "LinkedIn", "TikTok", "YouTube"])
contribs = st.lists(st.builds(nv.Contribution, labels, values, values), max_size=5)
BAD = ("nan", "None", "inf", "null")


@given(st.text(min_size=1, max_size=20).filter(str.strip), units, values, values, contribs)
def test_change_sentence_never_prints_missing_values(name: str, unit: str, prev: object,
                                                     cur: object, parts: list) -> None:
    s = nv.change_sentence(name, unit, prev, cur, parts)  # type: ignore[arg-type]
    ok = all(v is not None and math.isfinite(float(v)) for v in (prev, cur))  # type: ignore
    if not ok:
        assert s is None
        return
    assert s is not None
    rest = s.replace(name, "", 1)
    assert not any(b in rest for b in BAD), s


@given(finite, finite, units, contribs)
def test_direction_word_matches_the_numbers(prev: float, cur: float, unit: str,
                                            parts: list) -> None:
    s = nv.change_sentence("Metric", unit, prev, cur, parts)
    assert s is not None
    if " rose " in s:
        assert cur > prev
    if " fell " in s:
        assert cur < prev
    if "held steady" in s:
        assert nv.direction(prev, cur) == "flat" or (
            format_value(prev, unit) == format_value(cur, unit))
    assert (" rose " in s) + (" fell " in s) + ("held steady" in s) == 1


@given(finite, finite, st.lists(st.tuples(labels, finite, finite), min_size=1, max_size=5))
def test_driver_moved_the_same_way(prev: float, cur: float, parts: list) -> None:
    move = nv.direction(prev, cur)
    contributions = [nv.Contribution(lbl, p, c) for lbl, p, c in parts]
    lead = nv.driver(contributions, move)
    if lead is None:
        return
    moved = [c for c in contributions if c.label == lead]
    assert any((c.current - c.previous > 0) == (move == "up")  # type: ignore[operator]
               and c.current != c.previous for c in moved)


def test_examples_read_well() -> None:
    s = nv.change_sentence("Engagement rate", "percent", 1.8, 2.3,
                           [nv.Contribution("LinkedIn", 1.0, 3.1), nv.Contribution("X", 2, 1)])
    assert s == "Engagement rate rose from 1.80% to 2.30%, driven by LinkedIn."
    s = nv.change_sentence("Impressions", "count", 1000, 800, [nv.Contribution("X", 600, 300)])
    assert s == "Impressions fell from 1,000 to 800 (-20.0%), mainly on X."
    assert nv.change_sentence("Followers", "count", 1000, 1001) == (
        "Followers held steady at 1,001.")
    assert nv.goals_sentence(3, 1, 1) == (
        "3 of 5 goals are on track; 1 is at risk and 1 is off track.")
    assert nv.goals_sentence(0, 0, 0) is None
    assert nv.share_of_voice_sentence("Acme", 41.25, 38.0, "Summit") == (
        "Acme held 41.2% share of voice, up 3.2 points on the previous period; "
        "Summit led the conversation.")
    assert nv.share_of_voice_sentence("Acme", float("nan"), None) is None
    assert nv.maturity_sentence(3, "Scale", "Leadership", 2) == (
        "Social maturity stands at stage 3 (Scale); the weakest link is Leadership (stage 2).")
    assert nv.alerts_sentence(0) is None


@given(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50), st.integers(0, 5))
def test_goal_counts_add_up(on: int, risk: int, off: int, other: int) -> None:
    s = nv.goals_sentence(on, risk, off, other)
    total = on + risk + off + other
    if total == 0:
        assert s is None
        return
    assert s is not None and not any(b in s for b in BAD)
    if total > 1:
        assert s.startswith(f"{on} of {total} ")


@given(st.dates(date(2000, 1, 1), date(2100, 1, 1)), st.integers(0, 400))
def test_period_titles(start: date, days: int) -> None:
    from datetime import timedelta

    title = nv.describe_period(start, start + timedelta(days=days))
    assert title and not any(b in title for b in BAD)


def test_period_title_examples() -> None:
    assert nv.describe_period(date(2026, 7, 1), date(2026, 9, 30)) == "Q3 2026"
    assert nv.describe_period(date(2026, 9, 1), date(2026, 9, 30)) == "September 2026"
    assert nv.describe_period(date(2026, 9, 7), date(2026, 9, 13)).startswith("Week 37, 2026")
    assert nv.describe_period(date(2026, 7, 1), date(2026, 8, 9)) == "1 Jul 2026 - 9 Aug 2026"


shares = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True),
                   st.floats(min_value=0, max_value=100))


@given(shares, shares, st.one_of(st.none(), labels))
def test_share_of_voice_words_match_the_numbers(share: float | None, prev: float | None,
                                                leader: str | None) -> None:
    s = nv.share_of_voice_sentence("Acme", share, prev, leader)
    if share is None or not math.isfinite(share) or not 0 <= share <= 100:
        assert s is None
        return
    assert s is not None and not any(b in s for b in BAD)
    if ", up " in s:
        assert prev is not None and share > prev
    if ", down " in s:
        assert prev is not None and share < prev


@given(shares, shares)
def test_sentiment_sentence_only_with_valid_shares(pos: float | None, neg: float | None) -> None:
    s = nv.sentiment_sentence(pos, neg)
    if s is not None:
        assert pos is not None and neg is not None and pos + neg <= 100.0001
        assert not any(b in s for b in BAD)


def test_a_change_from_a_tiny_value_never_prints_inf() -> None:
    """Found by hypothesis: 5e-324 to 1 overflowed the percentage to +inf%."""
    s = nv.change_sentence("Posts", "count", 5e-324, 1, [])
    assert s is not None and "inf" not in s and s.startswith("Posts rose from 0 to 1")
