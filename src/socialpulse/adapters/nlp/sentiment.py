"""Sentiment classifiers: negative / neutral / positive with a polarity score.

Modes, one interface (``predict_proba(texts, langs)`` and ``supports(lang, text)``):

* ``accurate`` (the default): multilingual-e5-small embeddings and a logistic head
  (``accurate.py``); tens of texts a second, the better model, every language e5 knows.
* ``fast``: hashed n-grams and shared cues into a linear model (``fast.py``); thousands of
  texts a second, for backfills; its training languages only. ``default`` is its former name.
* ``transformer``: a local XLM-T-like checkpoint run with numpy (``transformer_mode.py``).
* ``auto``: accurate for up to ``AUTO_ACCURATE_MAX`` distinct texts in one batch, fast above
  (resolved per batch by the enricher, ``pipeline.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

from socialpulse.domain.errors import InvalidInput

from .accurate import E5Sentiment
from .base import (
    LABELS,
    MODELS_DIR,
    UNKNOWN,
    Array,
    Prediction,
    load_linear_model,
    save_linear_model,
    to_predictions,
)
from .fast import FastSentiment
from .transformer_mode import TRANSFORMER_ENV, TransformerSentiment

__all__ = ["LABELS", "MODELS_DIR", "UNKNOWN", "E5Sentiment", "FastSentiment", "Prediction",
           "SentimentClassifier", "TRANSFORMER_ENV", "TransformerSentiment", "check_mode",
           "classifier", "load_linear_model", "save_linear_model", "to_predictions"]

MODES = ("auto", "accurate", "fast", "transformer")
DEFAULT_MODE = "accurate"
_ALIASES = {"default": "fast"}
#: ``auto`` labels a batch with the accurate model up to this many distinct texts (about half
#: a minute on one core at the measured ~35 texts/s), and with the fast model above it, so a
#: backfill of a million mentions takes minutes, not days (docs/listening.md)
AUTO_ACCURATE_MAX = 1_000


class SentimentClassifier(Protocol):
    mode: str

    def supports(self, lang: str, text: str) -> bool: ...

    def predict_proba(self, texts: Sequence[str], langs: Sequence[str]) -> Array: ...

    def adapted(self, texts: Sequence[str], langs: Sequence[str], labels: list[str]
                ) -> SentimentClassifier: ...


def check_mode(mode: str) -> str:
    """A mode name as the classifiers know it (``default`` is the fast mode's former name)."""
    m = mode.strip().lower()
    m = _ALIASES.get(m, m)
    if m not in MODES:
        raise InvalidInput(f"--mode: unknown mode {mode!r}; use one of {', '.join(MODES)}")
    return m


@lru_cache(maxsize=4)
def _cached(mode: str, model_path: str | None) -> SentimentClassifier:
    if mode == "fast":
        return FastSentiment()
    if mode == "accurate":
        return E5Sentiment()
    return TransformerSentiment(model_path)


def classifier(mode: str = DEFAULT_MODE, model_path: str | None = None) -> SentimentClassifier:
    """The classifier of a concrete mode (not ``auto``), loaded once per process."""
    m = check_mode(mode)
    if m == "auto":
        raise InvalidInput("--mode auto picks a model per batch; ask for fast or accurate")
    return _cached(m, model_path)
