"""A RoBERTa / XLM-RoBERTa sequence classifier run with numpy: the transformer mode's engine.

Why not PyTorch: a checkpoint such as XLM-T needs one forward pass per batch, and numpy does it
in about a hundred lines. PyTorch's wheels for Linux on the public package index pull several GB
of GPU libraries, so a fresh ``pip install 'socialpulse[transformer]'`` or ``make test`` would
download them for a feature that runs on the CPU. With this module the transformer mode needs
only ``tokenizers`` and ``safetensors`` (a few MB each). The forward pass is the one Hugging
Face's ``RobertaForSequenceClassification`` computes (post-layer-norm encoder, exact GELU,
classification head on the first token); tests/listening/test_nlp.py compares the two on a
random checkpoint wherever PyTorch happens to be installed.

A checkpoint folder holds ``config.json``, ``model.safetensors`` and ``tokenizer.json`` (what
``save_pretrained`` writes for a fast tokenizer). Nothing is executed from the folder: the
weights are plain arrays and the tokenizer a JSON description.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from socialpulse.domain.errors import InvalidInput, MissingData

Array = npt.NDArray[np.float32]

#: model types whose layout this module computes (BERT-style models differ in their head)
MODEL_TYPES = ("xlm-roberta", "roberta")


def _erf(x: Array) -> Array:
    """Error function (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7): numpy has none."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741
                                                        + t * (-1.453152027 + t * 1.061405429))))
    out: Array = (sign * (1.0 - poly * np.exp(-a * a))).astype(np.float32)
    return out


def gelu(x: Array) -> Array:
    """The exact GELU of BERT-family models, x * Phi(x)."""
    return (0.5 * x * (1.0 + _erf(x / np.float32(np.sqrt(2.0))))).astype(np.float32)


def layer_norm(x: Array, weight: Array, bias: Array, eps: float) -> Array:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    out: Array = ((x - mean) / np.sqrt(var + eps) * weight + bias).astype(np.float32)
    return out


def softmax(z: Array, axis: int = -1) -> Array:
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    out: Array = (e / e.sum(axis=axis, keepdims=True)).astype(np.float32)
    return out


