"""Hashed character and word n-gram features computed a whole batch at a time with numpy.

Why numpy and not scikit-learn's HashingVectorizer: the default sentiment mode must label at
least 5,000 mentions a second on one core, and a per-n-gram Python loop cannot (a tweet has ~400
character n-grams). Here a batch of texts becomes one array of code points; the n-gram hashes of
every text are computed with a few vectorised multiply/xor passes, words are found from a
character class mask, and per-document TF-IDF weights are L2-normalised with ``bincount``.
The training script (``scripts/train_sentiment.py``) builds its sparse matrix from exactly these
triples, so training and serving can never disagree about a feature.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .cues import cue_features

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_USER = re.compile(r"@\w[\w.]*")
_REPEAT = re.compile(r"(.)\1{2,}")
_SPACE = re.compile(r"\s+")
_MIX = np.uint64(0x9E3779B97F4A7C15)
_PRIME = np.uint64(1_000_003)
_SEP = 0  # the code point that separates documents in the joined batch

# code points that end a word (ASCII punctuation, spaces, separators); everything else is a word
# character, so Arabic, Devanagari, emoji, accented letters all form words without a Unicode table.
_BREAK = np.zeros(0x3000, dtype=bool)
_BREAK_CHARS = (" \t\n\r\x00!\"#$%&'()*+,-./:;<=>?[\\]^`{|}~"
                "\u00a1\u00bf\u2018\u2019\u201c\u201d\u2026\u060c\u061f")
for _c in _BREAK_CHARS:
    _BREAK[ord(_c)] = True
# keep '@' and '#' and '_' as word characters: "@user", "#hashtag" and snake_case stay whole
for _c in "@#_":
    _BREAK[ord(_c)] = False


def normalise(text: str) -> str:
    """The form the sentiment features see: lower case, URLs and handles masked, runs cut to 3."""
    t = _URL.sub(" http ", text.lower())
    t = _USER.sub("@user", t)
    t = _REPEAT.sub(r"\1\1\1", t)
    return _SPACE.sub(" ", t).strip()


@dataclass(frozen=True)
class FeatureConfig:
    """What the hashed features are; saved beside a trained model so serving matches training."""

    dim_bits: int = 20
    char_min: int = 2
    char_max: int = 5
    word_ngrams: int = 2
    per_language: bool = True
    #: shared cue features (``cues.py``): lexicon words, negation scope, emoji
    cues: bool = False

    @property
    def dim(self) -> int:
        return 1 << self.dim_bits


def _mix(h: npt.NDArray[np.uint64], salt: int) -> npt.NDArray[np.uint64]:
    with np.errstate(over="ignore"):
        h = (h ^ np.uint64(salt)) * _MIX
        h ^= h >> np.uint64(29)
        return h * _MIX


def _codepoints(texts: Sequence[str]) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """One array of code points ('\\0' between documents) and the document of each position.

    Normalisation runs once on the joined batch (a handful of regex passes in C instead of
    several per text): the separators keep every rule inside its own document.
    """
    joined = "\x00 " + " \x00 ".join(t.replace("\x00", " ") for t in texts) + " \x00"
    joined = normalise(joined)
    cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    doc = np.cumsum(cp == _SEP) - 1
    return cp, doc.astype(np.int64)


def _char_ngrams(
    cp: npt.NDArray[np.uint64], doc: npt.NDArray[np.int64], cfg: FeatureConfig
) -> tuple[list[npt.NDArray[np.int64]], list[npt.NDArray[np.uint64]]]:
    docs: list[npt.NDArray[np.int64]] = []
    hashes: list[npt.NDArray[np.uint64]] = []
    n_total = len(cp)
    is_sep = (cp == _SEP).astype(np.int64)
    sep_cum = np.concatenate([[0], np.cumsum(is_sep)])
    h = np.zeros(n_total, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for n in range(1, cfg.char_max + 1):
            length = n_total - n + 1
            if length <= 0:
                break
            h = h[:length] * _PRIME + cp[n - 1 : n - 1 + length]
            if n < cfg.char_min:
                continue
            valid = (sep_cum[n : n + length] - sep_cum[:length]) == 0
            docs.append(doc[:length][valid])
            hashes.append(_mix(h[valid], 1000 + n))
    return docs, hashes


def _words(
    cp: npt.NDArray[np.uint64], doc: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """The (unmixed) hash and the document of every word, in text order."""
    small = cp < len(_BREAK)
    brk = np.zeros(len(cp), dtype=bool)
    brk[small] = _BREAK[cp[small].astype(np.int64)]
    idx = np.flatnonzero(~brk)
    if not len(idx):
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    # a word starts where a word character follows a break (or the array start)
    starts_mask = np.ones(len(idx), dtype=bool)
    starts_mask[1:] = idx[1:] != idx[:-1] + 1
    word_of = np.cumsum(starts_mask) - 1
    starts = np.flatnonzero(starts_mask)
    pos = np.arange(len(idx)) - starts[word_of]
    max_len = int(pos.max()) + 1
    with np.errstate(over="ignore"):
        powers = np.cumprod(np.full(max_len, _PRIME, dtype=np.uint64))
        contrib = cp[idx] * powers[pos]
    wh = np.add.reduceat(contrib, starts)  # uint64 sums wrap, which is what a hash wants
    return wh, doc[idx[starts]]


def text_word_hashes(text: str) -> list[np.uint64]:
    """The word hashes of one text as a post's words are hashed (normalised first)."""
    wh, _ = _words(*_codepoints([text]))
    return list(wh)


