"""What listening keeps in the app database, as plain values: a person's sentiment label for
a mention (kept with the text for retraining) and a detected spike alert."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Correction:
    mention_id: str
    sentiment: str
    model_sentiment: str | None
    text: str
    lang: str
    corrected_at: datetime


@dataclass(frozen=True)
class StoredAlert:
    id: int
    brand_id: int
    kind: str
    start: date
    end: date
    peak_day: date
    observed: float
    expected: float
    z: float
    volume: int
    status: str
    detected_at: datetime
