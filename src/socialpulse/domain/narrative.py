"""The executive summary in sentences, from numbers: templates, no language model.

Executives read sentences, not tables, so the report opens with a few lines such as
"Engagement rate rose from 1.80% to 2.30%, driven by LinkedIn." Every sentence here is built
from values already computed by the services; this module only chooses words. It is pure (no
I/O, clock or environment) and returns ``None`` instead of a sentence whenever an input is
missing or not a finite number, so a report never prints "nan", "None" or a direction word that
contradicts the numbers ("rose" only when the value went up).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .formatting import format_value

#: Relative changes smaller than this (0.5%) read as "held steady".
STEADY_RELATIVE = 0.005


def _finite(v: float | int | None) -> bool:
    return v is not None and not isinstance(v, bool) and math.isfinite(float(v))


def direction(previous: float, current: float) -> str:
    """``up``, ``down`` or ``flat`` (a change under 0.5% of the previous value is flat)."""
    delta = current - previous
    scale = abs(previous) if previous != 0 else abs(current)
    if delta == 0 or (scale > 0 and abs(delta) / scale < STEADY_RELATIVE):
        return "flat"
    return "up" if delta > 0 else "down"


_VERB = {"up": "rose", "down": "fell", "flat": "held steady"}


@dataclass(frozen=True)
class Contribution:
    """One part of a total (a network, an account) with its value in both periods."""

    label: str
    previous: float | None
    current: float | None


def driver(contributions: Sequence[Contribution], move: str) -> str | None:
    """The part whose own change moved most in the direction of the total (None if none did).

    For a total that rose, the part with the largest rise; for one that fell, the largest fall.
    A part that moved the other way is never named as the driver.
    """
    if move == "flat":
        return None
    best: tuple[float, str] | None = None
    for c in contributions:
        if not (_finite(c.previous) and _finite(c.current)):
            continue
        delta = float(c.current) - float(c.previous)  # type: ignore[arg-type]
        signed = delta if move == "up" else -delta
        if signed <= 0:
            continue
        if best is None or signed > best[0]:
            best = (signed, c.label)
    return best[1] if best else None


def change_sentence(
    name: str,
    unit: str,
    previous: float | None,
    current: float | None,
    contributions: Sequence[Contribution] = (),
) -> str | None:
    """"Engagement rate rose from 1.80% to 2.30%, driven by LinkedIn." (None without numbers)."""
    if not (_finite(previous) and _finite(current)) or not name.strip():
        return None
    prev, cur = float(previous), float(current)  # type: ignore[arg-type]
    move = direction(prev, cur)
    p_txt, c_txt = format_value(prev, unit), format_value(cur, unit)
    if move == "flat" or p_txt == c_txt:
        return f"{name} held steady at {c_txt}."
    text = f"{name} {_VERB[move]} from {p_txt} to {c_txt}"
    if unit != "percent" and prev != 0:
        pct = (cur - prev) / abs(prev) * 100
        if math.isfinite(pct):  # a tiny previous value overflows: leave the % out
            text += f" ({pct:+.1f}%)"
    lead = driver(contributions, move)
    if lead:
        text += f", driven by {lead}" if move == "up" else f", mainly on {lead}"
    return text + "."


def goals_sentence(on_track: int, at_risk: int, off_track: int, other: int = 0) -> str | None:
    """"3 of 5 goals are on track; 1 is at risk and 1 is off track." (None without goals)."""
    counts = [on_track, at_risk, off_track, other]
    if any(c < 0 for c in counts):
        return None
    total = sum(counts)
    if total == 0:
        return None
    noun = "goal is" if total == 1 else "goals are"
    head = f"{on_track} of {total} {noun} on track" if total > 1 else (
        "The only goal is on track" if on_track else "The only goal is not on track")
    tail = []
    if at_risk:
        tail.append(f"{at_risk} {'is' if at_risk == 1 else 'are'} at risk")
    if off_track:
        tail.append(f"{off_track} {'is' if off_track == 1 else 'are'} off track")
    if total == 1 or not tail:
        return head + "."
    return f"{head}; {' and '.join(tail)}."


def share_of_voice_sentence(
    brand: str, share: float | None, previous: float | None, leader: str | None = None
) -> str | None:
    """Share of voice (a percentage, 0-100) of the own brand, its move and the leader."""
    if not brand.strip() or not _finite(share) or not 0 <= float(share) <= 100:  # type: ignore[arg-type]
        return None
    s = float(share)  # type: ignore[arg-type]
    text = f"{brand} held {s:.1f}% share of voice"
    if _finite(previous) and 0 <= float(previous) <= 100:  # type: ignore[arg-type]
        p = float(previous)  # type: ignore[arg-type]
        pts = s - p
        if round(abs(pts), 1) >= 0.1:
            text += f", {'up' if pts > 0 else 'down'} {abs(pts):.1f} points on the previous period"
        else:
            text += ", unchanged on the previous period"
    if leader and leader != brand:
        text += f"; {leader} led the conversation"
    return text + "."


def sentiment_sentence(positive_pct: float | None, negative_pct: float | None) -> str | None:
    """"62% of mentions with a sentiment were positive and 11% negative." """
    if not (_finite(positive_pct) and _finite(negative_pct)):
        return None
    pos, neg = float(positive_pct), float(negative_pct)  # type: ignore[arg-type]
    if not (0 <= pos <= 100 and 0 <= neg <= 100 and pos + neg <= 100.0001):
        return None
    return f"{pos:.0f}% of mentions were positive and {neg:.0f}% negative."


def maturity_sentence(stage: int, stage_name: str, weakest_name: str | None,
                      weakest_stage: int | None) -> str | None:
    """"Social maturity stands at stage 3 (Scale); the weakest link is Leadership (stage 2)." """
    if not 1 <= stage <= 5 or not stage_name.strip():
        return None
    text = f"Social maturity stands at stage {stage} ({stage_name})"
    if weakest_name and weakest_stage is not None and 1 <= weakest_stage < stage:
        text += f"; the weakest link is {weakest_name} (stage {weakest_stage})"
    return text + "."


def alerts_sentence(count: int) -> str | None:
    """"2 listening alerts were raised in the period." (None when there were none)."""
    if count <= 0:
        return None
    return f"{count} listening alert{'s were' if count > 1 else ' was'} raised in the period."


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def _day(d: date) -> str:
    return f"{d.day} {_MONTHS[d.month - 1][:3]} {d.year}"


def describe_period(start: date, end: date) -> str:
    """A title people read: "Q3 2026", "September 2026", "Week 37, 2026" or "1 Jul - 9 Aug 2026"."""
    nxt = end + timedelta(days=1)
    if start.day == 1 and nxt.day == 1:
        months = (nxt.year - start.year) * 12 + nxt.month - start.month
        if months == 1:
            return f"{_MONTHS[start.month - 1]} {start.year}"
        if months == 3 and start.month % 3 == 1:
            return f"Q{(start.month - 1) // 3 + 1} {start.year}"
        if months == 12 and start.month == 1:
            return str(start.year)
    if (end - start).days == 6 and start.weekday() == 0:
        year, week, _ = start.isocalendar()
        return f"Week {week}, {year} ({_day(start)} - {_day(end)})"
    if start == end:
        return _day(start)
    return f"{_day(start)} - {_day(end)}"