@dataclass(frozen=True)
class EncoderConfig:
    """The few settings of ``config.json`` the forward pass needs."""

    layers: int
    heads: int
    pad_token_id: int
    eps: float
    id2label: dict[int, str]

    @classmethod
    def read(cls, path: Path) -> EncoderConfig:
        try:
            raw: dict[str, Any] = json.loads((path / "config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InvalidInput(f"--model-path {path}: config.json cannot be read ({exc})") from None
        kind = str(raw.get("model_type", ""))
        if kind not in MODEL_TYPES:
            raise InvalidInput(
                f"--model-path {path}: model type {kind or 'unknown'!r} is not supported; "
                f"use a {' or '.join(MODEL_TYPES)} sequence-classification checkpoint (e.g. XLM-T)"
            )
        if raw.get("hidden_act", "gelu") != "gelu":
            raise InvalidInput(f"--model-path {path}: activation {raw.get('hidden_act')!r} "
                               "is not supported (gelu only)")
        try:
            return cls(
                layers=int(raw["num_hidden_layers"]),
                heads=int(raw["num_attention_heads"]),
                pad_token_id=int(raw.get("pad_token_id", 1)),
                eps=float(raw.get("layer_norm_eps", 1e-5)),
                id2label={int(k): str(v) for k, v in dict(raw.get("id2label", {})).items()},
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput(f"--model-path {path}: config.json lacks {exc}") from None


class SequenceClassifier:
    """Tokenizer + weights of one checkpoint folder; ``logits(texts)`` is the forward pass."""

    def __init__(self, path: Path, max_length: int = 128) -> None:
        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer
        except ImportError:
            raise MissingData(
                "--mode transformer needs the optional extra: "
                "pip install 'socialpulse[transformer]'"
            ) from None
        self.config = EncoderConfig.read(path)
        weights_file = path / "model.safetensors"
        if not weights_file.is_file():
            found = ", ".join(sorted(p.name for p in path.iterdir())) or "nothing"
            raise InvalidInput(
                f"--model-path {path}: no model.safetensors (found: {found}); save the checkpoint "
                "with safe serialisation (transformers' save_pretrained does by default)"
            )
        try:
            raw = load_file(str(weights_file))
        except Exception as exc:  # safetensors raises its own error types for broken files
            raise InvalidInput(f"--model-path {path}: model.safetensors cannot be read "
                               f"({type(exc).__name__})") from None
        self.w = {self._short(k): v.astype(np.float32) for k, v in raw.items()}
        try:
            self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        except Exception as exc:  # tokenizers raises a bare Exception for missing/broken files
            raise InvalidInput(f"--model-path {path}: tokenizer.json cannot be read "
                               f"({str(exc).splitlines()[0][:80] if str(exc) else 'missing'})"
                               ) from None
        self.tokenizer.enable_truncation(max_length=max_length)
        self.tokenizer.enable_padding(pad_id=self.config.pad_token_id)
        missing = [k for k in self._needed() if k not in self.w]
        if missing:
            raise InvalidInput(f"--model-path {path}: the weights lack {missing[0]} "
                               f"({len(missing)} tensors missing); is it a sequence classifier?")

    @staticmethod
    def _short(name: str) -> str:
        for prefix in ("roberta.", "xlm_roberta."):
            if name.startswith(prefix):
                return name[len(prefix):]
        return name

    def _needed(self) -> list[str]:
        names = ["embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
                 "embeddings.LayerNorm.weight", "classifier.dense.weight",
                 "classifier.out_proj.weight"]
        for i in range(self.config.layers):
            p = f"encoder.layer.{i}."
            names += [p + s + ".weight" for s in (
                "attention.self.query", "attention.self.key", "attention.self.value",
                "attention.output.dense", "attention.output.LayerNorm", "intermediate.dense",
                "output.dense", "output.LayerNorm")]
        return names

    def _linear(self, x: Array, name: str) -> Array:
        out: Array = x @ self.w[name + ".weight"].T + self.w[name + ".bias"]
        return out

    def _norm(self, x: Array, name: str) -> Array:
        return layer_norm(x, self.w[name + ".weight"], self.w[name + ".bias"], self.config.eps)

    def logits(self, texts: list[str]) -> Array:
        """Class scores per text, in the checkpoint's label order."""
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        pad = self.config.pad_token_id
        # RoBERTa counts positions from pad_token_id + 1 and gives padding the pad position
        positions = (np.cumsum(mask, axis=1) * mask).astype(np.int64) + pad
        x = self.w["embeddings.word_embeddings.weight"][ids] \
            + self.w["embeddings.position_embeddings.weight"][positions]
        token_types = self.w.get("embeddings.token_type_embeddings.weight")
        if token_types is not None:
            x = x + token_types[0]
        x = self._norm(x.astype(np.float32), "embeddings.LayerNorm")
        batch, length, hidden = x.shape
        heads = self.config.heads
        size = hidden // heads
        bias = ((1.0 - mask) * np.float32(np.finfo(np.float32).min))[:, None, None, :]
        for i in range(self.config.layers):
            p = f"encoder.layer.{i}."

            def split(t: Array) -> Array:
                return t.reshape(batch, length, heads, size).transpose(0, 2, 1, 3)

            q = split(self._linear(x, p + "attention.self.query"))
            k = split(self._linear(x, p + "attention.self.key"))
            v = split(self._linear(x, p + "attention.self.value"))
            scores = (q @ k.transpose(0, 1, 3, 2)) / np.float32(np.sqrt(size)) + bias
            context = (softmax(scores) @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
            x = self._norm(self._linear(context, p + "attention.output.dense") + x,
                           p + "attention.output.LayerNorm")
            inner = gelu(self._linear(x, p + "intermediate.dense"))
            x = self._norm(self._linear(inner, p + "output.dense") + x, p + "output.LayerNorm")
        head = np.tanh(self._linear(x[:, 0, :], "classifier.dense")).astype(np.float32)
        return self._linear(head, "classifier.out_proj")