def _word_ngrams(
    wh: npt.NDArray[np.uint64], wdoc: npt.NDArray[np.int64], cfg: FeatureConfig
) -> tuple[list[npt.NDArray[np.int64]], list[npt.NDArray[np.uint64]]]:
    if not len(wh):
        return [], []
    docs = [wdoc]
    hashes = [_mix(wh, 7)]
    prev_h, prev_d = wh, wdoc
    with np.errstate(over="ignore"):
        for n in range(2, cfg.word_ngrams + 1):
            if len(prev_h) < 2:
                break
            same = wdoc[n - 1 :] == prev_d[:-1]
            nh = prev_h[:-1] * _PRIME + wh[n - 1 :]
            docs.append(wdoc[n - 1 :][same])
            hashes.append(_mix(nh[same], 7 + n))
            prev_h, prev_d = nh, wdoc[n - 1 :]
    return docs, hashes


def hashed_features(
    texts: Sequence[str],
    cfg: FeatureConfig,
    langs: Sequence[str] | None = None,
    idf: npt.NDArray[np.float32] | None = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """(document, feature, value) triples of the normalised texts, L2-normalised per document.

    With ``per_language`` each n-gram is also hashed a second time salted with the text's
    language, so the linear model can learn what a word means in one language only
    (the "frustratingly easy" feature augmentation of domain adaptation).
    """
    cp, doc = _codepoints(texts)
    wh, wdoc = _words(cp, doc)
    d1, h1 = _char_ngrams(cp, doc, cfg)
    d2, h2 = _word_ngrams(wh, wdoc, cfg)
    docs = np.concatenate(d1 + d2) if d1 or d2 else np.zeros(0, np.int64)
    hashes = np.concatenate(h1 + h2) if h1 or h2 else np.zeros(0, np.uint64)
    mask = np.uint64(cfg.dim - 1)
    if cfg.per_language and langs is not None:
        salts = np.array([_lang_salt(lang) for lang in langs], dtype=np.uint64)
        with np.errstate(over="ignore"):
            lh = _mix(hashes ^ salts[docs], 99)
        docs = np.concatenate([docs, docs])
        hashes = np.concatenate([hashes, lh])
    f = (hashes & mask).astype(np.int64)
    # each occurrence weighs idf (or 1); a document's vector is scaled to unit length over its
    # occurrences. Repeated n-grams simply add up (no sort to count them: that sort was the
    # slowest step), which the trained model sees identically.
    v = idf[f] if idf is not None else np.ones(len(f), dtype=np.float32)
    norms = np.sqrt(np.bincount(docs, weights=v * v, minlength=len(texts)))
    norms[norms == 0] = 1.0
    v = (v / norms[docs]).astype(np.float32)
    if cfg.cues:  # after the normalisation: a cue weighs the same in a short and a long post
        cd, cf, cv = cue_features(cp, doc, wh, wdoc, len(texts), cfg.dim)
        docs, f, v = np.concatenate([docs, cd]), np.concatenate([f, cf]), np.concatenate([v, cv])
    return docs, f, v


def _lang_salt(lang: str) -> int:
    out = 0
    for ch in (lang or "xx")[:8]:
        out = out * 131 + ord(ch)
    return out + 1
