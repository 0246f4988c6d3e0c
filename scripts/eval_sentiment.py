"""Evaluate the sentiment modes: macro-F1 per language on the UMSAB validation split, accuracy
on the hand-written obvious posts, Persian, and throughput.

    .venv/bin/python scripts/eval_sentiment.py [--modes fast,accurate]
        [--model-path DIR]  # a local XLM-T checkpoint for --modes transformer
        [--embeddings-cache DIR] [--json FILE] [--markdown]

The validation split was not used to train or to choose settings (scripts/train_sentiment.py
fits on train and picks settings by cross-validation on train), so these are held-out figures.
Obvious posts: ``tests/data/sentiment_obvious.jsonl`` (written for this check, never trained
on), labelled with their written language. Persian: twelve more short sentences (4 per class).
Throughput: texts per second of ``predict_proba`` on the validation tweets in this process
(the accurate figure is from the embeddings when they are not cached, else left out).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from train_sentiment import load  # noqa: E402

from socialpulse.adapters.nlp.pipeline import Enricher  # noqa: E402
from socialpulse.adapters.nlp.sentiment import UNKNOWN, classifier  # noqa: E402

OBVIOUS = ROOT / "tests" / "data" / "sentiment_obvious.jsonl"
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
LANGS = ("ar", "de", "en", "es", "fr", "hi", "it", "pt")


def validation(mode: str, texts: list[str], langs: list[str], y: np.ndarray,
               model_path: str | None, cache: Path | None) -> dict[str, object]:
    clf = classifier(mode, model_path)
    t0 = time.perf_counter()
    cached = mode == "accurate" and cache is not None and (cache / "umsab_val.npy").exists()
    if cached:
        x = np.load(cache / "umsab_val.npy")
        proba = clf.combine(clf.head(x, langs), texts, langs)  # type: ignore[attr-defined]
    else:
        proba = clf.predict_proba(texts, langs)
    secs = time.perf_counter() - t0
    pred = proba.argmax(axis=1)
    la = np.array(langs)
    per = {c: 100 * float(f1_score(y[la == c], pred[la == c], average="macro"))
           for c in sorted(set(langs))}
    return {"macro_f1": per, "mean_7_without_hi": float(np.mean([v for c, v in per.items()
                                                                 if c != "hi"])),
            "mean_8": float(np.mean(list(per.values()))),
            "texts_per_s": None if cached else len(texts) / secs}


def obvious(mode: str, model_path: str | None) -> dict[str, object]:
    """Share right on the obvious posts, overall, per language and per kind; a language the
    mode does not read counts as wrong (it says "not available", which is not the label)."""
    rows = [json.loads(line) for line in OBVIOUS.read_text(encoding="utf-8").splitlines()]
    codes = sorted({r["lang"] for r in rows} - {"und"})
    enricher = Enricher(codes, mode, model_path)
    got = enricher.sentiment([r["text"] for r in rows], [r["lang"] for r in rows])
    right = [g.sentiment == r["sentiment"] for g, r in zip(got, rows, strict=True)]
    groups: dict[str, list[bool]] = defaultdict(list)
    for ok, r in zip(right, rows, strict=True):
        groups[r["lang"]].append(ok)
        groups[f"kind:{r['kind']}"].append(ok)
    return {"right": 100 * float(np.mean(right)), "n": len(rows),
            "unknown": sum(g.sentiment == UNKNOWN for g in got),
            "wrong": [(r["lang"], r["sentiment"], g.sentiment, r["text"])
                      for ok, g, r in zip(right, got, rows, strict=True) if not ok],
            "groups": {k: 100 * float(np.mean(v)) for k, v in sorted(groups.items())}}


def persian(mode: str, model_path: str | None) -> dict[str, object]:
    got = Enricher(["fa"], mode, model_path).sentiment([t for t, _ in PERSIAN],
                                                       ["fa"] * len(PERSIAN))
    return {"right": sum(g.sentiment == gold for g, (_, gold) in zip(got, PERSIAN, strict=True)),
            "of": len(PERSIAN), "note": got[0].note}


def markdown(results: dict[str, dict[str, object]]) -> str:
    lines = ["| mode | " + " | ".join(LANGS) + " | mean of 7 (no hi) | obvious posts | "
             "Persian | texts/s |", "|---" * (len(LANGS) + 5) + "|"]
    for mode, r in results.items():
        per = r["validation"]["macro_f1"]  # type: ignore[index]
        fa = r["persian"]
        fa_cell = (f"{fa['right']}/{fa['of']}" if not fa["note"]  # type: ignore[index]
                   else "not available")
        tps = r["validation"]["texts_per_s"]  # type: ignore[index]
        lines.append(f"| {mode} | " + " | ".join(f"{per[c]:.1f}" for c in LANGS)
                     + f" | {r['validation']['mean_7_without_hi']:.1f}"  # type: ignore[index]
                     + f" | {r['obvious']['right']:.1f}%"  # type: ignore[index]
                     + f" | {fa_cell} | {'' if tps is None else f'{tps:,.0f}'} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--modes", default="fast,accurate")
    ap.add_argument("--model-path", default=None)
    ap.add_argument("--embeddings-cache", type=Path, default=None)
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    ap.add_argument("--markdown", action="store_true", help="print the docs' table too")
    ap.add_argument("--show-wrong", action="store_true", help="list the obvious posts missed")
    args = ap.parse_args()
    texts, langs, y = load("val")
    results: dict[str, dict[str, object]] = {}
    for mode in [m.strip() for m in args.modes.split(",") if m.strip()]:
        r = {"validation": validation(mode, texts, langs, y, args.model_path,
                                      args.embeddings_cache),
             "obvious": obvious(mode, args.model_path),
             "persian": persian(mode, args.model_path)}
        results[mode] = r
        v, o, fa = r["validation"], r["obvious"], r["persian"]
        print(f"{mode}: macro-F1 " + ", ".join(f"{c} {s:.1f}" for c, s in v["macro_f1"].items())
              + f"; mean of 7 (no hi) {v['mean_7_without_hi']:.1f}")
        print(f"  obvious posts: {o['right']:.1f}% right of {o['n']} "
              f"({o['unknown']} not available); " + ", ".join(
                  f"{k} {s:.0f}" for k, s in o["groups"].items()))
        print(f"  persian: {fa['right']}/{fa['of']} {fa['note']}".rstrip())
        if args.show_wrong:
            for w in o["wrong"]:
                print("   ", *w)
    if args.markdown:
        print(markdown(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
