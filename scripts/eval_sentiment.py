"""Evaluate the sentiment modes: macro-F1 per language on the UMSAB validation split, and what
each mode does with Persian (no Persian training data exists in UMSAB).

    .venv/bin/python scripts/eval_sentiment.py [--modes default,accurate]
        [--model-path DIR]  # a local XLM-T checkpoint for --modes transformer
        [--embeddings-cache DIR] [--json FILE]

The validation split was not used to train or to choose settings (scripts/train_sentiment.py
fits on train and picks settings by cross-validation on train), so these are held-out figures.
Persian: twelve short sentences written for this check (4 positive, 4 negative, 4 neutral);
too few for a score, enough to see whether a mode transfers at all.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from train_sentiment import load  # noqa: E402

from socialpulse.adapters.nlp.language import LanguageDetector  # noqa: E402
from socialpulse.adapters.nlp.sentiment import LABELS, classifier  # noqa: E402

PERSIAN = [
    ("این محصول عالی است، خیلی راضی هستم", "positive"),
    ("کاپشن جدیدم را خیلی دوست دارم", "positive"),
    ("پشتیبانی خیلی خوب و سریع بود، ممنون", "positive"),
    ("بهترین خرید امسال بود 😍", "positive"),
    ("خیلی بد بود، اصلا راضی نیستم", "negative"),
    ("کیفیت افتضاح است، بعد از دو هفته خراب شد 😡", "negative"),
    ("پولم را پس می‌خواهم، خدمات مشتری افتضاح است", "negative"),
    ("از این برند متنفرم", "negative"),
    ("فروشگاه جدید ماه آینده باز می‌شود", "neutral"),
    ("این کاپشن در سایز بزرگ هم هست؟", "neutral"),
    ("امروز به کوه رفتیم", "neutral"),
    ("قیمت این کوله پشتی چقدر است؟", "neutral"),
]


def proba(mode: str, texts: list[str], langs: list[str], model_path: str | None,
          cache: Path | None, split: str) -> np.ndarray:
    clf = classifier(mode, model_path)
    if mode == "accurate" and cache is not None:
        f = cache / f"umsab_{split}.npy"
        if f.exists():
            x = np.load(f)
        else:
            x = clf.embed(texts)  # type: ignore[attr-defined]
            cache.mkdir(parents=True, exist_ok=True)
            np.save(f, x)
        return clf.head(x, langs)  # type: ignore[attr-defined, no-any-return]
    return clf.predict_proba(texts, langs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--modes", default="default,accurate")
    ap.add_argument("--model-path", default=None)
    ap.add_argument("--embeddings-cache", type=Path, default=None)
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = ap.parse_args()
    texts, langs, y = load("val")
    la = np.array(langs)
    results: dict[str, object] = {}
    det = LanguageDetector(sorted(set(langs)))
    t0 = time.perf_counter()
    guessed = det.detect_many(texts)
    results["language_accuracy"] = float(np.mean([g == t for g, t in zip(guessed, langs,
                                                                        strict=True)]))
    print(f"language (py3langid restricted to the 8 UMSAB languages): "
          f"{results['language_accuracy']:.1%} of {len(texts)} validation tweets "
          f"({len(texts) / (time.perf_counter() - t0):,.0f} texts/s)")
    for mode in [m.strip() for m in args.modes.split(",") if m.strip()]:
        t0 = time.perf_counter()
        p = proba(mode, texts, langs, args.model_path, args.embeddings_cache, "val")
        secs = time.perf_counter() - t0
        pred = p.argmax(axis=1)
        per = {c: 100 * f1_score(y[la == c], pred[la == c], average="macro")
               for c in sorted(set(langs))}
        mean8 = float(np.mean(list(per.values())))
        mean7 = float(np.mean([v for c, v in per.items() if c != "hi"]))
        pt = [t for t, _ in PERSIAN]
        pp = classifier(mode, args.model_path).predict_proba(pt, ["fa"] * len(pt))
        plabels = [LABELS[i] for i in pp.argmax(axis=1)]
        gold = [g for _, g in PERSIAN]
        cm = confusion_matrix(gold, plabels, labels=list(LABELS)).tolist()
        results[mode] = {"macro_f1": per, "mean_8": mean8, "mean_7_without_hi": mean7,
                         "texts_per_s": len(texts) / secs,
                         "persian": {"correct": sum(a == b for a, b in zip(gold, plabels,
                                                                           strict=True)),
                                     "of": len(gold), "predicted": plabels,
                                     "confusion_rows_gold_neg_neu_pos": cm}}
        print(f"{mode}: macro-F1 " + ", ".join(f"{c} {v:.1f}" for c, v in per.items())
              + f"; mean {mean8:.1f} (8 languages), {mean7:.1f} (7, without Hindi)")
        print(f"  persian: {results[mode]['persian']['correct']}/{len(gold)} right; "  # type: ignore[index]
              f"predicted {dict(Counter(plabels))}; "
              f"confusion (rows gold neg/neu/pos) {cm}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=float) + "\n")


if __name__ == "__main__":
    main()
