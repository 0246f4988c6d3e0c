"""The social media audit's rules, pure (seed 004: "run a social media audit" first).

The audit puts every own account in one place and says which channels work and which need
another approach. The numbers come from the metric service; this module only decides:
the verdict of each account against the workspace's own median, the ranking and the flags
(no post in 90 days, shrinking audience, audience questions left without replies, duplicate or
inconsistent handles). Keeping the thresholds here, named, makes every verdict explainable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

#: An account with no post for this many days is flagged as dormant.
DORMANT_DAYS = 90
#: A response rate below this share of audience messages is flagged (percent).
MIN_RESPONSE_RATE = 95.0
#: The key figures an account is compared on, with the direction that is better.
KEY_FIGURES: tuple[tuple[str, str], ...] = (
    ("engagement_rate", "engagement rate"),
    ("audience_growth_rate", "audience growth"),
    ("posts_per_week", "activity (posts per week)"),
)


@dataclass(frozen=True)
class LakeDetails:
    """What the audit reads from the lake besides metrics, per account id: best content types
    and hours (type or hour, engagements per post, posts), the last post's day, and messages
    (received, replied). The lake adapter computes it with the metric engine's read rules."""

    content_types: dict[int, list[tuple[str, float, int]]]
    hours: dict[int, list[tuple[int, float, int]]]
    last_post: dict[int, date]
    messages: dict[int, tuple[float, float]]


@dataclass(frozen=True)
class AccountFigures:
    """What the audit knows of one account over the audit period (None: not available)."""

    account_id: int
    label: str
    network: str
    handle: str
    name: str
    function: str
    posts_per_week: float | None
    followers: float | None
    audience_growth_rate: float | None
    engagement_rate: float | None
    days_since_last_post: int | None  # None: never posted
    messages_received: float | None = None
    messages_replied: float | None = None

    @property
    def response_rate(self) -> float | None:
        if not self.messages_received:
            return None
        return 100.0 * (self.messages_replied or 0) / self.messages_received


@dataclass(frozen=True)
class Flag:
    code: str  # dormant | shrinking | unanswered | duplicate_handle | inconsistent_handle
    message: str


@dataclass(frozen=True)
class Verdict:
    account_id: int
    rank: int
    working: bool
    score: float  # share of key figures at or above the median, 0-1
    reason: str
    flags: tuple[Flag, ...] = ()

    @property
    def label(self) -> str:
        return "working" if self.working else "needs a new approach"

    def as_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "verdict": self.label,
            "reason": self.reason,
            "flags": [f.message for f in self.flags],
        }


def median(values: Sequence[float]) -> float | None:
    s = sorted(values)
    if not s:
        return None
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def normalise_handle(handle: str) -> str:
    """Compare handles the way people read them: no @, case, dots, dashes or underscores."""
    return re.sub(r"[^a-z0-9]", "", handle.strip().lower().lstrip("@"))


def handle_flags(accounts: Sequence[AccountFigures]) -> dict[int, list[Flag]]:
    """Duplicate handles (one account imported twice) and inconsistent ones (same name,
    spelt differently across networks, which makes the brand harder to find)."""
    out: dict[int, list[Flag]] = {}
    by_net: dict[tuple[str, str], list[AccountFigures]] = {}
    for a in accounts:
        by_net.setdefault((a.network, normalise_handle(a.handle)), []).append(a)
    for (_, _), group in by_net.items():
        if len(group) > 1:
            for a in group:
                others = ", ".join(b.handle for b in group if b.account_id != a.account_id)
                out.setdefault(a.account_id, []).append(
                    Flag("duplicate_handle",
                         f"duplicate handle: {a.handle} and {others} look like one account")
                )
    by_name: dict[str, list[AccountFigures]] = {}
    for a in accounts:
        by_name.setdefault(normalise_handle(a.name), []).append(a)
    for group in by_name.values():
        spellings: dict[str, int] = {}
        for a in group:
            if normalise_handle(a.handle) == normalise_handle(a.name):
                key = a.handle.strip().lower().lstrip("@")
                spellings[key] = spellings.get(key, 0) + 1
        if len(spellings) < 2:
            continue
        common = max(sorted(spellings), key=lambda k: spellings[k])
        for a in group:
            key = a.handle.strip().lower().lstrip("@")
            if key in spellings and key != common:
                out.setdefault(a.account_id, []).append(
                    Flag("inconsistent_handle",
                         f"inconsistent handle: {a.handle} is spelt differently from "
                         f"'{common}' used by the other {a.name} accounts")
                )
    return out


