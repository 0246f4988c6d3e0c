"""Care metrics, computed from the inbox's conversations (one definition each, here).

- response rate: answered conversations / conversations (answered: we replied, or someone
  marked it answered elsewhere);
- first response time: first response - first inbound message, wall-clock minutes, over the
  answered conversations (median: middle value, the mean of the two middle ones for an even
  count; p90: nearest rank, the ceil(0.9 n)-th smallest);
- time to close: close - first inbound message, minutes, median over closed conversations;
- handled per agent: closed conversations by who closed them;
- share within SLA: of the conversations whose first response is known or overdue (answered,
  or unanswered with the due instant passed), the share answered at or before it is due.

Pure: the service passes the conversations, their due instants and "now".
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from .inbox import Conversation


def median(values: Sequence[float]) -> float | None:
    """The middle value (mean of the two middle ones for an even count); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def nearest_rank(values: Sequence[float], share: float) -> float | None:
    """The ceil(share * n)-th smallest value (nearest-rank percentile); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def _minutes(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 60


@dataclass(frozen=True)
class CareFigures:
    """The care metrics of a set of conversations (None where nothing could be measured)."""

    conversations: int
    answered: int
    response_rate: float | None
    first_response_median_min: float | None
    first_response_p90_min: float | None
    time_to_close_median_min: float | None
    handled_per_agent: Mapping[str, int]
    sla_measured: int
    sla_within: int
    share_within_sla: float | None

    def as_dict(self) -> dict[str, object]:
        return {"conversations": self.conversations, "answered": self.answered,
                "response_rate": self.response_rate,
                "first_response_median_min": self.first_response_median_min,
                "first_response_p90_min": self.first_response_p90_min,
                "time_to_close_median_min": self.time_to_close_median_min,
                "handled_per_agent": dict(self.handled_per_agent),
                "sla_measured": self.sla_measured, "sla_within": self.sla_within,
                "share_within_sla": self.share_within_sla}


def care_figures(conversations: Sequence[Conversation], due: Mapping[int, datetime],
                 now: datetime) -> CareFigures:
    """The care metrics of ``conversations``; ``due``: conversation id -> first response due
    instant (absent: no SLA for it)."""
    answered = [c for c in conversations if c.first_response_at is not None]
    firsts = [_minutes(c.first_message_at, c.first_response_at) for c in answered
              if c.first_response_at is not None]
    closes = [_minutes(c.first_message_at, c.closed_at) for c in conversations
              if c.closed_at is not None]
    handled = Counter(c.closed_by for c in conversations
                      if c.closed_at is not None and c.closed_by)
    measured = within = 0
    for c in conversations:
        limit = due.get(c.id)
        if limit is None:
            continue
        if c.first_response_at is not None:
            measured += 1
            within += c.first_response_at <= limit
        elif limit < now:
            measured += 1
    n = len(conversations)
    return CareFigures(
        conversations=n, answered=len(answered),
        response_rate=len(answered) / n if n else None,
        first_response_median_min=median(firsts),
        first_response_p90_min=nearest_rank(firsts, 0.9),
        time_to_close_median_min=median(closes),
        handled_per_agent=dict(sorted(handled.items())),
        sla_measured=measured, sla_within=within,
        share_within_sla=within / measured if measured else None)
