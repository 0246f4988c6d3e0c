"""The transformer mode: a local Hugging Face checkpoint (XLM-T or compatible).

A Hugging Face (XLM-)RoBERTa sequence-classification checkpoint the user already has on disk
(e.g. XLM-T ``twitter-xlm-roberta-base-sentiment``), loaded from a local folder only: nothing is
downloaded. The forward pass runs in numpy (``encoder.py``), so the optional extra
``socialpulse[transformer]`` is only ``tokenizers`` + ``safetensors``, not the GB of GPU
libraries PyTorch's Linux wheels bring.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from socialpulse.domain.errors import InvalidInput

from .base import LABELS, XLMR_LANGUAGES, Array, softmax

#: environment variable naming a local transformer checkpoint folder (the --model-path default)
TRANSFORMER_ENV = "SOCIALPULSE_TRANSFORMER_MODEL"


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
        # read by SequenceClassifier already, so it is valid JSON with a supported model type
        self.model_type = str(json.loads((p / "config.json").read_text("utf-8"))["model_type"])
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

    def supports(self, lang: str, text: str) -> bool:
        """XLM-T and the XLM-R family read XLM-R's languages; an English RoBERTa only English."""
        if self.model_type == "roberta":
            return lang == "en"
        return not lang or lang == "und" or lang in XLMR_LANGUAGES

    def predict_proba(self, texts: Sequence[str], langs: Sequence[str]) -> Array:
        from .features import normalise

        out = []
        for i in range(0, len(texts), self.batch_size):
            chunk = [normalise(t) for t in texts[i : i + self.batch_size]]
            logits = self.model.logits(chunk)
            out.append(softmax(logits[:, self.order].astype(np.float32)))
        return np.vstack(out) if out else np.zeros((0, 3), dtype=np.float32)

    def adapted(self, texts: Sequence[str], langs: Sequence[str], labels: list[str]
                ) -> TransformerSentiment:
        """A user's own checkpoint is used as it is: corrections adapt fast and accurate only
        (a few-shot update of a 278M-parameter model is not a step to take implicitly)."""
        return self
