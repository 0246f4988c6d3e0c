"""Alert rules: what a brand's people want to hear about as mentions arrive, and when.

A rule watches one brand over a sliding window of recent mentions (``window_minutes``):

* ``volume``: at least ``min_volume`` mentions in the window and at least ``threshold`` times
  the brand's usual rate for a window that long (the mean of the previous days);
* ``negative_share``: at least ``min_volume`` mentions in the window, of which a share of at
  least ``threshold`` (0-1) are negative;
* ``keyword``: a mention in the window whose text holds ``keyword`` (a word or a phrase,
  compared case- and accent-insensitively, as brand queries compare words);
* ``high_reach``: a mention in the window whose author has at least ``threshold`` followers.

Whether people hear about it now is a second question: a rule that fired keeps quiet for
``cooldown_minutes``, and inside the workspace's quiet hours a delivery waits for their end.
Pure: times are given (the service reads the clock and converts to the workspace's zone).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.listening.query import fold, tokenize_text
from socialpulse.domain.listening.themes import STOPWORDS

RULE_KINDS = ("volume", "negative_share", "keyword", "high_reach")
#: what each kind's ``threshold`` means, for help texts and errors
THRESHOLD_HELP = {
    "volume": "times the usual rate (e.g. 3)",
    "negative_share": "share of negative mentions from 0 to 1 (e.g. 0.4)",
    "keyword": "not used",
    "high_reach": "followers of the author (e.g. 100000)",
}
DEFAULT_THRESHOLD = {"volume": 3.0, "negative_share": 0.4, "keyword": 0.0,
                     "high_reach": 100_000.0}
MAX_WINDOW_MINUTES = 7 * 24 * 60
MAX_COOLDOWN_MINUTES = 30 * 24 * 60
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class RuleSpec:
    """What a person asks for, checked (`check_rule`); stored as an `AlertRule`."""

    kind: str
    threshold: float
    min_volume: int = 10
    window_minutes: int = 60
    keyword: str | None = None
    cooldown_minutes: int = 60
    quiet_start: time | None = None
    quiet_end: time | None = None
    emails: tuple[str, ...] = ()
    webhook_url: str | None = None


@dataclass(frozen=True)
class AlertRule:
    """A stored rule of one brand."""

    id: int
    workspace_id: int
    brand_id: int
    spec: RuleSpec
    created_at: datetime
    last_fired_at: datetime | None = None


@dataclass(frozen=True)
class WindowMention:
    """A mention of the brand inside the evaluated window."""

    mention_id: str
    published_at: datetime
    author: str
    author_followers: int | None
    text: str
    sentiment: str
    url: str
    network: str


@dataclass(frozen=True)
class Explanation:
    """What drives a firing: the most frequent terms, the authors and the posts with most
    reach (people act on who and what, not on a z-score)."""

    terms: list[tuple[str, int]] = field(default_factory=list)
    authors: list[tuple[str, int, int | None]] = field(default_factory=list)
    posts: list[WindowMention] = field(default_factory=list)


@dataclass(frozen=True)
class Firing:
    """A rule's condition holding at one evaluation."""

    rule_id: int
    kind: str
    bucket: str  # one firing per rule and bucket: re-evaluating the same moment adds nothing
    title: str
    observed: float
    expected: float
    explanation: Explanation


def parse_clock(value: str | None, where: str) -> time | None:
    """``HH:MM`` (24-hour) or empty; the error names ``where``."""
    if value is None or not value.strip():
        return None
    m = _HHMM.match(value.strip())
    if not m:
        raise InvalidInput(f"{where}: {value!r} is not a time of day such as 22:00")
    return time(int(m.group(1)), int(m.group(2)))


def check_rule(spec: RuleSpec) -> RuleSpec:
    """The spec with its defaults filled, or one `InvalidInput` line naming the field."""
    if spec.kind not in RULE_KINDS:
        raise InvalidInput(f"kind: unknown alert rule {spec.kind!r}; use one of "
                           f"{', '.join(RULE_KINDS)}")
    t = float(spec.threshold)
    if t != t or t < 0 or t > 1e12:
        raise InvalidInput(f"threshold: {spec.threshold!r} is out of range "
                           f"({THRESHOLD_HELP[spec.kind]})")
    if spec.kind == "volume" and not 1 <= t <= 1000:
        raise InvalidInput("threshold: a volume rule needs 1 to 1000 times the usual rate")
    if spec.kind == "negative_share" and not 0 < t <= 1:
        raise InvalidInput("threshold: a negative_share rule needs a share above 0, at most 1 "
                           "(0.4 is 40%)")
    if spec.kind == "high_reach" and t < 1:
        raise InvalidInput("threshold: a high_reach rule needs at least 1 follower")
    keyword = (spec.keyword or "").strip() or None
    if spec.kind == "keyword" and (keyword is None or not tokenize_text(keyword)):
        raise InvalidInput("keyword: required for a keyword rule (a word or a phrase)")
    if keyword is not None and len(keyword) > 200:
        raise InvalidInput("keyword: at most 200 characters")
    if not 1 <= spec.min_volume <= 1_000_000:
        raise InvalidInput("min_volume: a whole number from 1 to 1000000")
    if not 1 <= spec.window_minutes <= MAX_WINDOW_MINUTES:
        raise InvalidInput(f"window: from 1 to {MAX_WINDOW_MINUTES} minutes")
    if not 0 <= spec.cooldown_minutes <= MAX_COOLDOWN_MINUTES:
        raise InvalidInput(f"cooldown: from 0 to {MAX_COOLDOWN_MINUTES} minutes")
    if (spec.quiet_start is None) != (spec.quiet_end is None):
        raise InvalidInput("quiet hours: give both a start and an end (e.g. 22:00 and 07:00)")
    if spec.quiet_start is not None and spec.quiet_start == spec.quiet_end:
        raise InvalidInput("quiet hours: start and end are the same time")
    if not spec.emails and not spec.webhook_url:
        raise InvalidInput("rule: needs somewhere to deliver: an e-mail address or a webhook "
                           "URL")
    return RuleSpec(spec.kind, t, spec.min_volume, spec.window_minutes,
                    keyword if spec.kind == "keyword" else None, spec.cooldown_minutes,
                    spec.quiet_start, spec.quiet_end, spec.emails, spec.webhook_url)