def _flags(a: AccountFigures) -> list[Flag]:
    flags: list[Flag] = []
    if a.days_since_last_post is None:
        flags.append(Flag("dormant", "no post ever recorded"))
    elif a.days_since_last_post >= DORMANT_DAYS:
        flags.append(Flag("dormant", f"no post in {a.days_since_last_post} days"))
    if a.audience_growth_rate is not None and a.audience_growth_rate < 0:
        flags.append(Flag("shrinking", f"audience shrinking ({a.audience_growth_rate:.1f}%)"))
    rr = a.response_rate
    if rr is not None and rr < MIN_RESPONSE_RATE:
        left = (a.messages_received or 0) - (a.messages_replied or 0)
        flags.append(Flag(
            "unanswered",
            f"{left:,.0f} of {a.messages_received:,.0f} audience questions left without a reply "
            f"({rr:.1f}% answered)",
        ))
    return flags


def judge(accounts: Sequence[AccountFigures]) -> list[Verdict]:
    """Verdict and rank of each account against the workspace's own medians.

    An account *works* when at least two of its key figures (engagement rate, audience growth,
    posts per week) are at or above the median of the workspace's accounts and it is neither
    dormant nor shrinking. Accounts are ranked by that share, then by engagement rate relative
    to the median. The reason names every figure below the median with both values.
    """
    medians: dict[str, float | None] = {
        key: median([v for a in accounts if (v := getattr(a, key)) is not None])
        for key, _ in KEY_FIGURES
    }
    handle = handle_flags(accounts)
    verdicts: list[tuple[float, float, AccountFigures, bool, str, list[Flag]]] = []
    for a in accounts:
        above: list[str] = []
        below: list[str] = []
        for key, name in KEY_FIGURES:
            v = getattr(a, key)
            m = medians[key]
            if v is None or m is None:
                continue
            unit = "%" if key != "posts_per_week" else "/week"
            text = f"{name} {v:.2f}{unit} vs median {m:.2f}{unit}"
            (above if v >= m else below).append(text)
        known = len(above) + len(below)
        share = len(above) / known if known else 0.0
        flags = _flags(a) + handle.get(a.account_id, [])
        severe = [f for f in flags if f.code in ("dormant", "shrinking")]
        working = known > 0 and len(above) >= min(2, known) and not severe
        if working:
            reason = "at or above the workspace median on " + "; ".join(above)
            if below:
                reason += "; below on " + "; ".join(below)
        elif severe:
            reason = "; ".join(f.message for f in severe)
            if below:
                reason += "; below the workspace median on " + "; ".join(below)
        elif known == 0:
            reason = "no figures in this period to compare with the workspace"
        else:
            reason = "below the workspace median on " + "; ".join(below)
        er = a.engagement_rate
        m_er = medians["engagement_rate"]
        rel = (er / m_er) if er is not None and m_er else 0.0
        verdicts.append((share, rel, a, working, reason, flags))
    verdicts.sort(key=lambda t: (not t[3], -t[0], -t[1], t[2].label))
    return [
        Verdict(a.account_id, i, working, share, reason, tuple(flags))
        for i, (share, _, a, working, reason, flags) in enumerate(verdicts, start=1)
    ]


@dataclass(frozen=True)
class Best:
    """Best content types and posting hours of an account, with the figure they are ranked by."""

    content_types: tuple[tuple[str, float, int], ...] = ()  # (type, engagements/post, posts)
    hours: tuple[tuple[int, float, int], ...] = ()  # (local hour, engagements/post, posts)
    notes: tuple[str, ...] = field(default_factory=tuple)


#: A content type or hour needs this many posts before it can be called "best".
MIN_POSTS_FOR_BEST = 3


def best_of(
    rows: Sequence[tuple[str | int, float, int]], top: int = 3
) -> tuple[tuple[Any, float, int], ...]:
    """Top groups by engagements per post, ignoring groups with too few posts to judge."""
    eligible = [r for r in rows if r[2] >= MIN_POSTS_FOR_BEST]
    eligible.sort(key=lambda r: (-r[1], str(r[0])))
    return tuple(eligible[:top])
