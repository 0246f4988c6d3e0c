"""Which mentions a listening question is about: a value the service checks once and every
mention query (DuckDB or Spark) applies the same way."""

from __future__ import annotations

from dataclasses import dataclass

from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.periods import DateRange

SENTIMENTS = ("negative", "neutral", "positive")
GRAINS = ("day", "week", "month")


@dataclass(frozen=True)
class MentionSelection:
    """Mentions of one workspace, narrowed by period (local publication day), brand and the
    mention list's filters; ``search`` is a case-insensitive substring of the text."""

    workspace_id: int
    period: DateRange | None = None
    brand_id: int | None = None
    sentiment: str | None = None
    lang: str | None = None
    network: str | None = None
    tagged: bool | None = None
    search: str | None = None
    with_author: bool = False  # only mentions whose author is known

    def __post_init__(self) -> None:
        if self.sentiment is not None:
            check_sentiment(self.sentiment)


def check_sentiment(label: str) -> str:
    """A sentiment label as stored, or the one-line error naming the allowed values."""
    if label not in SENTIMENTS:
        raise InvalidInput(f"sentiment: unknown value {label!r}; use one of "
                           f"{', '.join(SENTIMENTS)}")
    return label


def check_grain(grain: str) -> str:
    if grain not in GRAINS:
        raise InvalidInput(f"--grain: unknown grain {grain!r}; use day, week or month")
    return grain
