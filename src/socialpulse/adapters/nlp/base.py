"""What every sentiment mode shares: labels, predictions, model files, language coverage.

``score`` is the polarity P(positive) - P(negative), in [-1, 1]; ``confidence`` is the
probability of the chosen label. Linear models are stored as numpy arrays plus JSON metadata
(``np.savez_compressed``, read with ``allow_pickle=False``), so a model file can never run code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from socialpulse.domain.errors import MissingData

LABELS = ("negative", "neutral", "positive")
#: the label of a text a mode cannot read (a language it has no sentiment for): stored with
#: has_sentiment false, so no figure counts it as rated
UNKNOWN = "unknown"
MODELS_DIR = Path(__file__).parent / "models"
#: the languages multilingual-e5 (and XLM-T) learned from: XLM-RoBERTa's CC-100 languages
_XLMR = ("af am ar as az be bg bn br bs ca cs cy da de el en eo es et eu fa fi fr fy ga gd gl gu "
         "ha he hi hr hu hy id is it ja jv ka kk km kn ko ku ky la lo lt lv mg mk ml mn mr ms my "
         "ne nl no om or pa pl ps pt ro ru sa sd si sk sl so sq sr su sv sw ta te th tl tr ug uk "
         "ur uz vi xh yi zh")
XLMR_LANGUAGES = frozenset(_XLMR.split(" "))

Array = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Prediction:
    label: str
    score: float
    confidence: float


def softmax(z: Array) -> Array:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: Array = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
    return out


def to_predictions(proba: Array) -> list[Prediction]:
    """Labels, polarity scores and confidences from class probabilities (neg, neu, pos)."""
    idx = proba.argmax(axis=1)
    polarity = proba[:, 2] - proba[:, 0]
    conf = proba[np.arange(len(proba)), idx]
    return [
        Prediction(LABELS[i], round(float(p), 4), round(float(c), 4))
        for i, p, c in zip(idx.tolist(), polarity.tolist(), conf.tolist(), strict=True)
    ]


def unavailable(lang: str, mode: str) -> str:
    """The one line shown (and stored as unknown) instead of a guess."""
    what = "an undetermined language" if not lang or lang == "und" else lang
    return f"sentiment not available for {what} in {mode} mode"


def save_linear_model(
    path: Path, weights: Array, bias: Array, meta: dict[str, Any], idf: Array | None = None
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


def load_linear_model(path: Path) -> tuple[Array, Array, dict[str, Any], Array | None]:
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
