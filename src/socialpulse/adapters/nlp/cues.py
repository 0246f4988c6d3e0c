"""The fast model's shared cue features: lexicon words, negation scope and emoji, in numpy.

Six features shared by every language (no per-language copy, so what the model learns about
them in one language carries to the others): a positive cue, a negative cue, each of them in a
negator's scope, a positive emoji, a negative emoji. A cue counts ``min(count, 3) / 2``, added
after the n-grams' normalisation so one clear word weighs the same in a short and a long post.
A word is in a negator's scope when one of the three words before it in the same post is a
negator ("not bad", "nicht zufrieden", "pas du tout satisfait").
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt

from . import lexicon

SCOPE = 3
CUE_SCALE = 0.5
_PRIME = np.uint64(1_000_003)
_NAMES = ("pos", "neg", "pos_negated", "neg_negated", "emoji_pos", "emoji_neg")


@lru_cache(maxsize=1)
def _tables() -> dict[str, npt.NDArray[np.uint64]]:
    """Sorted word (and bigram) hashes of each cue list, hashed exactly as posts' words are."""
    from .features import text_word_hashes  # features imports this module: import at use

    out: dict[str, npt.NDArray[np.uint64]] = {}
    for name in ("positive", "negative", "negator"):
        hashes = [h for w in lexicon.words(name) for h in text_word_hashes(w)[:1]]
        if name != "negator":
            with np.errstate(over="ignore"):
                for a, b in lexicon.phrases(name):
                    ha, hb = text_word_hashes(a)[0], text_word_hashes(b)[0]
                    hashes.append(ha * _PRIME + hb)
        out[name] = np.unique(np.array(hashes, dtype=np.uint64))
    out["emoji_pos"] = np.array(sorted({ord(c) for c in lexicon.POSITIVE_EMOJI}), np.uint64)
    out["emoji_neg"] = np.array(sorted({ord(c) for c in lexicon.NEGATIVE_EMOJI}), np.uint64)
    return out


def negated(wh: npt.NDArray[np.uint64], wdoc: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Which words are in a negator's scope (one of the ``SCOPE`` words before, same post)."""
    is_negator = np.isin(wh, _tables()["negator"])
    out = np.zeros(len(wh), dtype=bool)
    for k in range(1, SCOPE + 1):
        if len(wh) > k:
            out[k:] |= is_negator[:-k] & (wdoc[k:] == wdoc[:-k])
    return out & ~is_negator


def cue_features(
    cp: npt.NDArray[np.uint64], doc: npt.NDArray[np.int64], wh: npt.NDArray[np.uint64],
    wdoc: npt.NDArray[np.int64], n_docs: int, dim: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """(document, feature, value) triples of the six cue features, for documents with any."""
    t = _tables()
    neg_scope = negated(wh, wdoc)
    with np.errstate(over="ignore"):
        bigram = wh[:-1] * _PRIME + wh[1:] if len(wh) > 1 else np.zeros(0, np.uint64)
    same = wdoc[1:] == wdoc[:-1] if len(wh) > 1 else np.zeros(0, bool)
    counts = np.zeros((n_docs, len(_NAMES)), dtype=np.float32)
    for col, table in ((0, t["positive"]), (1, t["negative"])):
        hit = np.isin(wh, table)
        np.add.at(counts[:, col], wdoc[hit & ~neg_scope], 1)
        np.add.at(counts[:, col + 2], wdoc[hit & neg_scope], 1)
        bhit = np.isin(bigram, table) & same
        np.add.at(counts[:, col], wdoc[1:][bhit], 1)
    for col, name in ((4, "emoji_pos"), (5, "emoji_neg")):
        np.add.at(counts[:, col], doc[np.isin(cp, t[name])], 1)
    d, c = np.nonzero(counts)
    ids = np.array([feature_id(name, dim) for name in _NAMES], dtype=np.int64)
    values = (np.minimum(counts[d, c], 3.0) * CUE_SCALE).astype(np.float32)
    return d.astype(np.int64), ids[c], values


def feature_id(name: str, dim: int) -> int:
    """The hashed column of a cue feature (a fixed id: the same in training and serving)."""
    h = 0
    for ch in f"cue:{name}":
        h = (h * 131 + ord(ch)) % (1 << 61)
    return h % dim
