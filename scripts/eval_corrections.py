"""Per-workspace adaptation measured on held-back corrections.

    .venv/bin/python scripts/eval_corrections.py [--modes accurate,fast]
        [--embeddings-cache DIR] [--reviewed 25,50,100] [--strength 0.01] [--json FILE]

A simulated workspace per UMSAB language (validation tweets, never trained on): its people
review ``reviewed`` mentions and correct the ones the model got wrong (only those are stored,
as in the product: a right label is left alone). The model is adapted on those corrections
(``Enricher(..., corrections=...)``, the code path ingest uses) and scored on 160 other tweets
of the same language that nobody reviewed: macro-F1 before and after, averaged over 3 seeds.
With ``--embeddings-cache`` the accurate mode reads the validation embeddings from the cache
(the same head and update, without embedding the tweets again).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from train_sentiment import load  # noqa: E402

from socialpulse.adapters.nlp import adapt  # noqa: E402
from socialpulse.adapters.nlp.accurate import E5Sentiment  # noqa: E402
from socialpulse.adapters.nlp.base import LABELS  # noqa: E402
from socialpulse.adapters.nlp.fast import FastSentiment  # noqa: E402

HELD_BACK = 160
SEEDS = (0, 1, 2)


class CachedE5(E5Sentiment):
    """The accurate mode with embeddings looked up by text (validation tweets only)."""

    def __init__(self, texts: list[str], x: np.ndarray) -> None:
        super().__init__()
        self.rows = {t: i for i, t in enumerate(texts)}
        self.x = x

    def embed(self, texts):  # type: ignore[no-untyped-def, override]
        return self.x[[self.rows[t] for t in texts]]


def one(model: object, texts: list[str], langs: list[str], y: np.ndarray, idx: np.ndarray,
        reviewed: int) -> tuple[float, float, int]:
    review, test = idx[:reviewed], idx[-HELD_BACK:]
    rt, rl = [texts[i] for i in review], [langs[i] for i in review]
    said = model.predict_proba(rt, rl).argmax(axis=1)  # type: ignore[attr-defined]
    wrong = [k for k, i in enumerate(review) if said[k] != y[i]]
    tt, tl = [texts[i] for i in test], [langs[i] for i in test]
    before = model.predict_proba(tt, tl).argmax(axis=1)  # type: ignore[attr-defined]
    adapted = model.adapted([rt[k] for k in wrong], [rl[k] for k in wrong],  # type: ignore
                            [LABELS[y[review[k]]] for k in wrong])
    after = adapted.predict_proba(tt, tl).argmax(axis=1)
    f = lambda p: 100 * float(f1_score(y[test], p, average="macro"))  # noqa: E731
    return f(before), f(after), len(wrong)


def demo_domain(mode: str) -> dict[str, float]:
    """A workspace whose domain the model was not trained on: the demo's mention templates
    (product praise, complaints, questions in en/es/de/fr), filled with its brands and
    products, labelled by the template's sentiment. Templates are split in two (seeded): people
    review the first half's mentions and correct the wrong ones; the other half's templates,
    never corrected, are scored: share right before and after."""
    from socialpulse.services.demo_mentions import PRODUCTS, TEMPLATES

    model = E5Sentiment() if mode == "accurate" else FastSentiment()
    items = [(lang, "negative" if cat == "crisis" else cat, tpl)
             for lang, cats in TEMPLATES.items() if lang != "fa"
             for cat, tpls in cats.items() for tpl in tpls]
    out = {"before": [], "after": [], "corrections": []}  # type: ignore[var-annotated]
    for seed in SEEDS:
        order = np.random.default_rng(seed).permutation(len(items))
        halves = (order[: len(order) // 2], order[len(order) // 2 :])
        filled = [[(lang, gold, tpl.format(brand=b, product=p, place="the Alps"))
                   for i in half for lang, gold, tpl in [items[i]]
                   for b in ("Acme Outdoor", "@summitgear") for p in PRODUCTS[lang][:2]]
                  for half in halves]
        (rev, test) = filled
        said = model.predict_proba([t for _, _, t in rev], [la for la, _, _ in rev])
        wrong = [r for r, k in zip(rev, said.argmax(axis=1), strict=True) if LABELS[k] != r[1]]
        adapted = model.adapted([t for _, _, t in wrong], [la for la, _, _ in wrong],
                                [g for _, g, _ in wrong])
        for name, m in (("before", model), ("after", adapted)):
            p = m.predict_proba([t for _, _, t in test], [la for la, _, _ in test])
            out[name].append(100 * float(np.mean([LABELS[k] == g for k, (_, g, _) in
                                                   zip(p.argmax(axis=1), test, strict=True)])))
        out["corrections"].append(len(wrong))
    return {k: float(np.mean(v)) for k, v in out.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--modes", default="accurate,fast")
    ap.add_argument("--embeddings-cache", type=Path, default=None)
    ap.add_argument("--reviewed", default="25,50,100")
    ap.add_argument("--strength", type=float, default=adapt.STRENGTH)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    adapt.STRENGTH = args.strength
    texts, langs, y = load("val")
    results: dict[str, dict[str, object]] = {}
    for mode in args.modes.split(","):
        if mode == "accurate" and args.embeddings_cache is not None:
            model: object = CachedE5(texts, np.load(args.embeddings_cache / "umsab_val.npy"))
        else:
            model = E5Sentiment() if mode == "accurate" else FastSentiment()
        for reviewed in [int(r) for r in args.reviewed.split(",")]:
            rows = []
            for lang in sorted(set(langs)):
                members = np.array([i for i, la in enumerate(langs) if la == lang])
                for seed in SEEDS:
                    idx = np.random.default_rng(seed).permutation(members)
                    rows.append((lang, *one(model, texts, langs, y, idx, reviewed)))
            per = {lang: (float(np.mean([r[1] for r in rows if r[0] == lang])),
                          float(np.mean([r[2] for r in rows if r[0] == lang])))
                   for lang in sorted(set(langs))}
            no_hi = [v for k, v in per.items() if k != "hi"]
            b, a = np.mean([v[0] for v in no_hi]), np.mean([v[1] for v in no_hi])
            n = np.mean([r[3] for r in rows])
            results[f"{mode}_{reviewed}"] = {"before": b, "after": a, "corrections": n,
                                             "per_language": per}
            print(f"{mode}, {reviewed} reviewed ({n:.0f} corrected on average): macro-F1 on "
                  f"{HELD_BACK} held-back tweets, mean of 7 (no hi) {b:.1f} -> {a:.1f}; "
                  + ", ".join(f"{k} {v[0]:.1f}->{v[1]:.1f}" for k, v in per.items()),
                  flush=True)
    for mode in args.modes.split(","):
        r = demo_domain(mode)
        results[f"{mode}_demo_domain"] = r
        print(f"{mode}, the demo's domain ({r['corrections']:.0f} corrections from half of the "
              f"templates): right on the other half's mentions {r['before']:.1f}% -> "
              f"{r['after']:.1f}%", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