# --- when people hear about it ---------------------------------------------------------------


def cooling_down(last_fired_at: datetime | None, now: datetime, cooldown_minutes: int) -> bool:
    """Whether a rule that fired at ``last_fired_at`` must stay quiet at ``now``."""
    return (last_fired_at is not None
            and now < last_fired_at + timedelta(minutes=cooldown_minutes))


def in_quiet_hours(local: datetime, start: time | None, end: time | None) -> bool:
    """Whether a local wall-clock time falls in [start, end) (which may span midnight)."""
    if start is None or end is None:
        return False
    t = local.time().replace(tzinfo=None)
    if start < end:
        return start <= t < end
    return t >= start or t < end


def quiet_hours_end(local: datetime, start: time | None, end: time | None) -> datetime | None:
    """When quiet hours that hold at ``local`` end (same zone as ``local``); None when they do
    not hold, so a delivery goes now."""
    if start is None or end is None or not in_quiet_hours(local, start, end):
        return None
    candidate = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=1)
    return candidate


# --- evaluating a rule -----------------------------------------------------------------------


def _bucket(now: datetime, minutes: int) -> str:
    """The window-long slice of time ``now`` falls in (seconds since the epoch, floored)."""
    step = max(1, minutes) * 60
    return str(int(now.timestamp()) // step * step)


def _contains(text: str, keyword: str) -> bool:
    words = tokenize_text(keyword)
    seq = tokenize_text(text)
    n = len(words)
    return any(seq[i:i + n] == words for i in range(len(seq) - n + 1))


def evaluate(rule: AlertRule, brand: str, now: datetime, window: Sequence[WindowMention],
             usual_per_window: float, brand_words: frozenset[str] = frozenset()
             ) -> Firing | None:
    """Whether ``rule`` fires at ``now`` given the brand's mentions of the window and its usual
    number of mentions per window; None when it does not (or is cooling down)."""
    s = rule.spec
    if cooling_down(rule.last_fired_at, now, s.cooldown_minutes):
        return None
    n = len(window)
    win = f"{s.window_minutes} min"
    title: str
    drivers: Sequence[WindowMention] = window
    if s.kind == "volume":
        usual = max(usual_per_window, 0.0)
        if n < s.min_volume or n < s.threshold * max(usual, 1.0):
            return None
        observed, expected = float(n), usual
        title = (f"{brand}: {n} mentions in the last {win}, {n / max(usual, 1.0):.1f} times "
                 f"the usual {usual:.1f}")
    elif s.kind == "negative_share":
        negative = [m for m in window if m.sentiment == "negative"]
        share = len(negative) / n if n else 0.0
        if n < s.min_volume or share < s.threshold:
            return None
        observed, expected, drivers = share, s.threshold, negative
        title = (f"{brand}: {share:.0%} of {n} mentions in the last {win} are negative "
                 f"(rule: {s.threshold:.0%})")
    elif s.kind == "keyword":
        kw = fold(s.keyword or "")
        drivers = [m for m in window if _contains(m.text, kw)]
        if not drivers:
            return None
        observed, expected = float(len(drivers)), 0.0
        title = f"{brand}: {len(drivers)} mention(s) say {s.keyword!r} in the last {win}"
    else:
        drivers = [m for m in window if (m.author_followers or 0) >= s.threshold]
        if not drivers:
            return None
        top = max(drivers, key=lambda m: m.author_followers or 0)
        observed, expected = float(top.author_followers or 0), s.threshold
        title = (f"{brand}: {top.author} ({top.author_followers:,} followers) mentioned it in "
                 f"the last {win}")
    return Firing(rule.id, s.kind, _bucket(now, s.window_minutes), title, observed, expected,
                  explain(drivers, brand_words))


def explain(mentions: Sequence[WindowMention], brand_words: frozenset[str] = frozenset(),
            limit: int = 5) -> Explanation:
    """Top terms (not stopwords, handles, numbers or the brand's own words), authors by number
    of mentions then reach, and the posts with most reach."""
    terms: Counter[str] = Counter()
    authors: Counter[str] = Counter()
    reach: dict[str, int | None] = {}
    for m in mentions:
        terms.update({w for w in tokenize_text(m.text)
                      if len(w) > 2 and w not in STOPWORDS and not w.startswith("@")
                      and w.lstrip("#") not in brand_words and not w.isdigit()})
        if m.author:
            authors[m.author] += 1
            reach[m.author] = max(reach.get(m.author) or 0, m.author_followers or 0)
    top_authors = sorted(authors.items(), key=lambda a: (-a[1], -(reach[a[0]] or 0), a[0]))
    posts = sorted(mentions, key=lambda m: (-(m.author_followers or 0), m.mention_id))
    return Explanation(sorted(terms.items(), key=lambda t: (-t[1], t[0]))[:limit],
                       [(a, c, reach[a]) for a, c in top_authors[:limit]], list(posts[:limit]))
