"""The fast mode: hashed n-grams and shared cues into a linear model, all numpy.

Trained by ``scripts/train_sentiment.py fast`` (``models/fast.npz``); thousands of texts a second
on one core, for backfills of millions of mentions. It reads only the languages it was trained
on (``meta["languages"]``): a post in another language, or in no language the workspace knows,
gets "sentiment not available" instead of a guess from a few shared character n-grams. A post
with no letters at all (emoji only) is read from its emoji and punctuation, as in any language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .adapt import fit_delta, label_ids
from .base import MODELS_DIR, Array, load_linear_model, softmax
from .features import FeatureConfig, hashed_features

_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_URL_OR_HANDLE = re.compile(r"https?://\S+|www\.\S+|[@#][\w.]+", re.UNICODE)


class FastSentiment:
    """Hashed character and word n-grams, negation scope, lexicon and emoji cues."""

    mode = "fast"

    def __init__(self, path: Path | None = None) -> None:
        self.weights, self.bias, self.meta, self.idf = load_linear_model(
            path or MODELS_DIR / "fast.npz"
        )
        self.config = FeatureConfig(**self.meta["features"])
        self.languages = frozenset(self.meta.get("languages", []))

    def supports(self, lang: str, text: str) -> bool:
        """Its training languages; an undetermined one only when the text has no letters."""
        if lang and lang != "und":
            return lang in self.languages
        return not _LETTER.search(_URL_OR_HANDLE.sub(" ", text))

    def logits(self, texts: Sequence[str], langs: Sequence[str],
               weights: Array | None = None) -> Array:
        n = len(texts)
        w_all = self.weights if weights is None else weights
        d, f, v = hashed_features(texts, self.config, langs, self.idf)
        w = w_all[f] * v[:, None]
        out = np.empty((n, w.shape[1]), dtype=np.float32)
        for c in range(w.shape[1]):
            out[:, c] = np.bincount(d, weights=w[:, c], minlength=n)
        return out + self.bias

    def predict_proba(self, texts: Sequence[str], langs: Sequence[str]) -> Array:
        if not texts:
            return np.zeros((0, 3), dtype=np.float32)
        return softmax(self.logits(texts, langs))

    def adapted(self, texts: Sequence[str], langs: Sequence[str], labels: list[str]
                ) -> FastSentiment:
        """A copy whose weights moved to fit these corrections (``adapt.fit_delta``), on the
        features the corrections have (every other weight is unchanged)."""
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        if not texts:
            return clone
        d, f, v = hashed_features(texts, self.config, langs, self.idf)
        cols, inverse = np.unique(f, return_inverse=True)
        x = np.zeros((len(texts), len(cols)), dtype=np.float32)
        np.add.at(x, (d, inverse), v)
        delta = fit_delta(x, self.logits(texts, langs), label_ids(labels))
        clone.weights = self.weights.copy()
        clone.weights[cols] += delta
        return clone
