"""Per-workspace adaptation: a few-shot update of a linear head on people's corrections.

Why an update and not a retrain: a workspace has tens or hundreds of corrections, the base model
learned from thousands of tweets. The update keeps the base weights and learns a small change
``delta`` that fits the corrections, with an L2 pull towards no change (``strength``), so a few
corrections move the model on texts like them (a brand's product words, its customers' way of
complaining) without undoing what it knows. The objective is convex (cross-entropy of
``base_logits + x @ delta`` plus ``strength * |delta|^2``), solved by full-batch gradient descent
in numpy: milliseconds for hundreds of corrections, deterministic, no new dependency.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .base import LABELS, softmax

Array = npt.NDArray[np.float32]
#: the L2 pull towards the base model; measured on held-back corrections
#: (scripts/eval_corrections.py), see docs/listening.md
STRENGTH = 0.01
STEPS = 300


def label_ids(labels: list[str]) -> npt.NDArray[np.int64]:
    """Class indices of corrections' labels (negative, neutral, positive)."""
    return np.array([LABELS.index(label) for label in labels], dtype=np.int64)


def fit_delta(x: Array, base_logits: Array, y: npt.NDArray[np.int64],
              strength: float | None = None, steps: int = STEPS) -> Array:
    """The weight change (``x.shape[1]`` x 3) that fits ``y`` from ``base_logits``.

    Rows of ``x`` are features as the model sees them (unit length for both shipped models),
    so a step of 1 / (0.5 * mean row norm^2 + 2 * strength) is a safe gradient-descent step.
    """
    strength = STRENGTH if strength is None else strength
    n = len(x)
    delta = np.zeros((x.shape[1], base_logits.shape[1]), dtype=np.float32)
    if n == 0:
        return delta
    target = np.zeros_like(base_logits)
    target[np.arange(n), y] = 1.0
    lipschitz = 0.5 * float((x * x).sum(axis=1).max()) + 2 * strength
    lr = 1.0 / max(lipschitz, 1e-6)
    for _ in range(steps):
        p = softmax((base_logits + x @ delta).astype(np.float32))
        grad = x.T @ (p - target) / n + 2 * strength * delta
        delta -= (lr * grad).astype(np.float32)
    return delta
